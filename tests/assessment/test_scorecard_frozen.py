"""A closed period's scorecard is frozen: stored for every scope when it closes, and read from
the stored rows afterwards, whatever is recorded or changed later."""

import factory
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from assessment import scorecard, services
from assessment.models import FrozenScorecard, Side
from assessment.scorecard import Scope
from rtkeren.models import RT, Kelurahan, Period, Resident, Stage
from rtkeren.services.ledger import participation_record
from rtkeren.services.periods import period_close
from tests import factories as core

from .factories import EvaluationFactory, delivered_activity

pytestmark = pytest.mark.django_db


def _adults(rt, count):
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=80)
    return [core.ResidentFactory(rt=rt, birth_date=birth_date) for _ in range(count)]


def _attend(resident, activity, **fields):
    return participation_record(
        resident=resident,
        kind="attended",
        subject=activity,
        activity=activity,
        **fields,
    )


@pytest.fixture
def year(rt, other_rt, foreign_rt, period, officer):
    """A year in which 2 of 10 residents of ``rt`` attended (one recorded on their behalf) and
    one resident and one officer evaluated."""
    residents = _adults(rt, 10)
    _adults(other_rt, 4)
    _adults(foreign_rt, 3)
    activity = delivered_activity(by=officer, rt=rt, period=period)
    _attend(residents[0], activity)
    _attend(residents[1], activity, on_behalf=True)
    EvaluationFactory(activity=activity, resident=residents[0])
    EvaluationFactory(activity=activity, side=Side.GOVERNMENT)
    return activity


def _shown(rt, period):
    """What each reading of the scorecard shows of ``rt``'s co-delivery in ``period``."""
    period = Period.objects.get(pk=period.pk)
    kelurahan = rt.rw.kelurahan
    card = scorecard.scorecard(scope=Scope(kelurahan=kelurahan, rt=rt), period=period)
    (row,) = [
        c for c in scorecard.compare_rts(kelurahan=kelurahan, period=period) if c.key[1] == rt
    ]
    (trend,) = scorecard.across_periods(scope=Scope(rt=rt), periods=[period])
    (city_row,) = [
        c for c in scorecard.compare_kelurahan(period=period) if c.key[1].pk == kelurahan.pk
    ]
    return [
        (
            shown.base,
            shown.result(Stage.DELIVERY).participants,
            shown.result(Stage.DELIVERY).own,
            shown.result(Stage.DELIVERY).threshold,
            shown.result(Stage.DELIVERY).met,
        )
        for shown in (card, row, trend, city_row)
    ]


def test_closing_stores_the_city_every_kelurahan_and_every_rt(
    admin_user, year, period, rt, other_rt, foreign_rt, kelurahan, foreign_kelurahan
):
    period_close(period=period, by=admin_user)

    rows = FrozenScorecard.objects.filter(period=period)
    assert rows.count() == 1 + Kelurahan.objects.count() + RT.objects.count()
    city = rows.get(kelurahan__isnull=True, rt__isnull=True)
    assert (city.base, city.delivery, city.delivery_own) == (17, 2, 1)
    assert (city.community_evaluations, city.government_evaluations) == (1, 1)
    assert rows.get(kelurahan=kelurahan).base == 14
    assert rows.get(kelurahan=foreign_kelurahan).base == 3
    mine = rows.get(rt=rt)
    assert (mine.base, mine.delivery, mine.delivery_own, mine.threshold_delivery) == (10, 2, 1, 10)
    assert (mine.definition, mine.frozen_at) == (scorecard.DEFINITION, city.frozen_at)
    assert rows.get(rt=other_rt).delivery == 0
    period.refresh_from_db()
    assert (period.is_open, period.closed_by) == (False, admin_user)


def test_freezing_takes_a_constant_number_of_queries(admin_user, year, period, kelurahan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Period.objects.filter(pk=period.pk).update(is_open=False)
    period.refresh_from_db()

    def freeze() -> int:
        FrozenScorecard.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            assert services.scorecard_freeze(period=period)
        return len(captured)

    few = freeze()
    for _ in range(5):
        _adults(core.RTFactory(rw=core.RWFactory(kelurahan=kelurahan)), 2)

    assert freeze() == few


def test_later_records_and_thresholds_do_not_change_a_closed_scorecard(
    admin_user, year, period, rt, officer
):
    before = _shown(rt, period)
    period_close(period=period, by=admin_user)

    late = _adults(rt, 3)
    for resident in late:
        _attend(resident, year)
    first_attendee = Resident.objects.filter(rt=rt).order_by("pk")[:1]
    Resident.objects.filter(pk__in=first_attendee).update(status="deceased")
    services.period_thresholds_set(period=period, by=admin_user, thresholds={"delivery": 50})

    assert _shown(rt, period) == before
    assert before[0] == (10, 2, 1, 10, True)
    shown = scorecard.scorecard(scope=Scope(rt=rt), period=Period.objects.get(pk=period.pk))
    assert shown.frozen_at is not None
    assert shown.definition == scorecard.DEFINITION


def test_the_page_says_when_it_was_frozen(client, admin_user, officer, year, period, rt):
    period_close(period=period, by=admin_user)
    client.force_login(officer)

    content = client.get(reverse("assessment:scorecard-rt", args=[rt.pk])).content.decode()
    trend = client.get(
        reverse("assessment:scorecard-rt", args=[rt.pk]) + "?view=periods"
    ).content.decode()

    assert "Dibekukan pada" in content
    assert f"(definisi {scorecard.DEFINITION})" in content
    assert "Dibekukan pada" in trend


def test_a_closed_period_without_rows_is_live_with_a_note_until_frozen_by_command(
    client, officer, year, period, rt
):
    Period.objects.filter(pk=period.pk).update(is_open=False)
    client.force_login(officer)
    url = reverse("assessment:scorecard-rt", args=[rt.pk])

    card = scorecard.scorecard(scope=Scope(rt=rt), period=Period.objects.get(pk=period.pk))
    assert (card.frozen_at, card.unfrozen_closed) == (None, True)
    assert "tidak disimpan saat ditutup" in client.get(url).content.decode()

    call_command("scorecard", "freeze", "--year", str(period.year))
    call_command("scorecard", "freeze", "--year", str(period.year))

    assert FrozenScorecard.objects.filter(period=period, rt=rt).count() == 1
    assert "Dibekukan pada" in client.get(url).content.decode()


def test_the_command_refuses_an_open_period(period):
    with pytest.raises(CommandError):
        call_command("scorecard", "freeze", "--year", str(period.year))
    assert not FrozenScorecard.objects.exists()


def test_closed_scorecard_pages_keep_flat_query_counts(
    client, city_viewer, admin_user, kelurahan, rt, other_rt, period, officer, year
):
    """A closed period is read from one stored row per place, whatever the data behind it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    period_close(period=period, by=admin_user)
    client.force_login(city_viewer)
    urls = [
        reverse("assessment:scorecard-city") + f"?view={view}"
        for view in ("card", "compare", "periods")
    ] + [
        reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]) + "?view=compare",
        reverse("assessment:scorecard-rt", args=[rt.pk]),
    ]

    def queries():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    one = queries()
    for _ in range(4):
        _adults(core.RTFactory(rw=rt.rw), 2)
    FrozenScorecard.objects.all().delete()
    services.scorecard_freeze(period=Period.objects.get(pk=period.pk))

    assert queries() == one
