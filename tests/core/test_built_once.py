"""Expressions built once per process (``budget_per_row``, the comment count of a proposal
list, an activity's delivery time): they name no request's values, and a queryset that takes
one resolves a copy of it, so every query built with the shared expression reads its own rows
and leaves the expression as it was."""

import pytest
from django.db.models import Value

from assessment.selectors import _delivered_at_subquery
from designing.selectors import _comment_count
from rtkeren.models import Activity
from rtkeren.models.activities import budget_per_row
from tests.factories import ActivityFactory, BudgetLineFactory

pytestmark = pytest.mark.django_db


def sql_with(expression) -> str:
    """The SQL of one fixed query that takes ``expression``."""
    return str(Activity.objects.filter(pk=0).annotate(figure=expression).query)


@pytest.mark.parametrize("built", [budget_per_row, _comment_count, _delivered_at_subquery])
def test_built_once_and_left_as_it_was_by_the_queries_that_take_it(built):
    expression = built()
    before = sql_with(expression)
    activity = ActivityFactory()

    list(Activity.objects.filter(pk=activity.pk).annotate(figure=expression))
    list(Activity.objects.exclude(pk=activity.pk).annotate(figure=expression, x=Value(1)))

    assert built() is expression
    assert sql_with(expression) == before


def test_each_query_sums_its_own_rows_with_the_shared_expression():
    first, second = ActivityFactory(), ActivityFactory()
    BudgetLineFactory(activity=first, quantity=2, unit_price=1000)
    BudgetLineFactory(activity=first, quantity=1, unit_price=500)
    BudgetLineFactory(activity=second, quantity=3, unit_price=100)

    only_first = Activity.objects.filter(pk=first.pk).annotate(budget=budget_per_row())
    both = Activity.objects.filter(pk__in=[first.pk, second.pk]).annotate(budget=budget_per_row())

    assert [row.budget for row in only_first] == [2500]
    assert {row.pk: row.budget for row in both} == {first.pk: 2500, second.pk: 300}
