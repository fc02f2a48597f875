"""Factories for the core. Kelurahan come from the Kota Blitar data migration."""

import datetime
import importlib
import re

import factory
from django.apps import apps as django_apps
from django.utils import timezone
from factory.django import DjangoModelFactory

from rtkeren import models
from rtkeren.services.base import base_open, base_resident_sync

BLITAR = "35.72.02.1002"
PAKUNDEN = "35.72.02.1001"


def make_nik(birth_date: datetime.date, sex: str = "L", serial: int = 1, region="357202") -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def kelurahan(code: str = BLITAR) -> models.Kelurahan:
    """A kelurahan of Kota Blitar, as the data migration loads them.

    Transactional tests (the live server's, the concurrency tests) empty every table when they
    end, data migrations included; the reference data is then loaded again here.
    """
    found = models.Kelurahan.objects.filter(code=code).first()
    if found is None:
        wilayah = importlib.import_module("rtkeren.migrations.0002_kota_blitar_wilayah")
        wilayah.load(django_apps, None)
        found = models.Kelurahan.objects.get(code=code)
    return found


# Every account the factories make signs in with this password.
PASSWORD = "rahasia-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RWFactory(DjangoModelFactory):
    class Meta:
        model = models.RW
        django_get_or_create = ("kelurahan", "number")

    kelurahan = factory.LazyFunction(kelurahan)
    number = factory.Sequence(lambda n: n % 900 + 1)


class RTFactory(DjangoModelFactory):
    class Meta:
        model = models.RT
        django_get_or_create = ("rw", "number")

    rw = factory.SubFactory(RWFactory)
    number = factory.Sequence(lambda n: n % 900 + 1)


class InterestFactory(DjangoModelFactory):
    class Meta:
        model = models.Interest
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"minat-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class ResidentFactory(DjangoModelFactory):
    """A verified, active adult. Pass ``nik=...`` to choose the NIK."""

    class Meta:
        model = models.Resident
        exclude = ("serial",)
        skip_postgeneration_save = True

    serial = factory.Sequence(lambda n: n % 9999 + 1)
    name = factory.Faker("name", locale="id_ID")
    sex = factory.Iterator(["L", "P"])
    birth_date = factory.Faker("date_of_birth", minimum_age=18, maximum_age=80)
    rt = factory.SubFactory(RTFactory)
    address = factory.Faker("street_address", locale="id_ID")
    verification = models.Resident.Verification.VERIFIED
    status = models.Resident.Status.ACTIVE
    nik = factory.LazyAttribute(lambda o: make_nik(o.birth_date, o.sex, o.serial))

    @classmethod
    def _create(cls, model_class, *args, nik, **kwargs):
        resident = model_class(*args, **kwargs)
        resident.set_nik(nik)
        resident.save()
        base_resident_sync(resident=resident)
        return resident

    @factory.post_generation
    def interests(obj, create, extracted, **kwargs):
        for interest in extracted or []:
            models.ResidentInterest.objects.create(resident=obj, interest=interest)


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = models.Community

    name = factory.Sequence(lambda n: f"Sanggar Seni {n}")
    kind = models.Community.Kind.SANGGAR
    kelurahan = factory.LazyFunction(kelurahan)


class PokmasFactory(DjangoModelFactory):
    class Meta:
        model = models.Pokmas
        django_get_or_create = ("rt",)

    rt = factory.SubFactory(RTFactory)
    decree_number = factory.Sequence(lambda n: f"188/{n}/410.XX/2026")


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = models.Period
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 31))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """With its scorecard base, as ``period_start`` fills it."""
        period = super()._create(model_class, *args, **kwargs)
        base_open(period=period)
        return period


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = models.RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = models.Role.RESIDENT
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = models.Activity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Pelatihan membatik {n}")
    description = "Pelatihan membatik tulis untuk warga."
    kind = models.Activity.Kind.TRAINING
    nature = models.Activity.Nature.NONFISIK
    bidang = models.Activity.Bidang.HUMAN_DEVELOPMENT
    rt = factory.SubFactory(RTFactory)
    kelurahan = factory.LazyAttribute(lambda o: o.rt.rw.kelurahan if o.rt else kelurahan())
    period = factory.SubFactory(PeriodFactory)
    author = factory.SubFactory(UserFactory)
    status = models.ActivityStatus.DRAFT


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = models.BudgetLine

    activity = factory.SubFactory(ActivityFactory)
    item = "Kain mori"
    quantity = 20
    unit = "lembar"
    unit_price = 35_000


def make_user_with_role(role: str, username: str | None = None, **scope) -> models.User:
    user = UserFactory(**({"username": username} if username else {}))
    RoleAssignmentFactory(user=user, role=role, **scope)
    return user


def make_resident_user(rt: models.RT, username: str | None = None, **resident_fields):
    """A verified resident of ``rt`` with an account and the resident role."""
    user = make_user_with_role(models.Role.RESIDENT, username, rt=rt)
    resident = ResidentFactory(rt=rt, user=user, name=user.get_full_name(), **resident_fields)
    return user, resident


REGISTRATION_PASSWORD = "daftar-sendiri-2030"


def claim(entry: models.Resident, *, username: str, password: str = REGISTRATION_PASSWORD):
    """Register an account with ``entry``'s NIK, name and birth date, as anyone who knows them
    could: the claim links the account to the entry, and the RT chair has not confirmed it."""
    from rtkeren.services.accounts import registration_submit

    user = registration_submit(
        username=username,
        name=entry.name,
        nik=entry.reveal_nik(),
        birth_date=entry.birth_date,
        rt=entry.rt,
        password=password,
    )
    entry.refresh_from_db()
    assert entry.user_id == user.pk, "the claim did not match the register entry"
    return user


def make_claimant(rt: models.RT, username: str = "pengklaim", **entry_fields):
    """An account that claimed, through registration, a register entry an officer entered (the
    same NIK, name and birth date), not confirmed by the RT chair: it holds no role."""
    entry = ResidentFactory(rt=rt, **entry_fields)
    return claim(entry, username=username), entry


def make_registrant(rt: models.RT, username: str, *, like: models.Resident):
    """An account whose registration matched no entry (the name differs from ``like``'s, NIK and
    birth date are the same): it waits with a pending entry of its own."""
    from rtkeren.services.accounts import registration_submit

    user = registration_submit(
        username=username,
        name=f"{like.name} Lain",
        nik=like.reveal_nik(),
        birth_date=like.birth_date,
        rt=rt,
        password=REGISTRATION_PASSWORD,
    )
    assert user.resident.verification == models.Resident.Verification.PENDING
    return user


_PER_REQUEST = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]*"')


#: A calendar file's stamp: the moment it was made, to the second.
_CALENDAR_STAMP = re.compile(r"^DTSTAMP:[0-9TZ]+(?=\r?$)", re.MULTILINE)


def without_per_request(html: str) -> str:
    """``html`` without what changes with every request (CSRF token, script nonce, a calendar's
    stamp): random letters and digits there can hold any short string a test looks for, and
    two requests a second apart differ there."""
    return _CALENDAR_STAMP.sub("DTSTAMP:", _PER_REQUEST.sub(r'\1"', html))


def page_as_anyone(response, user: models.User) -> tuple[int, str]:
    """The status and body of ``response`` with what names ``user`` (username, name) and what
    changes with every request (CSRF token, script nonce) taken out: two accounts' pages can then
    be compared."""
    body = response.content.decode()
    for mark in (user.username, user.get_full_name(), user.first_name):
        if mark:
            body = body.replace(mark, "[account]")
    return response.status_code, without_per_request(body)
