"""One-time codes sent to a resident's verified phone number, by WhatsApp or SMS."""

import datetime
import logging
import zoneinfo
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rtkeren.channels import console
from rtkeren.models import (
    PASSWORD_CODE_MAX_ATTEMPTS,
    Notification,
    OutboundMessage,
    PasswordCode,
    Role,
)
from rtkeren.services import accounts as services
from rtkeren.views.accounts import CODE_PHONE_TOO_MANY, code_on_its_way
from tests import factories
from tests.core.test_email_notifications import DATABASE_TASKS, run_worker

pytestmark = pytest.mark.django_db

NUMBER = "+6281234567890"
NEW_PASSWORD = "Kembang-Desa-88"
WRONG = "Kode tidak cocok atau sudah tidak berlaku."
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture
def owner(rt):
    """A verified resident whose RT chair recorded the number; they have no e-mail."""
    user, _resident = factories.make_resident_user(rt, "siti", phone=NUMBER)
    return user


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Ask for a code as a visitor would, and let everything queued at commit go."""

    def ask(phone=NUMBER, channel="whatsapp", ip="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("account-code-phone"),
                {"phone": phone, "channel": channel},
                REMOTE_ADDR=ip,
            )

    return ask


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


def the_code() -> str:
    [message] = console.outbox
    return message["parameters"][0]


# Asking.


@pytest.mark.parametrize("typed", ["0812-3456-7890", "6281234567890", "+62 812 3456 7890"])
def test_a_known_number_gets_one_whatsapp_code_that_sets_a_new_password(client, send, owner, typed):
    response = send(typed)

    assert response.status_code == 302
    assert response.url == reverse("account-code-redeem")
    [message] = console.outbox
    assert message["channel"] == "whatsapp"
    assert message["to"] == NUMBER
    assert message["template"] == "rtkeren_kode_sandi"
    assert message["kind"] == "account"
    [code] = message["parameters"]
    stored = PasswordCode.objects.get(user=owner)
    assert (stored.channel, stored.sent_to, stored.issued_by) == ("whatsapp", NUMBER, None)
    assert stored.expires_at - stored.created_at == datetime.timedelta(minutes=15)

    page = client.get(reverse("account-code-redeem"))
    assert page.context["form"].initial["login"] == NUMBER
    assert code_on_its_way() in page.text
    assert code not in page.text

    assert redeem(client, NUMBER, code).url == reverse("login")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    stored.refresh_from_db()
    assert stored.used_at is not None
    assert WRONG in redeem(client, NUMBER, code, password="Lain-Kali-99x").text


def test_an_sms_says_the_code_and_how_long_it_is_valid_in_indonesian(send, owner):
    send(channel="sms")

    [message] = console.outbox
    code = message["parameters"][0]
    assert message["channel"] == "sms"
    assert message["to"] == NUMBER
    assert message["text"] == services.phone_code_text(code)
    assert f"{code[:4]} {code[4:]}" in message["text"]
    assert " 15 " in message["text"]


def test_the_owner_is_told_in_the_portal_without_the_code(send, owner):
    send()

    code = the_code()
    [notification] = Notification.objects.filter(recipient=owner)
    assert "WhatsApp" in notification.message
    assert "7890" in notification.message
    assert NUMBER not in notification.message
    assert code not in notification.message
    assert notification.url == reverse("account-profile")


def test_the_code_goes_without_consent_to_notifications_by_phone(send, owner):
    assert not owner.resident.consents.exists()

    send()

    assert OutboundMessage.objects.get().status == OutboundMessage.Status.SENT


def test_a_notification_by_phone_still_needs_consent(owner, django_capture_on_commit_callbacks):
    from rtkeren.services.messages import message_queue

    notification = Notification.objects.create(recipient=owner, message="Rapat RT", kind="account")
    noon = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=WIB)
    with time_machine.travel(noon, tick=False), django_capture_on_commit_callbacks(execute=True):
        message_queue(
            user=owner,
            channel="whatsapp",
            kind="account",
            address=NUMBER,
            text="Rapat RT",
            notification=notification,
        )

    assert console.outbox == []
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.CANCELLED


def test_at_night_the_code_still_goes_at_once(send, owner):
    night = datetime.datetime(2026, 12, 4, 23, 0, tzinfo=WIB)
    with time_machine.travel(night, tick=False):
        send()

        [message] = OutboundMessage.objects.all()
        # Not held until 06.00 WIB: sent at the moment it was asked for.
        assert message.created_at == message.sent_at == timezone.now()
    assert message.status == OutboundMessage.Status.SENT
    assert len(console.outbox) == 1


def test_a_new_code_voids_the_open_one_also_the_chairs(client, send, owner, rt_chair):
    chairs = services.password_code_issue(resident=owner.resident, by=rt_chair)
    send()
    first = the_code()
    console.outbox.clear()
    send(channel="sms")
    second = the_code()

    assert PasswordCode.objects.filter(user=owner).open().count() == 1
    assert WRONG in redeem(client, NUMBER, chairs).text
    assert WRONG in redeem(client, NUMBER, first).text
    assert redeem(client, NUMBER, second).status_code == 302


# Nobody learns whether a number is known.


def unknown_numbers(rt):
    """Numbers that must answer as a known one does, and get nothing."""
    user, _resident = factories.make_resident_user(rt, "mati", phone="+6281311112222")
    user.is_active = False
    user.save()
    chair, _resident = factories.make_resident_user(rt, "ketua", phone="+6281322223333")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    moved, moved_resident = factories.make_resident_user(rt, "pindah", phone="+6281344445555")
    moved_resident.status = moved_resident.Status.MOVED
    moved_resident.save()
    factories.ResidentFactory(rt=rt, phone="+6281333334444")  # in the register, no account
    return {
        "nobody's": "0813-9999-8888",
        "a switched-off account's": "081311112222",
        "an RT chair's": "081322223333",
        "a resident's who moved away": "081344445555",
        "a resident's without an account": "081333334444",
    }


def test_an_unknown_number_gets_the_same_answer_and_nothing_is_sent(client, send, rt, owner):
    known = send()
    known_page = client.get(known.url)
    console.outbox.clear()
    PasswordCode.objects.all().delete()
    Notification.objects.all().delete()

    for typed in unknown_numbers(rt).values():
        response = send(typed)
        page = client.get(response.url)

        assert (response.status_code, response.url) == (known.status_code, known.url)
        assert [str(m) for m in page.context["messages"]] == [
            str(m) for m in known_page.context["messages"]
        ]
    assert console.outbox == []
    assert not PasswordCode.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboundMessage.objects.exclude(user=owner).exists()


def test_a_request_reads_no_account_and_queues_alike(client, settings, owner):
    settings.TASKS = DATABASE_TASKS
    for typed in ("0812-3456-7890", "0813-9999-8888"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("account-code-phone"), {"phone": typed, "channel": "sms"}
            )
        assert response.url == reverse("account-code-redeem")
        # The request never reads the accounts or the register: only the worker does.
        assert not [q for q in queries if "rtkeren_user" in q["sql"] or "resident" in q["sql"]]

    queued = DBTaskResult.objects.order_by("enqueued_at", "id")
    assert [task.args_kwargs["args"] for task in queued] == [
        [NUMBER, "sms"],
        ["+6281399998888", "sms"],
    ]
    assert console.outbox == []

    run_worker()

    assert PasswordCode.objects.get().user == owner
    assert OutboundMessage.objects.get().address == NUMBER


def test_a_number_that_is_no_phone_number_is_refused_on_the_form(send, owner):
    response = send("12")

    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not PasswordCode.objects.exists()


# Rate limits.


def test_three_codes_per_number_an_hour_whoever_asks(send, owner):
    for attempt, typed in enumerate(["081234567890", "+6281234567890", "6281234567890"]):
        assert send(typed, ip=f"10.0.0.{attempt}").status_code == 302

    response = send("0812 3456 7890", ip="10.0.9.9")

    assert response.status_code == 429
    assert str(CODE_PHONE_TOO_MANY) in response.text
    assert len(console.outbox) == 3
    assert PasswordCode.objects.filter(user=owner).count() == 3


def test_ten_requests_per_address_an_hour(send, owner):
    for number in range(10):
        assert send(f"0813-1000-{number:04d}", ip="10.0.0.7").status_code == 302

    response = send(ip="10.0.0.7")

    assert response.status_code == 429
    assert str(CODE_PHONE_TOO_MANY) in response.text
    assert console.outbox == []
    assert send(ip="10.0.0.8").status_code == 302
    assert len(console.outbox) == 1


def test_the_limit_ends_after_the_hour(send, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _attempt in range(3):
            send()
        assert send().status_code == 429
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=1), tick=False):
        assert send().status_code == 302


# Redeeming.


def test_an_expired_code_is_refused(client, send, owner):
    send()
    code = the_code()

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = redeem(client, NUMBER, code)

    assert WRONG in response.text
    owner.refresh_from_db()
    assert not owner.check_password(NEW_PASSWORD)


def test_wrong_codes_are_counted_and_the_code_is_void_after_the_last_try(client, send, owner):
    send()
    code = the_code()

    assert WRONG in redeem(client, NUMBER, "ABCD EFGH").text
    assert PasswordCode.objects.get(user=owner).failed_attempts == 1
    for _attempt in range(PASSWORD_CODE_MAX_ATTEMPTS - 1):
        assert WRONG in redeem(client, NUMBER, "ABCDEFGH").text

    assert WRONG in redeem(client, NUMBER, code).text
    stored = PasswordCode.objects.get(user=owner)
    assert stored.voided_at is not None
    assert stored.failed_attempts == PASSWORD_CODE_MAX_ATTEMPTS
    owner.refresh_from_db()
    assert not owner.check_password(NEW_PASSWORD)


def test_a_code_sent_for_one_account_cannot_reset_another(client, send, rt, owner, resident):
    send()
    code = the_code()

    for login in ("warga", resident.phone or "warga"):
        assert WRONG in redeem(client, login, code).text
    resident.user.refresh_from_db()
    assert not resident.user.check_password(NEW_PASSWORD)
    assert PasswordCode.objects.get(user=owner).failed_attempts == 0
    assert redeem(client, "siti", code).status_code == 302


def test_the_chairs_codes_keep_working_for_48_hours(client, owner, rt_chair):
    code = services.password_code_issue(resident=owner.resident, by=rt_chair)

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=47)):
        assert redeem(client, NUMBER, code).status_code == 302
    assert PasswordCode.objects.get(user=owner).channel == ""


# Audit.


def test_requests_and_redeem_attempts_are_logged_without_the_code(client, send, owner, caplog):
    caplog.set_level(logging.INFO, logger="rtkeren.security")

    send(ip="10.1.2.3")
    code = the_code()
    redeem(client, NUMBER, "ABCDEFGH")
    redeem(client, NUMBER, code)
    send("0813-9999-8888")

    lines = [record.getMessage() for record in caplog.records if record.name == "rtkeren.security"]
    assert any("asked for by whatsapp to …7890, from 10.1.2.3" in line for line in lines)
    assert any(f"sent by whatsapp to …7890 for account {owner.pk}" in line for line in lines)
    assert any("wrong code. Account" in line and "1 of 5 wrong tries" in line for line in lines)
    assert any("password set" in line for line in lines)
    assert any("to …8888: no account, none sent" in line for line in lines)
    for line in lines:
        assert code not in line
        assert NUMBER not in line


def test_an_expired_code_and_too_many_tries_are_logged(client, send, owner, caplog):
    caplog.set_level(logging.INFO, logger="rtkeren.security")
    send()
    code = the_code()
    for _attempt in range(PASSWORD_CODE_MAX_ATTEMPTS):
        redeem(client, NUMBER, "ABCDEFGH")
    send()
    code = console.outbox[-1]["parameters"][0]
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        redeem(client, NUMBER, code)

    lines = [record.getMessage() for record in caplog.records if record.name == "rtkeren.security"]
    assert any("too many tries: code voided" in line for line in lines)
    assert any("expired code" in line for line in lines)


def test_admins_see_where_a_code_went_but_not_the_code(client, send, owner, admin_user):
    send(channel="sms")
    code = the_code()
    stored = PasswordCode.objects.get(user=owner)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:rtkeren_passwordcode_changelist"))

    assert listing.status_code == 200
    assert "SMS" in listing.text
    assert NUMBER in listing.text
    assert code not in listing.text
    assert stored.code_hash not in listing.text


def test_a_login_without_a_code_takes_a_hash_too(client, owner):
    """Otherwise the time of the answer says whether the number holds an open code."""
    with mock.patch.object(services, "make_password", wraps=services.make_password) as hashing:
        assert WRONG in redeem(client, "0813-9999-8888", "ABCDEFGH").text
        assert WRONG in redeem(client, NUMBER, "ABCDEFGH").text

    assert hashing.call_count == 2
