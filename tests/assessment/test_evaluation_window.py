"""The evaluation window: each activity is evaluated within its own period's number of days
after its delivery, counted in the query (``window_open_condition``)."""

import pytest
from django.utils import timezone

from assessment import selectors
from rtkeren.models import Activity, ActivityStatus
from tests import factories

from .factories import delivered_activity

pytestmark = pytest.mark.django_db


def test_each_period_keeps_its_own_window(officer, rt, period):
    period.evaluation_window_days = 10
    period.save()
    earlier = factories.PeriodFactory(year=period.year - 1, evaluation_window_days=30)
    delivered = {
        (place, days): delivered_activity(by=officer, rt=rt, period=place, days_ago=days)
        for place in (period, earlier)
        for days in (1, 9.9, 10.1, 29.9, 30.1, 400)
    }
    # Not delivered: never in a window, whenever it last changed.
    factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.IN_DELIVERY)

    open_now = selectors.with_delivered_at(Activity.objects.all()).filter(
        selectors.window_open_condition(timezone.now())
    )

    expected = {
        activity.pk
        for (place, days), activity in delivered.items()
        if days < place.evaluation_window_days
    }
    assert set(open_now.values_list("pk", flat=True)) == expected
    assert len(expected) == 6
