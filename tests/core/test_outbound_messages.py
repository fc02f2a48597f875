"""Messages to phones: where a notification goes, the quiet hours, retries and deduplication."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rtkeren.channels import PermanentFailure, TemporaryFailure, console
from rtkeren.models import Channel, Consent, Notification, NotificationKind, OutboundMessage
from rtkeren.models import NotificationPreference as Preference
from rtkeren.services import messages
from rtkeren.services.notifications import NOTIFICATION_TEMPLATE
from rtkeren.services.notifications import notification_send as _notification_send
from rtkeren.services.privacy import consent_give, consent_withdraw
from tests import factories

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
MORNING = datetime(2026, 12, 4, 9, 0, tzinfo=WIB)
NIGHT = datetime(2026, 12, 4, 22, 30, tzinfo=WIB)
PHONE = "+6281234567890"


@pytest.fixture(autouse=True)
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (queueing the worker's task) as each change commits."""

    def committing(function):
        def run(*args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return function(*args, **kwargs)

        return run

    global notification_send, queue
    notification_send = committing(_notification_send)
    queue = committing(messages.message_queue)


@pytest.fixture
def resident_user():
    user, resident = factories.make_resident_user(factories.RTFactory(), phone=PHONE)
    user.email = ""
    user.save(update_fields=["email"])
    return user, resident


def whatsapp_on(user, resident):
    consent_give(resident=resident, purpose=Consent.Purpose.WHATSAPP, by=user)


@pytest.mark.parametrize(
    ("local", "until"),
    [
        (datetime(2026, 12, 4, 20, 59, tzinfo=WIB), None),
        (datetime(2026, 12, 4, 21, 0, tzinfo=WIB), datetime(2026, 12, 5, 6, 0, tzinfo=WIB)),
        (datetime(2026, 12, 4, 23, 59, tzinfo=WIB), datetime(2026, 12, 5, 6, 0, tzinfo=WIB)),
        (datetime(2026, 12, 5, 0, 0, tzinfo=WIB), datetime(2026, 12, 5, 6, 0, tzinfo=WIB)),
        (datetime(2026, 12, 5, 5, 59, tzinfo=WIB), datetime(2026, 12, 5, 6, 0, tzinfo=WIB)),
        (datetime(2026, 12, 5, 6, 0, tzinfo=WIB), None),
    ],
)
def test_quiet_hours_are_21_to_06_wib(local, until):
    # Given in UTC, as the server's clock is: the hour that counts is Jakarta's.
    assert messages.quiet_until(local.astimezone(ZoneInfo("UTC"))) == until


def test_a_notification_goes_by_whatsapp_only_with_consent(resident_user):
    user, resident = resident_user
    with time_machine.travel(MORNING, tick=False):
        notification_send(recipients=[user], message="Forum besok", kind=NotificationKind.FORUM)
        assert console.outbox == []
        whatsapp_on(user, resident)
        notification_send(
            recipients=[user], message="Forum lusa", url="/forum/1/", kind=NotificationKind.FORUM
        )
    assert [(m["channel"], m["to"], m["template"]) for m in console.outbox] == [
        (Channel.WHATSAPP, PHONE, NOTIFICATION_TEMPLATE)
    ]
    assert console.outbox[0]["parameters"][0] == "Forum lusa"
    assert console.outbox[0]["parameters"][1].endswith("/forum/1/")
    message = OutboundMessage.objects.get()
    assert (message.status, message.kind, message.attempts) == (
        OutboundMessage.Status.SENT,
        NotificationKind.FORUM,
        1,
    )


def test_a_kind_turned_off_stays_off_on_that_channel_only(resident_user):
    user, resident = resident_user
    whatsapp_on(user, resident)
    Preference.objects.create(
        user=user, channel=Channel.WHATSAPP, kind=NotificationKind.VOTE, enabled=False
    )
    Preference.objects.create(
        user=user, channel=Channel.BELL, kind=NotificationKind.FORUM, enabled=False
    )
    with time_machine.travel(MORNING, tick=False):
        notification_send(recipients=[user], message="Voting", kind=NotificationKind.VOTE)
        notification_send(recipients=[user], message="Forum", kind=NotificationKind.FORUM)
    assert [m["text"].split("\n")[0] for m in console.outbox] == ["RT Keren: Forum"]
    # The bell turned off keeps the notification, already read; the vote still rings it.
    assert {n.message: n.read_at is None for n in Notification.objects.all()} == {
        "Voting": True,
        "Forum": False,
    }


def test_account_messages_always_ring_the_bell(resident_user):
    user, _resident = resident_user
    Preference.objects.create(
        user=user, channel=Channel.BELL, kind=NotificationKind.ACCOUNT, enabled=False
    )
    notification_send(recipients=[user], message="Akun", kind=NotificationKind.ACCOUNT)
    assert Notification.objects.get().read_at is None


def test_at_night_a_message_waits_until_six(resident_user):
    user, resident = resident_user
    whatsapp_on(user, resident)
    with time_machine.travel(NIGHT, tick=False):
        notification_send(recipients=[user], message="Forum", kind=NotificationKind.FORUM)
        assert messages.outbound_messages_dispatch() == 0
    assert console.outbox == []
    message = OutboundMessage.objects.get()
    assert message.send_after == datetime(2026, 12, 5, 6, 0, tzinfo=WIB)
    with time_machine.travel(datetime(2026, 12, 5, 5, 59, tzinfo=WIB), tick=False):
        assert messages.outbound_messages_dispatch() == 0
    with time_machine.travel(datetime(2026, 12, 5, 6, 0, tzinfo=WIB), tick=False):
        assert messages.outbound_messages_dispatch() == 1
    assert len(console.outbox) == 1
    # Sent once: a second sweep finds nothing due.
    with time_machine.travel(datetime(2026, 12, 5, 7, 0, tzinfo=WIB), tick=False):
        assert messages.outbound_messages_dispatch() == 0
    assert len(console.outbox) == 1


def test_an_urgent_message_goes_at_night(resident_user):
    user, _resident = resident_user
    with time_machine.travel(NIGHT, tick=False):
        queue(
            user=user,
            channel=Channel.SMS,
            kind=NotificationKind.ACCOUNT,
            address=PHONE,
            text="Kode",
            urgent=True,
        )
    assert [m["text"] for m in console.outbox] == ["Kode"]


def test_the_digest_holds_messages(resident_user):
    user, resident = resident_user
    whatsapp_on(user, resident)
    user.notification_digest = True
    user.save(update_fields=["notification_digest"])
    with time_machine.travel(MORNING, tick=False):
        notification_send(recipients=[user], message="Forum", kind=NotificationKind.FORUM)
        assert messages.outbound_messages_dispatch() == 0
    assert console.outbox == []
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.HELD


def test_a_deduplicated_message_is_queued_once(resident_user):
    user, resident = resident_user
    consent_give(resident=resident, purpose=Consent.Purpose.SMS, by=user)
    arguments = {
        "user": user,
        "channel": Channel.SMS,
        "kind": NotificationKind.FORUM,
        "address": PHONE,
        "text": "Pengingat",
        "dedupe_key": "forum-day-before:1",
    }
    with time_machine.travel(MORNING, tick=False):
        assert queue(**arguments) is not None
        assert queue(**arguments) is None
    assert OutboundMessage.objects.count() == 1
    assert len(console.outbox) == 1


class Failing:
    """An adapter that fails as told, then succeeds."""

    failures: list[Exception] = []

    def send(self, message):
        if Failing.failures:
            raise Failing.failures.pop(0)
        return "ok-1"


@pytest.fixture
def failing(settings, resident_user):
    user, resident = resident_user
    consent_give(resident=resident, purpose=Consent.Purpose.SMS, by=user)
    settings.MESSAGE_ADAPTERS = {**settings.MESSAGE_ADAPTERS, "sms": f"{__name__}.Failing"}
    yield Failing
    Failing.failures = []


def queue_sms(user, now):
    with time_machine.travel(now, tick=False):
        return queue(
            user=user,
            channel=Channel.SMS,
            kind=NotificationKind.FORUM,
            address=PHONE,
            text="Tes",
        )


def test_temporary_failures_are_retried_with_backoff_then_fail(resident_user, failing):
    user, _resident = resident_user
    failing.failures = [TemporaryFailure("502")] * 4
    with time_machine.travel(MORNING, tick=False):
        message = queue_sms(user, MORNING)
    message.refresh_from_db()
    seen = [(message.status, message.attempts)]
    moment = MORNING
    for delay in messages.RETRY_DELAYS:
        assert message.send_after == moment + delay
        # Not before its time.
        assert (
            messages.outbound_message_attempt(message.pk, message.send_after - timedelta(1)) == ""
        )
        moment = message.send_after
        messages.outbound_message_attempt(message.pk, moment)
        message.refresh_from_db()
        seen.append((message.status, message.attempts))
    assert seen == [
        ("queued", 1),
        ("queued", 2),
        ("queued", 3),
        ("failed", 4),
    ]
    assert message.last_error == "502"
    assert message.sent_at is None


def test_a_temporary_failure_then_success(resident_user, failing):
    user, _resident = resident_user
    failing.failures = [TemporaryFailure("timeout")]
    message = queue_sms(user, MORNING)
    messages.outbound_message_attempt(message.pk, MORNING + messages.RETRY_DELAYS[0])
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id, message.last_error) == (
        "sent",
        2,
        "ok-1",
        "",
    )


