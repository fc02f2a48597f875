"""Every period, as the scorecards, reports and public pages read them (``all_periods``): from the
cache of public records after the first read, and never older than the periods themselves."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from rtkeren.selectors.reports import all_periods, chosen_period
from tests import factories


def _period_queries(read) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        value = read()
    return value, sum('FROM "rtkeren_period"' in query["sql"] for query in captured)


@pytest.mark.django_db
def test_the_periods_are_read_once_then_from_the_cache():
    older, newer = factories.PeriodFactory(year=2030), factories.PeriodFactory(year=2031)

    first, read_first = _period_queries(all_periods)
    again, read_again = _period_queries(all_periods)

    assert (read_first, read_again) == (1, 0)
    assert again == first == [newer, older]
    assert [
        (period.name, period.starts_on, period.ends_on, period.rt_ceiling) for period in again
    ] == [(period.name, period.starts_on, period.ends_on, period.rt_ceiling) for period in first]


@pytest.mark.django_db
def test_a_period_added_or_changed_shows_on_the_next_read():
    period = factories.PeriodFactory(year=2030)
    assert all_periods() == [period]

    added = factories.PeriodFactory(year=2031)
    period.name = "Tahun anggaran lama"
    period.save()

    periods, read = _period_queries(all_periods)
    assert read == 1
    assert periods == [added, period]
    assert periods[1].name == "Tahun anggaran lama"


@pytest.mark.django_db
def test_the_period_asked_for_is_chosen_from_the_cached_periods():
    older, newer = factories.PeriodFactory(year=2030), factories.PeriodFactory(year=2031)
    all_periods()

    (chosen, periods), read = _period_queries(
        lambda: chosen_period(RequestFactory().get("/", {"period": str(older.pk)}))
    )

    assert read == 0
    assert (chosen, periods) == (older, [newer, older])
    assert chosen._state.adding is False
