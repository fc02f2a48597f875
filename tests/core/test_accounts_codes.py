"""One-time codes: the RT chair gives one, the resident sets a new password with it, once."""

import datetime

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import (
    PASSWORD_CODE_MAX_ATTEMPTS,
    Notification,
    PasswordCode,
    Resident,
    Role,
    RoleAssignment,
)
from rtkeren.services import accounts as services
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kembang-Desa-88"
WRONG = "Kode tidak cocok atau sudah tidak berlaku."
ONLY_RESIDENTS = "Kode sekali pakai hanya untuk akun yang perannya hanya warga."
TOLD = "memberikan kode sekali pakai untuk membuat kata sandi baru bagi akun Anda"


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


# Only accounts whose sole role is resident.


def resident_with_role(home, username, role, **scope):
    """A verified resident of the RT ``home`` whose account also holds ``role``."""
    user, resident = factories.make_resident_user(home, username)
    factories.RoleAssignmentFactory(user=user, role=role, **scope)
    return resident


def staff_roles(rt, community):
    """A resident of ``rt`` for each role an account may hold besides resident."""
    return {
        "rt_chair": resident_with_role(rt, "peran_ketua", Role.RT_CHAIR, rt=rt),
        "rw_chair": resident_with_role(rt, "peran_ketuarw", Role.RW_CHAIR, rw=rt.rw),
        "officer": resident_with_role(rt, "peran_staf", Role.OFFICER, kelurahan=rt.rw.kelurahan),
        "facilitator": resident_with_role(
            rt, "peran_pdp", Role.FACILITATOR, kelurahan=rt.rw.kelurahan
        ),
        "city_viewer": resident_with_role(
            rt, "peran_kota2", Role.CITY_VIEWER, kota=rt.rw.kelurahan.kecamatan.kota
        ),
        "pokmas_member": resident_with_role(rt, "peran_pokmas2", Role.POKMAS_MEMBER, rt=rt),
        "community_lead": resident_with_role(
            rt, "peran_lead", Role.COMMUNITY_LEAD, community=community
        ),
        "admin_role": resident_with_role(rt, "peran_adm", Role.ADMIN),
    }


def test_no_code_for_an_account_that_holds_any_other_role(client, rt, officer, community):
    held = staff_roles(rt, community)
    client.force_login(officer)

    for resident in held.values():
        response = client.post(reverse("account-code-issue", args=[resident.pk]), follow=True)
        assert response.redirect_chain == [(reverse("account-code-list"), 302)]
        assert ONLY_RESIDENTS in response.text
        with pytest.raises(ValidationError, match=ONLY_RESIDENTS):
            services.password_code_issue(resident=resident, by=officer)
    assert not PasswordCode.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_no_code_for_a_staff_or_superuser_account(rt_chair, resident, flag):
    setattr(resident.user, flag, True)
    resident.user.save()

    with pytest.raises(ValidationError):
        services.password_code_issue(resident=resident, by=rt_chair)
    assert not PasswordCode.objects.exists()


def test_an_officer_cannot_give_a_code_for_the_rt_chairs_account(client, officer, rt_chair):
    client.force_login(officer)

    response = client.post(reverse("account-code-issue", args=[rt_chair.resident.pk]))

    assert response.status_code == 302
    assert not PasswordCode.objects.filter(user=rt_chair).exists()


def test_a_role_starting_later_already_counts_and_an_ended_one_no_longer(rt_chair, resident):
    today = timezone.localdate()
    later = RoleAssignment.objects.create(
        user=resident.user,
        role=Role.POKMAS_MEMBER,
        rt=resident.rt,
        starts_on=today.replace(year=today.year + 1),
    )
    with pytest.raises(ValidationError):
        services.password_code_issue(resident=resident, by=rt_chair)

    later.starts_on = today - datetime.timedelta(days=30)
    later.ends_on = today - datetime.timedelta(days=1)
    later.save()

    assert services.password_code_issue(resident=resident, by=rt_chair)


def test_the_list_offers_only_accounts_whose_sole_role_is_resident(
    client, rt, officer, resident, community
):
    held = staff_roles(rt, community)
    client.force_login(officer)

    response = client.get(reverse("account-code-list"))

    shown = list(response.context["residents"])
    assert shown == [resident]
    for other in held.values():
        assert other.user.username not in response.text
    assert "lewat e-mail" in response.text


def test_a_code_stops_working_when_the_account_takes_on_another_role(client, rt_chair, resident):
    code = services.password_code_issue(resident=resident, by=rt_chair)
    factories.RoleAssignmentFactory(user=resident.user, role=Role.POKMAS_MEMBER, rt=resident.rt)

    assert WRONG in redeem(client, "warga", code).text
    resident.user.refresh_from_db()
    assert not resident.user.check_password(NEW_PASSWORD)


# The owner is told, and the issue is on record.


def test_the_owner_is_notified_in_the_portal_of_every_code(rt_chair, resident):
    services.password_code_issue(resident=resident, by=rt_chair)

    [notification] = Notification.objects.filter(recipient=resident.user)
    assert TOLD in notification.message
    assert rt_chair.get_full_name() in notification.message
    assert notification.url == reverse("account-profile")


def test_the_owner_with_an_email_is_told_by_email_even_without_email_notifications(
    rt_chair, resident, django_capture_on_commit_callbacks
):
    resident.user.email = "warga@example.com"
    resident.user.email_notifications = False
    resident.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.password_code_issue(resident=resident, by=rt_chair)

    [email] = mail.outbox
    assert email.to == ["warga@example.com"]
    assert TOLD in email.body
    assert "pemberitahuan keamanan" in email.body


def test_an_owner_without_email_gets_no_email(
    rt_chair, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.password_code_issue(resident=resident, by=rt_chair)

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=resident.user).count() == 1


def test_a_refused_code_notifies_nobody(rt_chair, resident, django_capture_on_commit_callbacks):
    resident.user.email = "warga@example.com"
    resident.user.is_staff = True
    resident.user.save()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.password_code_issue(resident=resident, by=rt_chair)

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_the_issuer_stays_on_record(rt_chair, resident):
    services.password_code_issue(resident=resident, by=rt_chair)

    with pytest.raises(ProtectedError):
        rt_chair.delete()
    assert PasswordCode.objects.get(user=resident.user).issued_by == rt_chair


def test_admins_read_the_code_log_but_cannot_change_it(client, admin_user, rt_chair, resident):
    services.password_code_issue(resident=resident, by=rt_chair)
    stored = PasswordCode.objects.get()
    client.force_login(admin_user)

    listing = client.get(reverse("admin:rtkeren_passwordcode_changelist"))

    assert listing.status_code == 200
    assert str(rt_chair) in listing.text
    assert stored.code_hash not in listing.text
    assert client.get(reverse("admin:rtkeren_passwordcode_add")).status_code == 403
    assert (
        client.post(reverse("admin:rtkeren_passwordcode_delete", args=[stored.pk]), {"post": "yes"})
    ).status_code == 403
    assert PasswordCode.objects.filter(pk=stored.pk).exists()


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
