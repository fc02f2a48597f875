"""Expressions built once per process (``budget_per_row``, the comment count of a proposal
list, an activity's delivery time, a potential's endorsements, a task's activity status): they
name no request's values, and a queryset that takes
one resolves a copy of it, so every query built with the shared expression reads its own rows
and leaves the expression as it was."""

import pytest
from django.db.models import Value

from assessment.selectors import _delivered_at_subquery
from commissioning.models import Potential
from commissioning.selectors import _endorsement_count
from delivery.models import Task
from delivery.selectors import _task_activity_status
from designing.selectors import _comment_count
from rtkeren.models import Activity
from rtkeren.models.activities import budget_per_row
from tests.factories import ActivityFactory, BudgetLineFactory

pytestmark = pytest.mark.django_db


def sql_with(model, expression) -> str:
    """The SQL of one fixed query that takes ``expression``."""
    return str(model.objects.filter(pk=0).annotate(figure=expression).query)


@pytest.mark.parametrize(
    ("built", "model"),
    [
        (budget_per_row, Activity),
        (_comment_count, Activity),
        (_delivered_at_subquery, Activity),
        (_endorsement_count, Potential),
        (_task_activity_status, Task),
    ],
)
def test_built_once_and_left_as_it_was_by_the_queries_that_take_it(built, model):
    expression = built()
    before = sql_with(model, expression)

    list(model.objects.filter(pk=1).annotate(figure=expression))
    list(model.objects.exclude(pk=2).annotate(figure=expression, x=Value(1)))

    assert built() is expression
    assert sql_with(model, expression) == before


def test_each_query_sums_its_own_rows_with_the_shared_expression():
    first, second = ActivityFactory(), ActivityFactory()
    BudgetLineFactory(activity=first, quantity=2, unit_price=1000)
    BudgetLineFactory(activity=first, quantity=1, unit_price=500)
    BudgetLineFactory(activity=second, quantity=3, unit_price=100)

    only_first = Activity.objects.filter(pk=first.pk).annotate(budget=budget_per_row())
    both = Activity.objects.filter(pk__in=[first.pk, second.pk]).annotate(budget=budget_per_row())

    assert [row.budget for row in only_first] == [2500]
    assert {row.pk: row.budget for row in both} == {first.pk: 2500, second.pk: 300}
