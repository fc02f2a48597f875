"""The reminder the day before a forum: to whom, on which day, once, by which channel."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.models import Forum
from rtkeren.channels import console
from rtkeren.models import (
    Channel,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboundMessage,
    ReminderSent,
)
from rtkeren.scheduler import jobs_run
from rtkeren.services.reminders import reminders_send
from tests import factories as core
from tests.messaging import at, whatsapp_resident, whatsapp_to, wib

from .factories import ForumFactory

pytestmark = pytest.mark.django_db

PHONE = "+6281234500001"
KEY = "forum-day-before:"


@pytest.fixture
def forum(rt, rt_chair):
    """A forum of the RT on Thursday 10 December 2026, 19.30 WIB."""
    return ForumFactory(
        rt=rt, organiser=rt_chair, date=datetime.date(2026, 12, 10), title="Musyawarah RT 002"
    )


def reminders(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.FORUM)


def test_the_residents_of_the_forums_rt_are_reminded_on_the_day_before_from_six(
    forum, resident_user, rt_chair, other_rt, outsider
):
    neighbour_elsewhere, _entry = core.make_resident_user(other_rt, "tetangga_rt_lain")

    for moment in (wib(8, 12), wib(9, 5, 59)):
        with at(moment):
            assert reminders_send() == 0
    with at(wib(9, 6)):
        assert reminders_send() == 2

    assert reminders(resident_user).count() == 1
    assert reminders(rt_chair).count() == 1
    assert not reminders(neighbour_elsewhere).exists()
    assert not reminders(outsider).exists()
    notice = reminders(resident_user).get()
    assert "Musyawarah RT 002" in notice.message
    assert "10 Des. 2026" in notice.message
    assert notice.subject == forum
    assert set(ReminderSent.objects.values_list("key", flat=True)) == {
        f"{KEY}{forum.pk}:2026-12-10"
    }


def test_not_on_the_day_itself_nor_for_a_cancelled_forum(forum, resident_user, rt):
    ForumFactory(
        rt=rt,
        date=datetime.date(2026, 12, 10),
        status=Forum.Status.CANCELLED,
        cancel_reason="Hujan deras.",
    )

    with at(wib(10, 7)):
        assert reminders_send() == 0
    with at(wib(9, 7)):
        reminders_send()

    assert [n.subject for n in reminders(resident_user)] == [forum]


def test_a_second_run_and_a_run_after_a_restart_remind_nobody_again(forum, resident_user):
    with at(wib(9, 6, 30)):
        first = reminders_send()
    with at(wib(9, 8)):
        again = reminders_send()
        call_command("scheduler", "--once")
        call_command("scheduler", "--once")

    assert first == 2
    assert again == 0
    assert reminders(resident_user).count() == 1


def test_a_moved_forum_is_reminded_of_again_for_its_new_date(forum, resident_user):
    with at(wib(9, 7)):
        reminders_send()
    Forum.objects.filter(pk=forum.pk).update(date=datetime.date(2026, 12, 12))
    with at(wib(11, 7)):
        reminders_send()

    assert reminders(resident_user).count() == 2


def test_whatsapp_carries_the_forum_template_unless_the_person_turned_forums_off(
    forum, rt, resident_user
):
    wants = whatsapp_resident(rt, "mau_wa", PHONE)
    declines = whatsapp_resident(rt, "tidak_wa", "+6281234500002")
    NotificationPreference.objects.create(
        user=declines, channel=Channel.WHATSAPP, kind=NotificationKind.FORUM, enabled=False
    )

    with at(wib(9, 9)):
        jobs_run()

    assert [(m["template"], m["parameters"]) for m in whatsapp_to(PHONE)] == [
        ("rtkeren_pengingat_forum", ["Musyawarah RT 002", "10 Des. 2026", "19.30", "Balai RT"])
    ]
    assert whatsapp_to("+6281234500002") == []
    assert reminders(declines).count() == 1  # the bell still rings
    assert reminders(wants).count() == 1


def test_a_reminder_due_at_night_waits_until_six_in_the_morning(forum, rt):
    whatsapp_resident(rt, "mau_wa", PHONE)

    with at(wib(9, 22)):  # the scheduler was down all day: it catches up at 22.00
        jobs_run()
        message = OutboundMessage.objects.get(kind=NotificationKind.FORUM)
    with at(wib(10, 5, 59)):
        jobs_run()
    night = list(console.outbox)
    with at(wib(10, 6)):
        jobs_run()

    assert message.send_after == wib(10, 6)
    assert night == []
    assert len(whatsapp_to(PHONE)) == 1


def _reminder_queries(now) -> list[str]:
    with at(now), CaptureQueriesContext(connection) as queries:
        reminders_send()
    return [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]]


def test_the_queries_do_not_grow_with_the_recipients(rt, rt_chair, period):
    ForumFactory(rt=rt, organiser=rt_chair, date=datetime.date(2026, 12, 10))
    one = _reminder_queries(wib(9, 7))

    for number in range(6):
        core.make_resident_user(rt, f"warga_{number}")
    ForumFactory(rt=rt, organiser=rt_chair, date=datetime.date(2026, 12, 11))
    many = _reminder_queries(wib(10, 7))

    assert Notification.objects.filter(kind=NotificationKind.FORUM).count() == 1 + 7
    assert (
        one
        == many
        == [
            "SELECT",  # the forums of tomorrow
            "SELECT",  # the forum's recipients who have not had the reminder
            "INSERT",  # their ReminderSent rows
            "SELECT",  # their choices of channels for forums
            "SELECT",  # their consents to WhatsApp and SMS
            "INSERT",  # the notifications
            "SELECT",  # voting rounds that opened
            "SELECT",  # voting rounds closing today
            "SELECT",  # meetings tomorrow
            "SELECT",  # activities whose window (their period's) is open
        ]
    )
