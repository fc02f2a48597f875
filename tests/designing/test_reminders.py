"""The voting reminders: the morning a round closes, to those who have not voted; a round
scheduled ahead is announced when it opens; the notices are of the kind "votes"."""

import datetime

import pytest

from designing import services
from rtkeren.models import Notification, NotificationKind
from rtkeren.scheduler import jobs_run
from rtkeren.services.reminders import reminders_send
from tests import factories as core
from tests.messaging import at, whatsapp_resident, whatsapp_to, wib

from .factories import VoteFactory, VotingRoundFactory, proposal

pytestmark = pytest.mark.django_db

PHONE = "+6281234500011"


def votes_notices(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.VOTE)


@pytest.fixture
def voting_round(rt, period):
    """Open since 1 December, closing on 9 December 2026 at 20.00 WIB."""
    return VotingRoundFactory(
        rt=rt,
        period=period,
        title="Pemilihan usulan 2027",
        opens_at=wib(1),
        closes_at=wib(9, 20),
        created_at=wib(1),
        proposals=[proposal(rt=rt, period=period)],
    )


def test_the_morning_a_round_closes_those_who_have_not_voted_are_reminded(
    voting_round, rt, resident_user, rt_chair, outsider
):
    voter, entry = core.make_resident_user(rt, "sudah_memilih")
    VoteFactory(round=voting_round, activity=voting_round.proposals.get(), resident=entry)

    for moment in (wib(8, 12), wib(9, 5, 59)):
        with at(moment):
            assert reminders_send() == 0
    with at(wib(9, 6)):
        assert reminders_send() == 2
    with at(wib(9, 12)):
        assert reminders_send() == 0
    with at(wib(9, 20)):  # closed
        assert reminders_send() == 0

    assert votes_notices(resident_user).count() == 1
    assert votes_notices(rt_chair).count() == 1
    assert not votes_notices(voter).exists()
    assert not votes_notices(outsider).exists()
    assert "Pemilihan usulan 2027" in votes_notices(resident_user).get().message


def test_a_round_closing_tomorrow_or_cancelled_is_not_reminded_of_today(voting_round, rt):
    whatsapp_resident(rt, "warga_wa", PHONE)
    voting_round.closes_at = wib(10, 20)
    voting_round.save()
    cancelled = VotingRoundFactory(
        rt=rt,
        opens_at=wib(1),
        closes_at=wib(9, 20),
        created_at=wib(1),
        cancelled_at=wib(2),
        cancelled_by=voting_round.opened_by,
        cancel_reason="Usulan belum lengkap.",
    )

    with at(wib(9, 8)):
        assert jobs_run()["reminders"] == 0
    with at(wib(10, 8)):
        assert jobs_run()["reminders"] == 1

    assert [m["template"] for m in whatsapp_to(PHONE)] == ["rtkeren_pengingat_voting"]
    assert cancelled.cancelled_at is not None


def test_the_whatsapp_reminder_names_the_round_its_rt_its_closing_time_and_link(voting_round, rt):
    whatsapp_resident(rt, "warga_wa", PHONE)

    with at(wib(9, 7)):
        jobs_run()

    [message] = whatsapp_to(PHONE)
    title, closes, link = message["parameters"]
    assert title == "Pemilihan usulan 2027 (RT 002 / RW 007)"
    assert closes == "20.00"
    assert link.endswith(f"/{voting_round.pk}/")


def test_a_round_scheduled_ahead_is_announced_once_when_it_opens(rt, period, resident_user):
    with at(wib(5, 10)):
        scheduled = VotingRoundFactory(
            rt=rt, period=period, opens_at=wib(8, 8), closes_at=wib(15, 20)
        )
    with at(wib(8, 7, 59)):
        reminders_send()
    assert not votes_notices(resident_user).exists()

    with at(wib(8, 8)):
        reminders_send()
    with at(wib(8, 9)):
        reminders_send()

    assert [n.subject for n in votes_notices(resident_user)] == [scheduled]


def test_opening_a_round_tells_the_residents_with_a_votes_notice(
    rt, period, officer, resident_user, django_capture_on_commit_callbacks
):
    activity = proposal(rt=rt, period=period)
    now = datetime.datetime.now(datetime.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        services.round_open(
            by=officer,
            place=rt,
            period=period,
            title="Pemilihan",
            opens_at=now,
            closes_at=now + datetime.timedelta(days=3),
            votes_per_resident=1,
            proposals=[activity],
        )

    assert votes_notices(resident_user).count() == 1