def test_a_permanent_failure_is_not_retried(resident_user, failing):
    user, _resident = resident_user
    failing.failures = [PermanentFailure("400: invalid number")]
    message = queue_sms(user, MORNING)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert messages.outbound_messages_dispatch(MORNING + timedelta(days=1)) == 0


def test_consent_withdrawn_before_sending_cancels(resident_user):
    user, resident = resident_user
    whatsapp_on(user, resident)
    with time_machine.travel(NIGHT, tick=False):
        notification_send(recipients=[user], message="Forum", kind=NotificationKind.FORUM)
        consent_withdraw(resident=resident, purpose=Consent.Purpose.WHATSAPP, by=user)
    with time_machine.travel(datetime(2026, 12, 5, 6, 0, tzinfo=WIB), tick=False):
        messages.outbound_messages_dispatch()
    assert console.outbox == []
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.CANCELLED


def test_a_code_asked_for_is_not_kept_once_sent(resident_user):
    user, _resident = resident_user
    with time_machine.travel(MORNING, tick=False):
        message = queue(
            user=user,
            channel=Channel.SMS,
            kind=NotificationKind.ACCOUNT,
            address=PHONE,
            text="Kode Anda: ABCD-EFGH",
            template="rtkeren_kode_sandi",
            parameters=["ABCD-EFGH"],
            urgent=True,
        )
    assert console.outbox[0]["parameters"] == ["ABCD-EFGH"]
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert (message.text, message.parameters) == (messages.REDACTED, [])


def test_a_notification_to_many_is_one_insert_of_messages(resident_user):
    user, resident = resident_user
    users = [user]
    whatsapp_on(user, resident)
    for number in range(5):
        other, neighbour = factories.make_resident_user(
            resident.rt, phone=f"+62812345678{number:02d}"
        )
        whatsapp_on(other, neighbour)
        users.append(other)
    with time_machine.travel(MORNING, tick=False), CaptureQueriesContext(connection) as queries:
        notification_send(recipients=users, message="Forum", kind=NotificationKind.FORUM)
    inserts = [
        q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "rtkeren_outboundmessage"')
    ]
    assert len(inserts) == 1
    assert len(console.outbox) == 6
    assert {m["to"] for m in console.outbox} == {u.resident.phone for u in users}
