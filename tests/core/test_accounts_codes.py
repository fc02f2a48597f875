"""One-time codes: the RT chair gives one, the resident sets a new password with it, once."""

import datetime

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import PASSWORD_CODE_MAX_ATTEMPTS, PasswordCode, Resident
from rtkeren.services import accounts as services
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kembang-Desa-88"
WRONG = "Kode tidak cocok atau sudah tidak berlaku."


def redeem(client, login, code, password=NEW_PASSWORD):
    return client.post(
        reverse("account-code-redeem"),
        {
            "login": login,
            "code": code,
            "new_password": password,
            "new_password_confirm": password,
        },
    )


# Issuing.


def test_the_chair_gets_a_readable_code_once_and_only_its_hash_is_kept(client, rt_chair, resident):
    client.force_login(rt_chair)

    response = client.post(reverse("account-code-issue", args=[resident.pk]))

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    shown = response.context["code"]
    code = shown.replace(" ", "")
    assert len(code) == 8
    assert not set(code) & set("0O1I")
    assert shown in response.text
    stored = PasswordCode.objects.get(user=resident.user)
    assert code not in stored.code_hash
    assert check_password(code, stored.code_hash)
    assert stored.issued_by == rt_chair
    assert stored.expires_at - stored.created_at == datetime.timedelta(hours=48)


def test_an_officer_of_the_kelurahan_may_give_a_code(client, officer, resident):
    client.force_login(officer)

    assert client.post(reverse("account-code-issue", args=[resident.pk])).status_code == 200
    assert PasswordCode.objects.filter(user=resident.user).exists()


@pytest.mark.parametrize(
    "persona",
    ["other_rt_chair", "foreign_officer", "facilitator", "rw_chair", "resident_user", "outsider"],
)
def test_no_one_else_may_give_a_code(client, request, resident, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("account-code-issue", args=[resident.pk]))

    assert response.status_code == 404
    assert not PasswordCode.objects.exists()


def test_visitors_are_sent_to_log_in(client, resident):
    response = client.post(reverse("account-code-issue", args=[resident.pk]))

    assert response.status_code == 302
    assert not PasswordCode.objects.exists()


def test_issuing_is_post_only(client, rt_chair, resident):
    client.force_login(rt_chair)

    assert client.get(reverse("account-code-issue", args=[resident.pk])).status_code == 405


def test_no_code_for_a_pending_resident_or_one_without_account(client, rt, rt_chair):
    pending = Resident.objects.get(
        user=services.registration_submit(
            username="siti",
            name="Siti Aminah",
            nik=factories.make_nik(datetime.date(1990, 5, 17), "P", 12),
            birth_date=datetime.date(1990, 5, 17),
            rt=rt,
            password=NEW_PASSWORD,
        )
    )
    without_account = factories.ResidentFactory(rt=rt)
    client.force_login(rt_chair)

    for resident in (pending, without_account):
        assert client.post(reverse("account-code-issue", args=[resident.pk])).status_code == 404
        with pytest.raises(ValidationError):
            services.password_code_issue(resident=resident, by=rt_chair)
    assert not PasswordCode.objects.exists()


def test_the_service_itself_refuses_the_wrong_chair(other_rt_chair, resident):
    with pytest.raises(PermissionDenied):
        services.password_code_issue(resident=resident, by=other_rt_chair)


def test_a_new_code_voids_the_previous_one(client, rt_chair, resident):
    first = services.password_code_issue(resident=resident, by=rt_chair)
    second = services.password_code_issue(resident=resident, by=rt_chair)

    assert WRONG in redeem(client, "warga", first).text
    assert redeem(client, "warga", second).status_code == 302
    assert PasswordCode.objects.filter(user=resident.user).open().count() == 0


# The chair's list.


@pytest.mark.parametrize("persona", ["resident_user", "facilitator", "rw_chair", "city_viewer"])
def test_the_list_is_for_chairs_and_officers(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("account-code-list")).status_code == 403


