"""The reminder the day before a meeting: to the activity's implementers and participants."""

import datetime

import pytest

from rtkeren.models import ActivityStatus, Notification, NotificationKind
from rtkeren.scheduler import jobs_run
from rtkeren.services.reminders import reminders_send
from tests import factories as core
from tests.messaging import at, whatsapp_resident, whatsapp_to, wib

from .factories import AttendanceFactory, ImplementerFactory, MeetingFactory, approved_activity

pytestmark = pytest.mark.django_db

PHONE = "+6281234500021"


def meeting_notices(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.MEETING)


@pytest.fixture
def activity(rt):
    return approved_activity(rt, status=ActivityStatus.IN_DELIVERY, title="Pelatihan membatik")


def test_implementers_and_participants_are_reminded_on_the_day_before(
    activity, rt, resident_user, rt_chair
):
    implementer = whatsapp_resident(rt, "pelaksana", PHONE)
    ImplementerFactory(activity=activity, resident=implementer.resident)
    attendee, entry = core.make_resident_user(rt, "peserta")
    AttendanceFactory(meeting=MeetingFactory(activity=activity, date=wib(1).date()), resident=entry)
    meeting = MeetingFactory(
        activity=activity, title="Mewarnai kain", date=datetime.date(2026, 12, 10)
    )

    for moment in (wib(8, 12), wib(9, 5)):
        with at(moment):
            assert reminders_send() == 0
    with at(wib(9, 6)):
        jobs_run()
    with at(wib(9, 15)):
        assert reminders_send() == 0
    with at(wib(10, 7)):
        assert reminders_send() == 0

    assert meeting_notices(implementer).get().subject == meeting
    assert meeting_notices(attendee).count() == 1
    assert not meeting_notices(resident_user).exists()  # in the RT, not in the activity
    assert not meeting_notices(rt_chair).exists()
    assert [(m["template"], m["parameters"]) for m in whatsapp_to(PHONE)] == [
        (
            "rtkeren_pengingat_pertemuan",
            ["Pelatihan membatik: Mewarnai kain", "10 Des. 2026", "19.00", "Balai RT"],
        )
    ]


def test_no_reminder_for_a_meeting_of_a_cancelled_activity(rt):
    activity = approved_activity(rt, status=ActivityStatus.CANCELLED, decision_reason="Tidak jadi.")
    implementer, entry = core.make_resident_user(rt, "pelaksana")
    ImplementerFactory(activity=activity, resident=entry)
    MeetingFactory(activity=activity, date=datetime.date(2026, 12, 10))

    with at(wib(9, 7)):
        assert reminders_send() == 0
