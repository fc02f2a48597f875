"""One meaning of "the current period" for every page and form (``current_period``)."""

import datetime

import pytest

from rtkeren.models import Period
from rtkeren.models.periods import current_period
from tests.factories import PeriodFactory

DAY = datetime.date(2026, 6, 1)


def _period(year: int, *, is_open: bool = True) -> Period:
    return Period(
        year=year,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        is_open=is_open,
    )


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        # The period running today, open or closed, comes before a later open one.
        ([_period(2025), _period(2026), _period(2027)], 2026),
        ([_period(2026, is_open=False), _period(2027)], 2026),
        # None running today: the latest open one, else the latest.
        ([_period(2024), _period(2025, is_open=False)], 2024),
        ([_period(2023, is_open=False), _period(2025, is_open=False)], 2025),
        ([], None),
    ],
)
def test_the_current_period_is_todays_else_the_latest_open_else_the_latest(periods, expected):
    found = current_period(periods, DAY)

    assert (found.year if found else None) == expected


@pytest.mark.django_db
def test_the_queryset_asks_the_same_in_one_query(django_assert_num_queries):
    for year in (2025, 2026):
        PeriodFactory(
            year=year,
            starts_on=datetime.date(year, 1, 1),
            ends_on=datetime.date(year, 12, 31),
            is_open=True,
        )

    with django_assert_num_queries(1):
        found = Period.objects.current(DAY)

    assert found.year == 2026
    assert Period.objects.filter(year=2025).current(DAY).year == 2025
    assert Period.objects.none().current(DAY) is None
