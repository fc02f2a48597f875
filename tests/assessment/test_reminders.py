"""The reminder before an evaluation window closes, and what a follow-up tells the people it
concerns."""

import datetime

import pytest

from assessment import services
from rtkeren.models import Notification, NotificationKind
from rtkeren.scheduler import jobs_run
from rtkeren.services.reminders import reminders_send
from tests import factories as core
from tests.messaging import at, whatsapp_resident, whatsapp_to, wib

from . import factories

pytestmark = pytest.mark.django_db

PHONE = "+6281234500031"


def notices(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


@pytest.fixture
def delivered(rt, period, officer):
    """Delivered on 1 December 2026 at 10.00 WIB: its 30-day window closes on 31 December."""
    with at(wib(1, 10)):
        return factories.delivered_activity(
            by=officer, days_ago=0, rt=rt, period=period, title="Pelatihan hadrah"
        )


def test_participants_who_have_not_evaluated_are_reminded_the_day_before_it_closes(
    delivered, rt, neighbour_pair
):
    waiting = whatsapp_resident(rt, "belum_menilai", PHONE)
    factories.take_part(waiting.resident, delivered)
    evaluated, entry = core.make_resident_user(rt, "sudah_menilai")
    factories.take_part(entry, delivered)
    factories.EvaluationFactory(activity=delivered, evaluator=evaluated, resident=entry)

    for moment in (wib(29, 12), wib(30, 5, 59)):
        with at(moment):
            assert reminders_send() == 0
    with at(wib(30, 6)):
        jobs_run()
    with at(wib(31, 7)):
        assert reminders_send() == 0

    assert notices(waiting, NotificationKind.EVALUATION).get().subject == delivered
    assert not notices(evaluated, NotificationKind.EVALUATION).exists()
    assert not notices(neighbour_pair, NotificationKind.EVALUATION).exists()
    [message] = whatsapp_to(PHONE)
    assert message["template"] == "rtkeren_pengingat_evaluasi"
    title, until, link = message["parameters"]
    assert (title, until) == ("Pelatihan hadrah", "31 Des. 2026, 10.00")
    assert link.endswith(f"/{delivered.pk}/")


@pytest.fixture
def neighbour_pair(rt):
    user, _entry = core.make_resident_user(rt, "tetangga")
    return user


def test_a_follow_up_tells_the_participants_when_it_opens_and_when_it_is_done(
    activity, participant, neighbour, officer, rt_chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = services.follow_up_create(
            activity=activity,
            by=officer,
            obstacle="Kain kurang.",
            action="Pokmas membeli kain tambahan.",
            owner=rt_chair,
            due_on=datetime.date.today() + datetime.timedelta(days=7),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.follow_up_update(follow_up=follow_up, by=rt_chair, status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        services.follow_up_update(
            follow_up=follow_up, by=rt_chair, status="done", resolution="Kain sudah dibeli."
        )

    told = notices(participant, NotificationKind.FOLLOW_UP)
    assert told.count() == 2
    assert all(notice.subject == follow_up for notice in told)
    assert "Kain sudah dibeli." in told.first().message  # the newest first
    assert notices(rt_chair, NotificationKind.FOLLOW_UP).count() == 1  # as its owner
    assert not notices(neighbour, NotificationKind.FOLLOW_UP).exists()
    assert not notices(officer, NotificationKind.FOLLOW_UP).exists()
