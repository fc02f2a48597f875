"""Logging in by username or phone, password change and reset, and the profile."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from rtkeren.models import Resident, ResidentInterest
from rtkeren.services import accounts as services
from rtkeren.settings import base as base_settings
from tests import factories
from tests.core.test_email_notifications import DATABASE_TASKS, PORTAL_URL, run_worker
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_user(rt):
    user, _resident = factories.make_resident_user(rt, "siti", phone="+6281234567890")
    return user


# Logging in.


def test_the_login_page_uses_djangos_field_names(client):
    page = client.get(reverse("login"))

    assert reverse("login") == "/accounts/login/"
    assert 'name="username"' in page.text
    assert 'name="password"' in page.text
    assert "Nama pengguna atau nomor HP" in page.text
    assert reverse("account-register") in page.text
    assert reverse("account-code-redeem") in page.text


@pytest.mark.parametrize(
    "login",
    ["siti", "SITI", "0812-3456-7890", "081234567890", "+62 812 3456 7890", "6281234567890"],
)
def test_log_in_with_the_username_or_the_phone_in_any_form(client, phone_user, login):
    response = client.post(reverse("login"), {"username": login, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(phone_user.pk)


@pytest.mark.parametrize("password", [PASSWORD, "salah"])
def test_a_login_looks_its_account_up_once(client, phone_user, password):
    """The rate limit, django-axes and the backend all need the account a login names."""
    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("login"), {"username": "0812-3456-7890", "password": password})

    by_phone = [q for q in queries if '"phone"' in q["sql"] and "rtkeren_user" in q["sql"]]
    assert len(by_phone) == 1


def test_a_wrong_password_gets_an_indonesian_message(client, phone_user):
    response = client.post(reverse("login"), {"username": "0812-3456-7890", "password": "salah"})

    assert response.status_code == 200
    assert "Nama pengguna atau nomor HP dan kata sandi tidak cocok." in response.text
    assert "_auth_user_id" not in client.session


def test_an_inactive_account_cannot_log_in_by_name_or_phone(client, phone_user):
    phone_user.is_active = False
    phone_user.save()

    for login in ("siti", "081234567890"):
        client.post(reverse("login"), {"username": login, "password": PASSWORD})
        assert "_auth_user_id" not in client.session


def test_an_unknown_phone_or_name_logs_nobody_in(client, phone_user):
    for login in ("081299999999", "nobody", "12"):
        client.post(reverse("login"), {"username": login, "password": PASSWORD})
        assert "_auth_user_id" not in client.session


def test_log_out_is_a_post(client, resident_user):
    client.force_login(resident_user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, resident_user):
    client.force_login(resident_user)

    page = client.get(reverse("password_change"))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Kembang-Desa-88",
            "new_password2": "Kembang-Desa-88",
        },
        follow=True,
    )

    assert "Ubah kata sandi saya" in page.text
    assert "Kata sandi sudah diubah" in response.text
    resident_user.refresh_from_db()
    assert resident_user.check_password("Kembang-Desa-88")


def test_password_reset_by_email_for_those_who_have_one(client, resident_user):
    resident_user.email = "warga@example.com"
    resident_user.save()

    response = client.post(reverse("password_reset"), {"email": "warga@example.com"}, follow=True)

    assert "Periksa e-mail Anda" in response.text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Atur ulang kata sandi RT Keren Anda"
    assert "/accounts/reset/" in mail.outbox[0].body
    assert "warga" in mail.outbox[0].body


def test_password_reset_page_points_to_the_code_for_those_without_email(client):
    page = client.get(reverse("password_reset"))

    assert reverse("account-code-redeem") in page.text
    assert client.post(reverse("password_reset"), {"email": "none@example.com"}).status_code == 302
    assert mail.outbox == []


@pytest.fixture
def queued_in_the_database(settings):
    settings.TASKS = DATABASE_TASKS
    settings.PORTAL_URL = PORTAL_URL


def ask_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def test_a_reset_is_queued_alike_for_a_known_and_an_unknown_address(
    client, resident_user, queued_in_the_database
):
    resident_user.email = "warga@example.com"
    resident_user.save()

    answers = []
    for email in ("Warga@Example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as queries:
            response = ask_reset(client, email)
        # The request never reads the accounts: only the worker does.
        assert not [query for query in queries if '"rtkeren_user"' in query["sql"]]
        answers.append((response.status_code, response.url))

    assert answers == [(302, reverse("password_reset_done"))] * 2
    queued = list(DBTaskResult.objects.order_by("enqueued_at", "id"))
    assert [task.task_path for task in queued] == ["rtkeren.tasks.password_reset_email_send"] * 2
    assert [task.args_kwargs["args"] for task in queued] == [
        ["warga@example.com"],
        ["nobody@example.com"],
    ]
    assert mail.outbox == []

    run_worker()

    [email] = mail.outbox
    assert email.to == ["warga@example.com"]
    assert email.subject == "Atur ulang kata sandi RT Keren Anda"
    assert f"{PORTAL_URL}/accounts/reset/" in email.body
    link = next(line for line in email.body.splitlines() if "/accounts/reset/" in line)
    assert client.get(link.removeprefix(PORTAL_URL), follow=True).status_code == 200


def test_the_reset_email_speaks_its_owners_language(client, resident_user):
    resident_user.email = "warga@example.com"
    resident_user.language = "en"
    resident_user.save()

    ask_reset(client, "warga@example.com")

    assert mail.outbox[0].subject == "Reset your RT Keren password"


def test_resets_for_one_address_are_limited_however_it_is_typed(
    client, settings, resident_user, queued_in_the_database
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": ("2/h", "100/h")}
    client.force_login(resident_user)
    assert ask_reset(client, "siti@example.com").status_code == 302
    client.logout()
    assert ask_reset(client, " SITI@example.com").status_code == 302

    response = ask_reset(client, "Siti@Example.COM")

    assert response.status_code == 429
    assert "Anda mengirim ini terlalu sering" in response.text
    assert DBTaskResult.objects.count() == 2
    assert ask_reset(client, "budi@example.com").status_code == 302


def test_a_form_without_a_valid_address_is_not_counted(client, settings, queued_in_the_database):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": ("1/h", "1/h")}
    for typed in ("", "bukan-email", "bukan-email"):
        response = ask_reset(client, typed)
        assert response.status_code == 200
        assert response.context["form"].errors["email"]

    assert ask_reset(client, "siti@example.com").status_code == 302
    assert DBTaskResult.objects.count() == 1


def test_resets_from_one_ip_address_are_limited_only_generously(
    client, settings, queued_in_the_database
):
    per_address, per_ip = base_settings.RATE_LIMITS["password_reset"]
    assert per_ip.split("/")[1] == per_address.split("/")[1]
    assert int(per_ip.split("/")[0]) >= 10 * int(per_address.split("/")[0])
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": ("100/h", "3/h")}
    for number in range(3):
        assert ask_reset(client, f"warga{number}@example.com").status_code == 302

    response = ask_reset(client, "lain@example.com")

    assert response.status_code == 429
    assert "Terlalu banyak permintaan" in response.text
    assert DBTaskResult.objects.count() == 3


# Navigation.


def test_visitors_see_register_next_to_log_in(client):
    page = client.get(reverse("home")).text

    assert reverse("account-register") in page
    assert ">Daftar<" in page
    assert reverse("account-profile") not in page


def test_logged_in_people_see_their_profile_link(client, resident_user):
    client.force_login(resident_user)

    page = client.get(reverse("home")).text

    assert reverse("account-profile") in page
    assert reverse("account-register") not in page


# Profile.


def test_the_profile_needs_a_login(client):
    response = client.get(reverse("account-profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_verified_resident_keeps_phone_interests_and_language(client, rt, resident_user):
    tari, batik, masak = (
        factories.InterestFactory(slug=slug, name=name)
        for slug, name in (("tari", "Tari"), ("membatik", "Membatik"), ("kuliner", "Kuliner"))
    )
    client.force_login(resident_user)

    response = client.post(
        reverse("account-profile"),
        {
            "email": "warga@example.com",
            "language": "en",
            "phone": "0812 3456 7890",
            "interests": [tari.pk, batik.pk],
            "talents": [tari.pk],
            "skills": [masak.pk],
            "current_password": PASSWORD,
        },
    )

    assert response.status_code == 302
    resident_user.refresh_from_db()
    assert (resident_user.email, resident_user.language) == ("warga@example.com", "en")
    resident = resident_user.resident
    assert resident.phone == "+6281234567890"
    links = {(link.kind, link.interest.slug) for link in resident.interest_links.all()}
    assert links == {
        (ResidentInterest.Kind.INTEREST, "tari"),
        (ResidentInterest.Kind.INTEREST, "membatik"),
        (ResidentInterest.Kind.TALENT, "tari"),
        (ResidentInterest.Kind.SKILL, "kuliner"),
    }
    page = client.get(reverse("account-profile"))
    assert page.headers["Content-Language"] == "en"
    assert page.context["form"].initial["talents"] == [tari.pk]

    client.post(
        reverse("account-profile"),
        {
            "email": "",
            "language": "id",
            "phone": "",
            "talents": [batik.pk],
            "current_password": PASSWORD,
        },
    )
    links = {(link.kind, link.interest.slug) for link in resident.interest_links.all()}
    assert links == {(ResidentInterest.Kind.TALENT, "membatik")}
    resident.refresh_from_db()
    assert resident.phone == ""


def test_a_phone_of_another_account_is_refused_on_the_profile(client, rt, resident_user):
    factories.make_resident_user(rt, "budi", phone="+6281234567890")
    client.force_login(resident_user)

    response = client.post(
        reverse("account-profile"),
        {"email": "", "language": "id", "phone": "081234567890", "current_password": PASSWORD},
    )

    assert response.status_code == 200
    assert "sudah dipakai oleh akun lain" in response.text
    assert Resident.objects.get(user=resident_user).phone == ""


def test_a_bad_phone_gets_an_indonesian_message(client, resident_user):
    client.force_login(resident_user)

    response = client.post(
        reverse("account-profile"), {"email": "", "language": "id", "phone": "12"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Nomor" in response.text or "nomor" in response.text


def test_a_pending_account_sees_no_register_data_and_edits_only_its_account(client, rt):
    born = datetime.date(1990, 5, 17)
    entry = factories.ResidentFactory(
        rt=rt,
        name="Siti Aminah",
        birth_date=born,
        sex="P",
        nik=factories.make_nik(born, "P", 12),
        phone="+6281234567890",
        address="Jl. Kenanga 3",
    )
    user = services.registration_submit(
        username="siti",
        name="Siti Aminah",
        nik=factories.make_nik(born, "P", 12),
        birth_date=born,
        rt=rt,
        password="Kembang-Desa-88",
    )
    client.force_login(user)

    page = client.get(reverse("account-profile"))
    client.post(
        reverse("account-profile"),
        {
            "email": "s@example.com",
            "language": "id",
            "phone": "0812",
            "current_password": "Kembang-Desa-88",
        },
    )

    assert "menunggu verifikasi Ketua RT" in page.text
    assert 'name="phone"' not in page.text
    assert "Jl. Kenanga" not in page.text
    assert "812" not in factories.without_per_request(page.text)
    entry.refresh_from_db()
    assert entry.phone == "+6281234567890"
    user.refresh_from_db()
    assert user.email == "s@example.com"


def test_an_account_without_resident_keeps_email_and_language(client, officer):
    client.force_login(officer)

    page = client.get(reverse("account-profile"))
    response = client.post(reverse("account-profile"), {"email": "", "language": "en"})

    assert "belum terhubung dengan data warga" in page.text
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.language == "en"


# The full NIK.


def test_the_resident_sees_their_own_full_nik(client, resident_user):
    client.force_login(resident_user)

    page = client.get(reverse("account-profile")).text

    assert resident_user.resident.reveal_nik() in page
    assert "Tampilkan NIK saya" in page


@pytest.mark.parametrize("persona", ["rt_chair", "other_rt_chair", "outsider", "officer"])
def test_no_page_of_accounts_shows_anyone_elses_full_nik(client, request, rt, persona):
    pending_user = services.registration_submit(
        username="siti",
        name="Siti Aminah",
        nik=factories.make_nik(datetime.date(1990, 5, 17), "P", 12),
        birth_date=datetime.date(1990, 5, 17),
        rt=rt,
        password="Kembang-Desa-88",
    )
    born = datetime.date(1985, 1, 1)
    _user, verified = factories.make_resident_user(
        rt, "budi", birth_date=born, sex="L", nik=factories.make_nik(born, "L", 77)
    )
    niks = [pending_user.resident.reveal_nik(), verified.reveal_nik()]
    viewer = request.getfixturevalue(persona)
    client.force_login(viewer)

    pages = [
        client.get(reverse(name))
        for name in ("account-profile", "verification-list", "account-code-list", "home")
    ]
    pages.append(client.post(reverse("account-code-issue", args=[verified.pk])))

    # A viewer's own NIK is theirs to see (their profile shows it); its digits may contain
    # another NIK's last four, so it is taken out before looking.
    own = viewer.resident.reveal_nik() if hasattr(viewer, "resident") else ""
    for page in pages:
        content = page.content.decode().replace(own, "") if own else page.content.decode()
        for nik in niks:
            assert nik not in content
            assert nik[12:] not in content
    # The pages did show the registration, without a digit, to those who decide on it.
    shown = any(pending_user.resident.name in page.content.decode() for page in pages)
    assert shown == (persona in ("rt_chair", "officer"))


# Changing the e-mail address or the phone number, which reset and sign in to the account.


def test_changing_the_email_needs_the_current_password(client, resident_user):
    client.force_login(resident_user)
    url = reverse("account-profile")

    missing = client.post(url, {"email": "pencuri@example.com", "language": "id"})
    wrong = client.post(
        url, {"email": "pencuri@example.com", "language": "id", "current_password": "tebakan"}
    )

    for response in missing, wrong:
        assert response.status_code == 200
        assert "Ketik kata sandi Anda saat ini" in response.text
        assert "tebakan" not in response.text
    resident_user.refresh_from_db()
    assert resident_user.email == ""
    assert not resident_user.notifications.exists()


def test_changing_the_phone_needs_the_current_password(client, resident_user):
    client.force_login(resident_user)

    response = client.post(
        reverse("account-profile"), {"email": "", "language": "id", "phone": "081299998888"}
    )

    assert response.status_code == 200
    assert "Ketik kata sandi Anda saat ini" in response.text
    assert Resident.objects.get(user=resident_user).phone == ""


def test_other_changes_need_no_password(client, resident_user):
    client.force_login(resident_user)

    response = client.post(reverse("account-profile"), {"email": "", "language": "en"})

    assert response.status_code == 302
    resident_user.refresh_from_db()
    assert resident_user.language == "en"
    assert not resident_user.notifications.exists()


def test_a_changed_email_is_told_in_the_portal_and_at_both_addresses(
    client, resident_user, django_capture_on_commit_callbacks
):
    resident_user.email = "lama@example.com"
    resident_user.email_notifications = False
    resident_user.save()
    client.force_login(resident_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account-profile"),
            {"email": "baru@example.com", "language": "id", "current_password": PASSWORD},
        )

    assert response.status_code == 302
    notice = resident_user.notifications.get()
    assert "Alamat e-mail atau nomor telepon akun Anda diubah" in notice.message
    assert sorted(address for email in mail.outbox for address in email.to) == [
        "baru@example.com",
        "lama@example.com",
    ]


def test_a_removed_email_is_still_told_at_the_old_address(
    client, resident_user, django_capture_on_commit_callbacks
):
    resident_user.email = "lama@example.com"
    resident_user.save()
    client.force_login(resident_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account-profile"),
            {"email": "", "language": "id", "current_password": PASSWORD},
        )

    assert [email.to for email in mail.outbox] == [["lama@example.com"]]


def test_a_changed_phone_is_told_to_the_owner(client, resident_user):
    client.force_login(resident_user)

    client.post(
        reverse("account-profile"),
        {"email": "", "language": "id", "phone": "081299998888", "current_password": PASSWORD},
    )

    assert Resident.objects.get(user=resident_user).phone == "+6281299998888"
    assert resident_user.notifications.count() == 1
