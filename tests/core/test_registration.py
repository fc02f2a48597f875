"""Self-registration: claim or pending; clear refusals that create and reveal nothing."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rtkeren.auth_backends import users_for_login
from rtkeren.models import Resident, Role, RoleAssignment, User
from rtkeren.services import accounts as services
from tests import factories

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1990, 5, 17)
NIK = factories.make_nik(BIRTH, "P", 12)
ACCEPTED = "Pendaftaran diterima. Ketua RT akan memverifikasi akun Anda."


def form_data(rt, **overrides):
    data = {
        "username": "siti.aminah",
        "name": "Siti Aminah",
        "nik": NIK,
        "birth_date": BIRTH.isoformat(),
        "kelurahan": rt.rw.kelurahan_id,
        "rw_number": rt.rw.number,
        "rt_number": rt.number,
        "phone": "",
        "password": "Kembang-Desa-88",
        "password_confirm": "Kembang-Desa-88",
    }
    return {**data, **overrides}


def register_entry(rt, **fields):
    """A verified entry of the register without an account, holding NIK."""
    defaults = {"rt": rt, "name": "Siti Aminah", "birth_date": BIRTH, "sex": "P", "nik": NIK}
    return factories.ResidentFactory(**{**defaults, **fields})


def counts():
    return User.objects.count(), Resident.objects.count(), RoleAssignment.objects.count()


def test_the_page_asks_for_the_fields_of_the_issue(client, rt):
    page = client.get(reverse("account-register"))

    assert page.status_code == 200
    for field in ("username", "name", "nik", "birth_date", "kelurahan", "phone", "password"):
        assert f'name="{field}"' in page.text
    assert "Daftar sebagai warga" in page.text


def test_a_new_person_becomes_a_pending_resident_of_the_chosen_rt(client, rt):
    response = client.post(reverse("account-register"), form_data(rt), follow=True)

    assert response.redirect_chain == [(reverse("account-profile"), 302)]
    assert ACCEPTED in response.text
    user = User.objects.get(username="siti.aminah")
    resident = Resident.objects.get(user=user)
    assert resident.rt == rt
    assert resident.verification == Resident.Verification.PENDING
    assert (resident.name, resident.sex, resident.birth_date) == ("Siti Aminah", "P", BIRTH)
    assert resident.reveal_nik() == NIK
    assert response.wsgi_request.user == user
    # No rights until the chair says yes.
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_a_matching_register_entry_is_claimed_not_copied(client, rt):
    entry = register_entry(rt)
    before = Resident.objects.count()

    response = client.post(
        reverse("account-register"), form_data(rt, name="  siti   AMINAH "), follow=True
    )

    assert ACCEPTED in response.text
    entry.refresh_from_db()
    assert entry.user.username == "siti.aminah"
    assert entry.is_verified
    assert Resident.objects.count() == before
    assert not RoleAssignment.objects.filter(user=entry.user, role=Role.RESIDENT).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"name": "Siti Amina"},
        {"user": "taken"},
        {"rt": "other"},
        {"verification": Resident.Verification.PENDING},
        {"status": Resident.Status.MOVED},
    ],
    ids=["other-name", "already-claimed", "other-rt", "entry-pending", "moved-away"],
)
def test_an_entry_that_does_not_fully_match_is_not_claimed(client, rt, other_rt, change):
    fields = dict(change)
    if fields.get("user") == "taken":
        fields["user"] = factories.UserFactory()
    if fields.get("rt") == "other":
        fields["rt"] = other_rt
    entry = register_entry(fields.pop("rt", rt), **fields)
    owner = entry.user

    response = client.post(reverse("account-register"), form_data(rt), follow=True)

    assert ACCEPTED in response.text
    entry.refresh_from_db()
    assert entry.user == owner
    new = Resident.objects.get(user__username="siti.aminah")
    assert new.pk != entry.pk
    assert new.verification == Resident.Verification.PENDING


def _neutral(html: str, username: str) -> str:
    html = html.replace(username, "USERNAME")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", html)


def test_claim_and_pending_look_exactly_the_same_to_the_person(rt):
    """Same NIK, one name matching the register and one not: the pages differ only in the
    username, so nobody learns from them what the register holds."""
    from django.test import Client

    entry = register_entry(rt, phone="+6281234567890", address="Jl. Merdeka 12")
    pages = []
    for username, name in (("pemilik.data", "Siti Aminah"), ("orang.lain", "Siti Amina")):
        client = Client()
        response = client.post(
            reverse("account-register"), form_data(rt, username=username, name=name), follow=True
        )
        pages.append(_neutral(response.text, username))

    entry.refresh_from_db()
    assert entry.user.username == "pemilik.data"
    assert pages[0] == pages[1]
    assert "Jl. Merdeka" not in pages[0]
    assert "812" not in pages[0]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nik": "12345"}, "nik", "NIK harus terdiri dari tepat 16 angka."),
        (
            {"nik": "9972025705900012"},
            "nik",
            "Dua angka pertama NIK bukan kode provinsi yang dikenal.",
        ),
        (
            {"birth_date": "1990-05-18"},
            "birth_date",
            "Tanggal lahir tidak sama dengan tanggal lahir dalam NIK.",
        ),
        ({"password": "12345678", "password_confirm": "12345678"}, "password", "angka"),
        ({"password_confirm": "Kembang-Desa-89"}, "password_confirm", "Kedua kata sandi tidak"),
        ({"rt_number": 99}, "rt_number", "RT 099 / RW 007 tidak ada di Kelurahan Blitar."),
        ({"phone": "12"}, "phone", ""),
        ({"username": "0812 3456 7890"}, "username", "tidak boleh berupa nomor telepon"),
        ({"username": "siti aminah!"}, "username", ""),
    ],
    ids=[
        "short-nik",
        "unknown-province",
        "birth-date-not-in-nik",
        "numeric-password",
        "passwords-differ",
        "unknown-rt",
        "bad-phone",
        "phone-as-username",
        "username-characters",
    ],
)
def test_bad_input_gets_a_clear_indonesian_message_and_creates_nothing(
    client, rt, changes, field, message
):
    before = counts()

    response = client.post(reverse("account-register"), form_data(rt, **changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert counts() == before
    assert not response.wsgi_request.user.is_authenticated


def test_under_17_is_refused_and_no_minor_is_created(client, rt):
    today = timezone.localdate()
    born = today.replace(year=today.year - 17) + datetime.timedelta(days=1)
    before = counts()

    response = client.post(
        reverse("account-register"),
        form_data(
            rt, nik=factories.make_nik(born, "L", 7), birth_date=born.isoformat(), name="Adi"
        ),
    )

    assert response.context["form"].errors["birth_date"] == [
        "Pendaftaran hanya untuk warga berusia 17 tahun ke atas. "
        "Silakan minta bantuan Ketua RT Anda."
    ]
    assert counts() == before


def test_seventeen_today_may_register(client, rt):
    today = timezone.localdate()
    born = today.replace(year=today.year - 17) if (today.month, today.day) != (2, 29) else None
    if born is None:
        born = datetime.date(today.year - 17, 2, 28)

    response = client.post(
        reverse("account-register"),
        form_data(rt, nik=factories.make_nik(born, "L", 8), birth_date=born.isoformat()),
    )

    assert response.status_code == 302
    assert Resident.objects.filter(user__username="siti.aminah", birth_date=born).exists()


def test_a_taken_username_is_refused_whatever_its_case(client, rt):
    factories.UserFactory(username="Siti.Aminah")
    before = counts()

    response = client.post(reverse("account-register"), form_data(rt))

    assert response.context["form"].errors["username"] == [
        "Nama pengguna ini sudah dipakai. Silakan pilih nama pengguna lain."
    ]
    assert counts() == before


def test_refusals_are_the_same_whether_or_not_the_nik_is_in_the_register(client, rt):
    factories.UserFactory(username="siti.aminah")
    data = form_data(rt, password="123", password_confirm="123")
    without = client.post(reverse("account-register"), data).context["form"].errors
    register_entry(rt)

    with_entry = client.post(reverse("account-register"), data).context["form"].errors

    assert with_entry == without
    assert "nik" not in with_entry


def test_a_phone_in_use_gets_the_same_answer_as_a_free_one(client, rt):
    """Whether another account has the number is not told: same page, same words."""
    from django.test import Client

    budi, _entry = factories.make_resident_user(rt, "budi", phone="+6281234567890")
    pages = []
    for username, phone in (
        ("pakai.nomor.budi", "0812-3456-7890"),
        ("nomor.bebas", "0812-9999-0000"),
    ):
        response = Client().post(
            reverse("account-register"), form_data(rt, username=username, phone=phone), follow=True
        )
        assert response.redirect_chain == [(reverse("account-profile"), 302)]
        pages.append(_neutral(response.text, username))

    assert pages[0] == pages[1]
    assert ACCEPTED in pages[0]
    # The number stays Budi's alone: the registrant cannot log in with it.
    assert users_for_login("0812-3456-7890") == [budi]


def test_the_phone_waits_for_the_chair_in_international_form(client, rt, rt_chair):
    client.post(reverse("account-register"), form_data(rt, phone="0812 3456 7890"))
    resident = Resident.objects.get(user__username="siti.aminah")

    assert (resident.phone, resident.registration_phone) == ("", "+6281234567890")
    assert users_for_login("081234567890") == []

    services.resident_verify(resident=resident, by=rt_chair)

    resident.refresh_from_db()
    assert (resident.phone, resident.registration_phone) == ("+6281234567890", "")
    assert users_for_login("081234567890") == [resident.user]


def test_a_phone_of_another_account_is_flagged_to_the_chair_and_not_copied(client, rt, rt_chair):
    budi, budi_entry = factories.make_resident_user(rt, "budi", phone="+6281234567890")
    client.post(reverse("account-register"), form_data(rt, phone="0812-3456-7890"))
    resident = Resident.objects.get(user__username="siti.aminah")
    client.force_login(rt_chair)

    listing = client.get(reverse("verification-list"))
    [shown] = listing.context["residents"]
    response = client.post(reverse("verification-verify", args=[resident.pk]), follow=True)

    assert shown.phone_shared
    assert "+6281234567890" in listing.text
    assert "Akun lain sudah memakai nomor HP ini" in listing.text
    assert "tidak disalin ke data warga: akun lain memakainya" in response.text
    resident.refresh_from_db()
    assert resident.is_verified
    assert (resident.phone, resident.registration_phone) == ("", "")
    budi_entry.refresh_from_db()
    assert budi_entry.phone == "+6281234567890"
    assert users_for_login("0812-3456-7890") == [budi]


def test_a_free_phone_is_not_flagged(client, rt, rt_chair):
    client.post(reverse("account-register"), form_data(rt, phone="0812-3456-7890"))
    client.force_login(rt_chair)

    listing = client.get(reverse("verification-list"))

    assert not listing.context["residents"][0].phone_shared
    assert "Akun lain sudah memakai" not in listing.text


def test_a_rejection_drops_the_phone_given(rt, rt_chair):
    entry = register_entry(rt)
    user = services.registration_submit(
        username="siti.aminah",
        name="Siti Aminah",
        nik=NIK,
        birth_date=BIRTH,
        rt=rt,
        password="Kembang-Desa-88",
        phone="0812-3456-7890",
    )
    entry.refresh_from_db()
    assert entry.user == user
    assert entry.registration_phone == "+6281234567890"

    services.resident_reject(resident=entry, by=rt_chair, reason="Bukan orangnya")

    entry.refresh_from_db()
    assert (entry.user, entry.phone, entry.registration_phone) == (None, "", "")


def test_a_claim_fills_an_empty_phone_at_verification_but_keeps_the_registers(client, rt, rt_chair):
    with_phone = register_entry(rt, phone="+6281111111111")
    client.post(reverse("account-register"), form_data(rt, phone="0812-3456-7890"))
    with_phone.refresh_from_db()
    services.resident_verify(resident=with_phone, by=rt_chair)

    with_phone.refresh_from_db()
    assert with_phone.user.username == "siti.aminah"
    assert (with_phone.phone, with_phone.registration_phone) == ("+6281111111111", "")


def test_a_claim_of_an_entry_without_phone_gets_it_at_verification(client, rt, rt_chair):
    entry = register_entry(rt)
    client.post(reverse("account-register"), form_data(rt, phone="0812-3456-7890"))
    entry.refresh_from_db()
    assert entry.phone == ""

    services.resident_verify(resident=entry, by=rt_chair)

    entry.refresh_from_db()
    assert entry.phone == "+6281234567890"


def test_a_logged_in_user_is_sent_to_their_profile(client, resident_user):
    client.force_login(resident_user)

    response = client.get(reverse("account-register"))

    assert response.url == reverse("account-profile")


def test_nothing_is_written_when_a_late_step_fails(rt, monkeypatch):
    def broken_save(*args, **kwargs):
        raise ValidationError("disk full")

    monkeypatch.setattr(Resident, "full_clean", broken_save)
    before = counts()

    with pytest.raises(ValidationError):
        services.registration_submit(
            username="siti.aminah",
            name="Siti Aminah",
            nik=NIK,
            birth_date=BIRTH,
            rt=rt,
            password="Kembang-Desa-88",
        )

    assert counts() == before


def test_the_service_says_what_is_wrong_by_field(rt):
    with pytest.raises(ValidationError) as caught:
        services.registration_submit(
            username="",
            name=" ",
            nik="1",
            birth_date=BIRTH,
            rt=rt,
            password="x",
        )

    assert {"username", "name", "nik", "password"} <= set(caught.value.message_dict)


def test_a_claimed_entry_stays_hidden_from_the_claimant_until_the_chair_confirms(
    client, rt, rt_chair
):
    entry = register_entry(rt, address="Jl. Kenanga 12", phone="+6281234567890")
    client.post(reverse("account-register"), form_data(rt))
    claimant = User.objects.get(username="siti.aminah")
    client.force_login(claimant)
    detail = reverse("resident-detail", args=[entry.pk])

    before = client.get(detail)

    assert before.status_code == 404
    services.resident_verify(resident=entry, by=rt_chair)
    after = client.get(detail)
    assert after.status_code == 200
    assert "Jl. Kenanga 12" in after.text


@pytest.mark.django_db
def test_model_permissions_are_for_staff_and_cost_others_no_query(django_assert_num_queries):
    """The admin's model permissions mean nothing outside the admin: an account that is not
    staff holds none, even one given directly, and asking costs no query."""
    from django.contrib.auth.models import Permission

    from rtkeren.models import User

    permission = Permission.objects.get(codename="change_period")
    resident = User.objects.create_user("bukan_staf", password="x")
    staff = User.objects.create_user("staf", password="x", is_staff=True)
    for user in (resident, staff):
        user.user_permissions.add(permission)
    resident, staff = User.objects.get(pk=resident.pk), User.objects.get(pk=staff.pk)

    with django_assert_num_queries(0):
        assert not resident.has_perm("rtkeren.change_period")
    assert staff.has_perm("rtkeren.change_period")
