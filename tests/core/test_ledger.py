"""The participation ledger: its one writer, taking a participation back, the scorecard count."""

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from delivery.models import Implementer
from rtkeren.models import Participation, Stage
from rtkeren.services.ledger import (
    distinct_participants,
    participation_record,
    participation_remove,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(rt, period):
    return factories.ActivityFactory(rt=rt, period=period)


def test_record_takes_the_place_from_the_resident_and_the_period_from_the_activity(
    resident, other_rt, activity, officer
):
    resident.rt = other_rt  # the resident lives elsewhere than the activity
    resident.save()

    row = participation_record(
        resident=resident,
        kind="proposal_commented",
        subject=activity,
        activity=activity,
        on_behalf=True,
        recorded_by=officer,
    )

    row.refresh_from_db()
    assert (row.rt, row.kelurahan) == (other_rt, other_rt.rw.kelurahan)
    assert row.period == activity.period
    assert row.occurred_on == timezone.localdate()
    assert row.on_behalf is True
    assert row.recorded_by == officer
    assert row.subject == activity


def test_record_without_activity_finds_the_period_by_date(resident, rt):
    last_year = factories.PeriodFactory(year=timezone.localdate().year - 1)
    factories.PeriodFactory()
    day = datetime.date(last_year.year, 6, 15)

    row = participation_record(
        resident=resident,
        kind="forum_attended",
        subject=rt,
        occurred_on=day,
    )

    assert row.period == last_year
    assert row.occurred_on == day


def test_record_on_a_day_no_period_covers_goes_to_the_nearest_open_period(resident, rt):
    next_year = factories.PeriodFactory(year=2001)

    row = participation_record(
        resident=resident,
        kind="potential_recorded",
        subject=rt,
        occurred_on=datetime.date(1999, 1, 1),
    )

    assert row.period == next_year


def test_record_without_any_period_is_kept_without_one(resident, rt):
    row = participation_record(
        resident=resident,
        kind="potential_recorded",
        subject=rt,
        occurred_on=datetime.date(1999, 1, 1),
    )

    row.refresh_from_db()
    assert row.period is None
    assert row.occurred_on == datetime.date(1999, 1, 1)


def test_an_unknown_kind_is_refused_and_writes_nothing(resident, activity):
    with pytest.raises(ImproperlyConfigured, match="'comment_posted' is not registered"):
        participation_record(resident=resident, kind="comment_posted", subject=activity)

    assert not Participation.objects.exists()


@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        ("potential_recorded", Stage.COMMISSIONING),
        ("proposal_commented", Stage.DESIGNING),
        ("attended", Stage.DELIVERY),
        ("evaluation_submitted", Stage.ASSESSMENT),
    ],
)
def test_the_stage_comes_from_the_kind(resident, activity, kind, stage):
    row = participation_record(resident=resident, kind=kind, subject=activity, activity=activity)

    assert Participation.objects.get(pk=row.pk).stage == stage


def test_record_is_idempotent(resident, activity):
    first = participation_record(
        resident=resident,
        kind="vote_cast",
        subject=activity,
        activity=activity,
    )
    second = participation_record(
        resident=resident,
        kind="vote_cast",
        subject=activity,
        activity=activity,
    )

    assert second.pk == first.pk
    assert Participation.objects.count() == 1


def test_a_concurrent_duplicate_returns_the_row_already_there(resident, activity, monkeypatch):
    first = participation_record(
        resident=resident,
        kind="vote_cast",
        subject=activity,
        activity=activity,
    )
    # Another request wrote the row between our look-up and our insert.
    original_first = QuerySet.first
    calls = []

    def miss_once(queryset):
        if queryset.model is Participation and not calls:
            calls.append(queryset)
            return None
        return original_first(queryset)

    monkeypatch.setattr(QuerySet, "first", miss_once)

    second = participation_record(
        resident=resident,
        kind="vote_cast",
        subject=activity,
        activity=activity,
    )

    assert calls
    assert second.pk == first.pk
    # The failed insert was confined to its savepoint: the transaction still works.
    assert Participation.objects.count() == 1
    assert connection.needs_rollback is False


def test_minors_are_recorded_too(rt, activity):
    child = factories.ResidentFactory(rt=rt, birth_date=timezone.localdate().replace(year=2016))

    participation_record(
        resident=child,
        kind="attended",
        subject=activity,
        activity=activity,
    )

    assert Participation.objects.filter(resident=child).exists()


def test_remove_takes_back_only_that_participation(resident, activity, rt):
    participation_record(
        resident=resident,
        kind="vote_cast",
        subject=activity,
        activity=activity,
    )
    participation_record(
        resident=resident,
        kind="proposal_commented",
        subject=activity,
        activity=activity,
    )

    assert participation_remove(resident=resident, kind="vote_cast", subject=activity) == 1
    assert participation_remove(resident=resident, kind="vote_cast", subject=activity) == 0
    assert list(Participation.objects.values_list("kind", flat=True)) == ["proposal_commented"]


def test_distinct_participants_counts_residents_not_rows(
    rt, other_rt, foreign_rt, period, activity, django_assert_num_queries
):
    alice, bima = factories.ResidentFactory.create_batch(2, rt=rt)
    cahya = factories.ResidentFactory(rt=other_rt)
    dewi = factories.ResidentFactory(rt=foreign_rt)
    other_activity = factories.ActivityFactory(rt=rt, period=period)
    for resident in (alice, bima, cahya, dewi):
        participation_record(
            resident=resident,
            kind="vote_cast",
            subject=activity,
            activity=activity,
        )
    participation_record(
        resident=alice,
        kind="vote_cast",
        subject=other_activity,
        activity=other_activity,
    )
    participation_record(
        resident=bima,
        kind="attended",
        subject=activity,
        activity=activity,
    )
    next_year = factories.PeriodFactory(year=period.year + 1)

    with django_assert_num_queries(1):
        city = distinct_participants(period=period, stage=Stage.DESIGNING)

    assert city == 4
    kelurahan = rt.rw.kelurahan
    assert distinct_participants(period=period, stage=Stage.DESIGNING, kelurahan=kelurahan) == 3
    assert distinct_participants(period=period, stage=Stage.DESIGNING, rt=rt) == 2
    assert distinct_participants(period=period, stage=Stage.DELIVERY, rt=rt) == 1
    assert distinct_participants(period=period, stage=Stage.ASSESSMENT) == 0
    assert distinct_participants(period=next_year, stage=Stage.DESIGNING) == 0


def test_records_written_without_their_row_are_found(rt, period, rt_chair):
    implementer = Implementer.objects.create(
        added_by=rt_chair,
        activity=factories.ActivityFactory(rt=rt, period=period),
        resident=factories.ResidentFactory(rt=rt),
        role=Implementer.Role.TRAINER,
    )

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("ledger", "check", stdout=out)

    assert exit.value.code == 1
    output = out.getvalue()
    assert f"missing: resident={implementer.resident_id} kind=implemented" in output
    assert ContentType.objects.get_for_model(Implementer).model in output
