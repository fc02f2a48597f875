"""City-scale data: Kota Blitar with 150.000 residents over three periods, to measure every page
at the size the portal is built for (``manage.py seed_city``; see docs/performance.md).

The core writes the register, the accounts and the periods, then hands a ``City`` to each stage
app's ``city`` module (registered in ``registry.city_data``), which adds its own records with
``bulk_create`` and writes the matching participation ledger rows through ``City.ledger``.

Every count is the full-size figure times ``scale``. A smaller city uses fewer RTs, not emptier
ones (``scale`` 0.001 is one RT of 150 residents), so that proposals still find voters and
activities participants. Every draw comes from generators seeded with fixed strings: the same
command on an empty database builds the same city.

The rows go in without their history rows (the history of each object then starts at its first
change) and without notifications: they stand for what happened before the portal was used.
"""

import datetime
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from rtkeren import demo
from rtkeren.models import (
    RT,
    Kelurahan,
    Participation,
    Period,
    Resident,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.models.people import adult_born_on_or_before
from rtkeren.registry import city_data, participation_kinds
from rtkeren.services.base import base_periods_open

RESIDENTS = 150_000
ACCOUNTS_PER_RT = 10
RTS = 630
PERIODS = 3
BATCH_SIZE = 5000
#: Usernames of the accounts the city data creates start with this; their presence marks a
#: database that already holds the city.
USERNAME_PREFIX = "kota-"


def scaled(full: int, scale: float) -> int:
    return round(full * scale)


def bulk_insert(model: type[models.Model], rows: Iterable[models.Model]) -> list[models.Model]:
    """``bulk_create`` in large batches; the rows come back with their primary keys."""
    return model.objects.bulk_create(list(rows), batch_size=BATCH_SIZE)


@dataclass
class Neighbourhood:
    """A used RT: its place, its active adult residents and the accounts among them."""

    rt: RT
    adults: list[int] = field(default_factory=list)
    #: (user id, resident id) of residents with an account; the first is the RT chair.
    accounts: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kelurahan_id(self) -> int:
        return self.rt.rw.kelurahan_id

    @property
    def chair(self) -> tuple[int, int]:
        return self.accounts[0]


class Ledger:
    """Participation rows, written in bulk: once per resident, kind and subject, as
    ``participation_record`` would, in the stage the kind is registered with. The place is where
    the resident lives."""

    def __init__(self, city: "City"):
        self.city = city
        self.rows: list[Participation] = []
        self.keys: set[tuple] = set()
        self.content_types: dict[type, int] = {}
        self.written = 0

    def add(
        self,
        *,
        resident_id: int,
        kind: str,
        subject: type[models.Model],
        object_id: int,
        period_id: int,
        occurred_on: datetime.date,
        activity_id: int | None = None,
        on_behalf: bool = False,
        recorded_by_id: int | None = None,
    ) -> None:
        if subject not in self.content_types:
            self.content_types[subject] = ContentType.objects.get_for_model(subject).pk
        content_type_id = self.content_types[subject]
        key = (resident_id, kind, content_type_id, object_id)
        if key in self.keys:
            return
        self.keys.add(key)
        rt_id = self.city.rt_of[resident_id]
        self.rows.append(
            Participation(
                resident_id=resident_id,
                stage=participation_kinds.stage_of(kind),
                kind=kind,
                content_type_id=content_type_id,
                object_id=object_id,
                activity_id=activity_id,
                period_id=period_id,
                rt_id=rt_id,
                kelurahan_id=self.city.kelurahan_of_rt[rt_id],
                occurred_on=occurred_on,
                on_behalf=on_behalf,
                recorded_by_id=recorded_by_id,
            )
        )

    def flush(self) -> int:
        """Write the rows gathered so far; return how many."""
        count = len(self.rows)
        bulk_insert(Participation, self.rows)
        self.rows = []
        self.written += count
        return count


@dataclass
class City:
    """What the stage apps build on: the periods, the used RTs with their people, the officers."""

    scale: float
    today: datetime.date
    periods: list[Period]
    neighbourhoods: list[Neighbourhood]
    kelurahan: list[Kelurahan]
    officers: dict[int, int]
    facilitators: dict[int, int]
    birth_dates: dict[int, datetime.date]
    rt_of: dict[int, int]
    kelurahan_of_rt: dict[int, int]
    ledger: Ledger = field(init=False)

    def __post_init__(self):
        self.ledger = Ledger(self)

    @property
    def current(self) -> Period:
        return self.periods[-1]

    def count(self, full: int) -> int:
        return scaled(full, self.scale)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"rtkeren city {name}")

    @cached_property
    def _by_rt(self) -> dict[int, Neighbourhood]:
        return {n.rt.pk: n for n in self.neighbourhoods}

    def neighbourhood(self, rt_id: int) -> Neighbourhood:
        return self._by_rt[rt_id]

    def in_kelurahan(self, kelurahan_id: int) -> list[Neighbourhood]:
        return [n for n in self.neighbourhoods if n.kelurahan_id == kelurahan_id]

    def showcases(self) -> list[Neighbourhood]:
        """One RT per kelurahan whose records the benchmark reads (the demo RT in Kelurahan
        Blitar): its pages get the sizes the benchmark promises."""
        first: dict[int, Neighbourhood] = {}
        for neighbourhood in self.neighbourhoods:
            first.setdefault(neighbourhood.kelurahan_id, neighbourhood)
        return list(first.values())

    def age_on(self, resident_id: int, day: datetime.date) -> int:
        born = self.birth_dates[resident_id]
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def moment(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    def period_of(self, day: datetime.date) -> Period:
        return next(p for p in self.periods if p.starts_on <= day <= p.ends_on)

    def kelurahan_adults(self, kelurahan_id: int) -> list[int]:
        return [pk for n in self.in_kelurahan(kelurahan_id) for pk in n.adults]

    def day_in(self, period: Period, rng: random.Random, *, start: int = 0, end: int = 364):
        """A day of ``period`` between day ``start`` and ``end`` of its year, never after today."""
        day = period.starts_on + datetime.timedelta(days=rng.randint(start, end))
        return min(day, self.today)


def spread(total: int, slots: int) -> list[int]:
    """``total`` split over ``slots`` as evenly as whole numbers allow."""
    if slots <= 0:
        return []
    quota, extra = divmod(total, slots)
    return [quota + (index < extra) for index in range(slots)]


def allot(total: int, capacities: list[int]) -> list[int]:
    """``total`` split as evenly as it goes over slots that hold at most ``capacities`` each;
    what does not fit anywhere is left out."""
    given = [0] * len(capacities)
    remaining = total
    open_slots = [index for index, capacity in enumerate(capacities) if capacity > 0]
    while remaining and open_slots:
        share = max(1, remaining // len(open_slots))
        for index in open_slots:
            give = min(share, capacities[index] - given[index], remaining)
            given[index] += give
            remaining -= give
            if not remaining:
                break
        open_slots = [index for index in open_slots if given[index] < capacities[index]]
    return given


def ensure_periods() -> list[Period]:
    """The open period of this year and the two before it, oldest first."""
    current = demo.ensure_open_period()
    periods = [current]
    for year in range(current.year - PERIODS + 1, current.year):
        period, _created = Period.objects.get_or_create(
            year=year,
            defaults={
                "starts_on": datetime.date(year, 1, 1),
                "ends_on": datetime.date(year, 12, 31),
                "is_open": False,
            },
        )
        periods.append(period)
    return sorted(periods, key=lambda period: period.starts_on)


def used_rts(scale: float) -> list[RT]:
    """All 630 RTs of the city (created where missing); the first ``630 * scale`` of them are
    used, one per kelurahan in turn, the demo RT first."""
    kelurahan_list = list(
        Kelurahan.objects.filter(kecamatan__kota__code=demo.KOTA_BLITAR)
        .select_related("kecamatan")
        .order_by("code")
    )
    rts_of = {k.pk: demo.ensure_layout(k, demo.rt_layout(k.code)) for k in kelurahan_list}
    blitar = next(k for k in kelurahan_list if k.code == demo.BLITAR)
    demo_rt = demo.find_rt(rts_of[blitar.pk], demo.DEMO_RW, demo.DEMO_RT)
    rts_of[blitar.pk].remove(demo_rt)
    rts_of[blitar.pk].insert(0, demo_rt)
    order = [blitar] + [k for k in kelurahan_list if k != blitar]
    interleaved = [
        rts_of[k.pk][index]
        for index in range(max(len(rts) for rts in rts_of.values()))
        for k in order
        if index < len(rts_of[k.pk])
    ]
    return interleaved[: max(1, scaled(RTS, scale))]


def _account_holders(people: list[demo.Person], wanted: int) -> list[demo.Person]:
    return [person for person in people if person.is_plain_adult][:wanted]


def build_register(*, scale: float, today: datetime.date, stdout) -> City:
    """Residents over the used RTs, an account for the chair and a few residents of each, an
    officer and a facilitator for each kelurahan, and the three periods."""
    periods = ensure_periods()
    interest_ids = demo.ensure_interests()
    rts = used_rts(scale)
    rt_places = {
        rt.pk: rt for rt in RT.objects.filter(pk__in=[rt.pk for rt in rts]).select_related("rw")
    }
    rts = [rt_places[rt.pk] for rt in rts]
    kelurahan_by_id = {k.pk: k for k in Kelurahan.objects.select_related("kecamatan")}
    people_of = _draw_people(rts, kelurahan_by_id, scale)

    password = make_password(None)
    holders = {rt.pk: _account_holders(people_of[rt.pk], ACCOUNTS_PER_RT) for rt in rts}
    user_of = _insert_accounts(rts, holders, password)
    people = [person for rt in rts for person in people_of[rt.pk]]
    resident_pks = demo.insert_residents(people, interest_ids, history=False, users=user_of)
    pk_of = dict(zip((person.digest for person in people), resident_pks, strict=True))
    base_periods_open(periods=periods)

    kelurahan_ids = sorted({rt.rw.kelurahan_id for rt in rts})
    starts_on = periods[0].starts_on
    staff, assignments = _kelurahan_staff(kelurahan_ids, kelurahan_by_id, password, starts_on)
    register = _Register(people_of=people_of, holders=holders, user_of=user_of, pk_of=pk_of)
    neighbourhoods, birth_dates, rt_of = _neighbourhoods(
        rts, register, starts_on=starts_on, assignments=assignments
    )
    bulk_insert(RoleAssignment, assignments)
    stdout.write(
        f"core: {len(people)} residents in {len(rts)} RTs, {len(user_of)} resident accounts, "
        f"{len(assignments)} roles"
    )
    return City(
        scale=scale,
        today=today,
        periods=periods,
        neighbourhoods=neighbourhoods,
        kelurahan=[kelurahan_by_id[pk] for pk in kelurahan_ids],
        officers=staff[Role.OFFICER],
        facilitators=staff[Role.FACILITATOR],
        birth_dates=birth_dates,
        rt_of=rt_of,
        kelurahan_of_rt={rt.pk: rt.rw.kelurahan_id for rt in rts},
    )


def _draw_people(rts: list[RT], kelurahan_by_id: dict, scale: float) -> dict[int, list]:
    """The residents of each RT, drawn the same for the same scale, none holding a NIK the
    register already has."""
    used = set(Resident.objects.values_list("nik_digest", flat=True))
    population = demo.Population("rtkeren city", used)
    people_of: dict[int, list[demo.Person]] = {}
    for rt, count in zip(rts, spread(scaled(RESIDENTS, scale), len(rts)), strict=True):
        region = demo.region_code(kelurahan_by_id[rt.rw.kelurahan_id])
        people_of[rt.pk] = population.residents_of(rt, region, count)
    return people_of


def _insert_accounts(rts: list[RT], holders: dict[int, list], password: str) -> dict[str, int]:
    """An account for each resident in ``holders``: the account's id by the resident's NIK
    hash."""
    accounts = [
        User(
            username=f"{USERNAME_PREFIX}{rt.pk}-{index}",
            first_name=person.name.partition(" ")[0],
            last_name=person.name.partition(" ")[2],
            password=password,
        )
        for rt in rts
        for index, person in enumerate(holders[rt.pk])
    ]
    bulk_insert(User, accounts)
    people = [person for rt in rts for person in holders[rt.pk]]
    return {person.digest: account.pk for person, account in zip(people, accounts, strict=True)}


def _kelurahan_staff(
    kelurahan_ids: list[int], kelurahan_by_id: dict, password: str, starts_on: datetime.date
) -> tuple[dict[str, dict[int, int]], list[RoleAssignment]]:
    """An officer and a facilitator for each kelurahan: those already in place (the demo's) keep
    their work, so that the city's records are theirs and their pages show a city's load; an
    account is made for each role still missing. Returns the staff by role and kelurahan, and
    the new accounts' role assignments (not yet written)."""
    staff: dict[str, dict[int, int]] = {}
    assignments = []
    for role in (Role.OFFICER, Role.FACILITATOR):
        staff[role] = dict(
            RoleAssignment.objects.current()
            .filter(role=role, kelurahan__in=kelurahan_ids)
            .order_by("pk")
            .values_list("kelurahan_id", "user_id")
        )
        missing = [pk for pk in kelurahan_ids if pk not in staff[role]]
        users = bulk_insert(
            User,
            (
                User(
                    username=f"{USERNAME_PREFIX}{role}-{kelurahan_by_id[pk].code}",
                    password=password,
                )
                for pk in missing
            ),
        )
        for kelurahan_id, user in zip(missing, users, strict=True):
            staff[role][kelurahan_id] = user.pk
            assignments.append(
                RoleAssignment(user=user, role=role, kelurahan_id=kelurahan_id, starts_on=starts_on)
            )
    return staff, assignments


@dataclass
class _Register:
    """What ``build_register`` wrote of the residents: the people of each RT, those of them with
    an account, the account of each (by NIK hash) and each resident's id (by NIK hash)."""

    people_of: dict[int, list]
    holders: dict[int, list]
    user_of: dict[str, int]
    pk_of: dict[str, int]


def _neighbourhoods(
    rts: list[RT], register: _Register, *, starts_on: datetime.date, assignments: list
) -> tuple[list[Neighbourhood], dict[int, datetime.date], dict[int, int]]:
    """Each RT's adults and accounts (its chair first, where one is in place), each resident's
    birth date and RT; the new accounts' roles are added to ``assignments`` (a resident of their
    RT, and its chair where it has none)."""
    chairs = {
        rt_id: (user_id, resident_id)
        for rt_id, user_id, resident_id in RoleAssignment.objects.current()
        .filter(role=Role.RT_CHAIR, rt__in=[rt.pk for rt in rts], user__resident__isnull=False)
        .values_list("rt_id", "user_id", "user__resident")
    }
    chaired = set(
        RoleAssignment.objects.filter(role=Role.RT_CHAIR, ends_on__isnull=True).values_list(
            "rt_id", flat=True
        )
    )
    neighbourhoods = []
    birth_dates, rt_of = {}, {}
    adult_limit = adult_born_on_or_before(starts_on)
    for rt in rts:
        neighbourhood = Neighbourhood(rt=rt)
        for person in register.people_of[rt.pk]:
            pk = register.pk_of[person.digest]
            birth_dates[pk] = person.birth_date
            rt_of[pk] = rt.pk
            if person.status == Resident.Status.ACTIVE and person.birth_date <= adult_limit:
                neighbourhood.adults.append(pk)
        if rt.pk in chairs:
            neighbourhood.accounts.append(chairs[rt.pk])
            rt_of[chairs[rt.pk][1]] = rt.pk
        for index, person in enumerate(register.holders[rt.pk]):
            user_id = register.user_of[person.digest]
            neighbourhood.accounts.append((user_id, register.pk_of[person.digest]))
            assignments.append(
                RoleAssignment(user_id=user_id, role=Role.RESIDENT, rt=rt, starts_on=starts_on)
            )
            if index == 0 and rt.pk not in chaired:
                assignments.append(
                    RoleAssignment(user_id=user_id, role=Role.RT_CHAIR, rt=rt, starts_on=starts_on)
                )
        neighbourhoods.append(neighbourhood)
    return neighbourhoods, birth_dates, rt_of


def city_exists() -> bool:
    return User.objects.filter(username__startswith=USERNAME_PREFIX).exists()


def build(*, scale: float, stdout, today: datetime.date | None = None) -> list[tuple[str, float]]:
    """The register, then every stage app's records, each stage timed. Returns (name, seconds)."""
    today = today or timezone.localdate()
    timings = []
    started = time.perf_counter()
    city = build_register(scale=scale, today=today, stdout=stdout)
    timings.append(("core", time.perf_counter() - started))
    for name, provider in city_data.items():
        started = time.perf_counter()
        summary = provider(city)
        written = city.ledger.flush()
        timings.append((name, time.perf_counter() - started))
        stdout.write(f"{name}: {summary}; {written} ledger rows")
    return timings