def test_the_list_shows_verified_residents_with_accounts_of_the_chairs_rt(
    client, rt, rt_chair, resident, outsider, other_rt
):
    factories.ResidentFactory(rt=rt, name="Tanpa Akun")
    _user, elsewhere = factories.make_resident_user(other_rt, "lain")
    client.force_login(rt_chair)

    names = {r.name for r in client.get(reverse("account-code-list")).context["residents"]}
    searched = client.get(reverse("account-code-list"), {"q": "warga"}).context["residents"]

    assert resident.name in names
    assert "Tanpa Akun" not in names
    assert elsewhere.name not in names
    assert outsider.resident.name not in names
    assert list(searched) == [resident]


def test_the_list_costs_the_same_queries_for_one_or_many(client, rt, officer, resident):
    client.force_login(officer)
    client.get(reverse("account-code-list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("account-code-list"))
    for number in range(6):
        factories.make_resident_user(rt, f"warga{number}")

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("account-code-list"))

    assert len(response.context["residents"]) == 7
    assert len(many) == len(one)


# Redeeming.


def test_the_resident_sets_a_new_password_with_the_code(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)

    response = redeem(client, "warga", f" {code[:4].lower()}-{code[4:]} ")

    assert response.url == reverse("login")
    user = resident.user
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert PasswordCode.objects.get(user=user).used_at is not None
    assert (
        client.post(reverse("login"), {"username": "warga", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_the_code_works_with_the_phone_number_too(client, rt, rt_chair):
    user, resident = factories.make_resident_user(rt, "siti", phone="+6281234567890")
    code = services.password_code_issue(resident=resident, by=rt_chair)

    assert redeem(client, "0812-3456-7890", code).status_code == 302


def test_a_code_works_once(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)
    redeem(client, "warga", code)

    response = redeem(client, "warga", code, password="Lain-Kali-99x")

    assert WRONG in response.text
    resident.user.refresh_from_db()
    assert resident.user.check_password(NEW_PASSWORD)


def test_after_five_wrong_tries_the_code_is_void(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)
    for _attempt in range(PASSWORD_CODE_MAX_ATTEMPTS):
        assert WRONG in redeem(client, "warga", "ABCDEFGH").text

    response = redeem(client, "warga", code)

    assert WRONG in response.text
    stored = PasswordCode.objects.get(user=resident.user)
    assert stored.failed_attempts == PASSWORD_CODE_MAX_ATTEMPTS
    assert stored.voided_at is not None
    resident.user.refresh_from_db()
    assert not resident.user.check_password(NEW_PASSWORD)


def test_four_wrong_tries_leave_the_code_working(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)
    for _attempt in range(PASSWORD_CODE_MAX_ATTEMPTS - 1):
        redeem(client, "warga", "ABCDEFGH")

    assert redeem(client, "warga", code).status_code == 302


def test_an_expired_code_does_not_work(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)
    PasswordCode.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert WRONG in redeem(client, "warga", code).text


def test_unknown_accounts_get_the_same_message(client, rt_chair, resident):
    services.password_code_issue(resident=resident, by=rt_chair)

    for login in ("nobody", "081299999999", "rt_chair_without_code"):
        response = redeem(client, login, "ABCDEFGH")
        assert response.context["form"].non_field_errors() == [
            "Kode tidak cocok atau sudah tidak berlaku. Periksa nama pengguna atau nomor HP "
            "dan kodenya, atau minta kode baru kepada Ketua RT Anda."
        ]
    assert PasswordCode.objects.get(user=resident.user).failed_attempts == 0


def test_a_weak_password_is_refused_without_using_the_code(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)

    response = redeem(client, "warga", code, password="12345678")

    assert response.status_code == 200
    assert "angka" in " ".join(response.context["form"].errors["new_password"])
    assert PasswordCode.objects.get(user=resident.user).used_at is None
    assert redeem(client, "warga", code).status_code == 302


def test_the_two_passwords_must_match(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)

    response = client.post(
        reverse("account-code-redeem"),
        {
            "login": "warga",
            "code": code,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD + "x",
        },
    )

    assert "Kedua kata sandi tidak sama." in response.text
    assert PasswordCode.objects.get(user=resident.user).used_at is None


def test_an_account_switched_off_cannot_use_its_code(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)
    resident.user.is_active = False
    resident.user.save()

    assert WRONG in redeem(client, "warga", code).text
