"""The city-scale data set (``seed_city``), built once for the module at a thousandth of its size
(one RT of 150 residents) and rolled back after it."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef

from assessment import city as assessment_city
from assessment.models import Evaluation, ForumAttendance, Side
from commissioning import city as commissioning_city
from commissioning.models import Attendance as ForumPresence
from commissioning.models import Endorsement, Forum, Potential
from delivery import city as delivery_city
from delivery.models import Attendance, Implementer, Meeting
from designing import city as designing_city
from designing.models import Comment, Vote, VotingRound
from rtkeren import city, demo
from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    BaseEntry,
    Participation,
    Period,
    Resident,
)
from rtkeren.services.base import base_differences, expected_base
from rtkeren.services.ledger_sync import ledger_differences

SCALE = 0.001

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    output = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_city", "--scale", str(SCALE), "--no-demo", "--force", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def scaled(full: int) -> int:
    return city.scaled(full, SCALE)


def test_it_builds_the_counts_it_promises(built):
    delivered = Activity.objects.filter(
        status__in=[ActivityStatus.DELIVERED, ActivityStatus.EVALUATED]
    )

    assert scaled(city.RESIDENTS) == 150
    assert Resident.objects.count() == scaled(city.RESIDENTS)
    assert RT.objects.count() == city.RTS
    assert Period.objects.count() == city.PERIODS
    assert Potential.objects.count() == scaled(commissioning_city.POTENTIALS)
    assert Endorsement.objects.count() == scaled(commissioning_city.ENDORSEMENTS)
    assert Forum.objects.count() == scaled(commissioning_city.FORUMS)
    assert ForumPresence.objects.count() == scaled(commissioning_city.FORUM_ATTENDANCES)
    assert Activity.objects.count() == scaled(designing_city.PROPOSALS)
    assert Comment.objects.count() == scaled(designing_city.COMMENTS)
    assert Vote.objects.count() == scaled(designing_city.VOTES)
    assert delivered.count() == scaled(designing_city.DELIVERED)
    assert Meeting.objects.count() == scaled(delivery_city.MEETINGS)
    assert Attendance.objects.count() == scaled(delivery_city.ATTENDANCES)
    assert Evaluation.objects.count() == scaled(assessment_city.EVALUATIONS)
    assert "150 residents in 1 RTs" in built


def test_every_period_has_proposals_and_delivered_activities(built):
    for period in Period.objects.all():
        activities = Activity.objects.filter(period=period)
        assert activities.count() == scaled(designing_city.PROPOSALS) // city.PERIODS
        assert activities.filter(
            status__in=[ActivityStatus.DELIVERED, ActivityStatus.EVALUATED]
        ).exists()


def test_the_ledger_matches_the_records(built):
    by_kind = dict(
        Participation.objects.values("kind").annotate(rows=Count("pk")).values_list("kind", "rows")
    )
    expected = {
        "potential_recorded": Potential.objects.count(),
        "potential_endorsed": Endorsement.objects.count(),
        "forum_attended": ForumPresence.objects.count(),
        "activity_proposed": Activity.objects.exclude(status=ActivityStatus.DRAFT).count(),
        "proposal_commented": Comment.objects.values("author__resident", "activity")
        .distinct()
        .count(),
        "vote_cast": Vote.objects.values("round", "resident").distinct().count(),
        "implemented": Implementer.objects.count(),
        "attended": Attendance.objects.count(),
        "evaluation_submitted": Evaluation.objects.filter(side=Side.COMMUNITY).count(),
        "evaluation_forum_attended": ForumAttendance.objects.count(),
    }

    assert by_kind == expected
    assert all(expected.values())
    # Every row places the resident where they live, and an activity's rows in its period.
    assert not Participation.objects.exclude(rt=F("resident__rt")).exists()
    assert not Participation.objects.exclude(kelurahan=F("rt__rw__kelurahan")).exists()
    assert (
        not Participation.objects.filter(activity__isnull=False)
        .exclude(period=F("activity__period"))
        .exists()
    )
    # Row for row, as the stage records call for (``manage.py ledger check``).
    assert ledger_differences().lines() == []


def test_every_period_has_its_base_and_every_participant_is_in_it(built):
    periods = list(Period.objects.all())

    assert len(periods) == city.PERIODS
    for period in periods:
        assert BaseEntry.objects.filter(period=period).count() == len(expected_base(period))
        assert expected_base(period)
    assert base_differences().lines() == []
    # The city writes rows only for residents of its base, so no rate passes 100%.
    outside = Participation.objects.exclude(
        Exists(
            BaseEntry.objects.filter(
                period=OuterRef("period"), resident=OuterRef("resident"), rt=OuterRef("rt")
            )
        )
    )
    assert not outside.exists()


def test_the_demo_rt_holds_the_pages_the_benchmark_reads(built):
    demo_rt = RT.objects.get(rw__kelurahan__code=demo.BLITAR, rw__number=7, number=2)
    current = Period.objects.get(is_open=True)
    open_round = VotingRound.objects.get(rt=demo_rt, period=current, results_announced_at=None)
    discussed = (
        open_round.proposals.annotate(comment_total=Count("comments"))
        .order_by("-comment_total")
        .first()
    )
    # Delivered within its evaluation window: the delivery page shows it.
    delivered = Activity.objects.get(rt=demo_rt, period=current, status=ActivityStatus.DELIVERED)

    assert open_round.is_open
    assert discussed.comment_total == min(
        designing_city.SHOWCASE_COMMENTS, scaled(designing_city.COMMENTS)
    )
    assert delivered.meetings.count() == delivery_city.SHOWCASE_MEETINGS


def test_it_refuses_a_database_that_already_holds_the_city(built):
    with pytest.raises(CommandError, match="already holds the city"):
        call_command("seed_city", "--scale", str(SCALE), "--force", stdout=io.StringIO())


def test_the_accounts_it_creates_belong_to_their_residents(built):
    linked = Resident.objects.filter(user__isnull=False).select_related("user", "rt")

    assert (
        linked.count()
        == city.ACCOUNTS_PER_RT * RT.objects.filter(residents__isnull=False).distinct().count()
    )
    assert all(resident.user.is_active for resident in linked)
    assert all(resident.status == Resident.Status.ACTIVE for resident in linked)
