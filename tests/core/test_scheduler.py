"""The scheduler: every job each run, one failing job does not stop the others; the daily
digest of what was held for those who chose one."""

import pytest
from django.core import mail
from django.core.management import call_command

from rtkeren import scheduler
from rtkeren.channels import console
from rtkeren.models import Notification, NotificationKind, OutboundMessage, ReminderSent
from rtkeren.registry import Reminder, reminder_providers
from rtkeren.services.digests import digests_queue
from rtkeren.services.notifications import notification_send
from rtkeren.services.reminders import reminders_send
from tests import factories
from tests.messaging import at, whatsapp_resident, whatsapp_to, wib

pytestmark = pytest.mark.django_db

PHONE = "+6281234500009"
HELD, IN_DIGEST = OutboundMessage.Status.HELD, OutboundMessage.Status.IN_DIGEST


# The command.


def test_once_runs_every_job_and_a_failing_job_does_not_stop_the_others(monkeypatch):
    ran = []

    def failing(now):
        ran.append("failing")
        raise RuntimeError("the database went away")

    def recording(name):
        def job(now):
            ran.append(name)
            return 0

        return job

    jobs = [("first", failing)] + [(name, recording(name)) for name, _job in scheduler.JOBS]
    monkeypatch.setattr(scheduler, "JOBS", jobs)

    with pytest.raises(SystemExit) as exit_:
        call_command("scheduler", "--once")

    assert exit_.value.code == 1
    assert ran == ["failing", "reminders", "daily digest", "outbound messages"]


def test_once_exits_quietly_when_every_job_succeeds(capsys):
    call_command("scheduler", "--once")

    assert capsys.readouterr().out == ""


def test_the_dispatch_sends_a_message_held_back_by_the_quiet_hours_in_the_morning(rt):
    user = whatsapp_resident(rt, "warga_wa", PHONE)
    with at(wib(8, 23)):
        notification_send(recipients=[user], message="Rapat RT besok.")
        scheduler.jobs_run()
    at_night = whatsapp_to(PHONE)
    with at(wib(9, 6)):
        done = scheduler.jobs_run()

    assert at_night == []
    assert done["outbound messages"] == 1
    assert [m["parameters"][0] for m in whatsapp_to(PHONE)] == ["Rapat RT besok."]


# The daily digest.


@pytest.fixture
def digest_user(rt):
    user = whatsapp_resident(rt, "ringkasan", PHONE)
    user.email, user.notification_digest = "ringkasan@example.com", True
    user.save()
    return user


def _three_notifications(user):
    for number in range(3):
        notification_send(
            recipients=[user], message=f"Pemberitahuan {number}", kind=NotificationKind.FORUM
        )


def test_held_messages_become_one_digest_per_channel_once_from_seven(digest_user):
    with at(wib(8, 10)):
        _three_notifications(digest_user)
        scheduler.jobs_run()
    held = OutboundMessage.objects.filter(status=HELD)
    assert held.count() == 6  # WhatsApp and e-mail, nothing sent yet
    assert console.outbox == []
    assert mail.outbox == []

    with at(wib(9, 6, 59)):
        assert digests_queue() == 0
    with at(wib(9, 7)):
        scheduler.jobs_run()
        scheduler.jobs_run()
        assert digests_queue() == 0

    assert OutboundMessage.objects.filter(status=IN_DIGEST).count() == 6
    assert [(m["template"], m["parameters"][0]) for m in whatsapp_to(PHONE)] == [
        ("rtkeren_ringkasan_harian", "3")
    ]
    assert whatsapp_to(PHONE)[0]["parameters"][1].endswith("/notifikasi/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ringkasan@example.com"]
    for number in range(3):
        assert f"- Pemberitahuan {number}" in mail.outbox[0].body


def test_what_is_held_after_the_days_digest_waits_for_the_next_one(digest_user):
    with at(wib(8, 10)):
        _three_notifications(digest_user)
    with at(wib(9, 7)):
        digests_queue()
    with at(wib(9, 10)):
        notification_send(recipients=[digest_user], message="Terlambat", kind=NotificationKind.VOTE)
        assert digests_queue() == 0
    assert OutboundMessage.objects.filter(status=HELD).count() == 2

    with at(wib(10, 7)):
        assert digests_queue() == 2

    assert OutboundMessage.objects.filter(status=HELD).count() == 0


def test_each_person_gets_their_own_digest(rt, digest_user):
    other = whatsapp_resident(rt, "ringkasan2", "+6281234500008")
    other.notification_digest = True
    other.save()
    someone = factories.UserFactory()  # no digest: nothing held
    with at(wib(8, 10)):
        _three_notifications(digest_user)
        notification_send(recipients=[other, someone], message="Satu saja")

    with at(wib(9, 7)):
        scheduler.jobs_run()

    assert [m["parameters"][0] for m in whatsapp_to("+6281234500008")] == ["1"]
    assert [m["parameters"][0] for m in whatsapp_to(PHONE)] == ["3"]


# Reminders, as the core sends what the providers say is due.


@pytest.fixture
def providers():
    """Providers registered for one test, taken out afterwards."""
    added = []

    def register(name, provider):
        reminder_providers.register(name)(provider)
        added.append(name)

    yield register
    for name in added:
        reminder_providers.unregister(name)


def test_a_failing_provider_or_reminder_does_not_stop_the_others(providers, rt):
    first, second = factories.UserFactory(), factories.UserFactory()

    def broken_provider(now):
        raise RuntimeError("provider broke")

    def provider(now):
        return [
            Reminder(key="test-broken", recipients=[first], message=lambda: 1 / 0, kind="vote"),
            Reminder(key="test-ok", recipients=[first, second], message="Ingat!", kind="vote"),
        ]

    providers("test.broken", broken_provider)
    providers("test.ok", provider)

    with at(wib(8, 10)):
        assert reminders_send() == 2
        assert reminders_send() == 0

    assert sorted(ReminderSent.objects.values_list("key", "user")) == [
        ("test-ok", first.pk),
        ("test-ok", second.pk),
    ]
    assert Notification.objects.filter(kind=NotificationKind.VOTE).count() == 2
