"""A column's identity computed directly (``rtkeren.orm``) equals the one Django computes
through ``inspect``, so columns compare and hash as they always did."""

import pytest
from django.db import connection
from django.db.models import Count, Window
from django.db.models.expressions import Col, Expression
from django.db.models.sql import Query

from commissioning.selectors import potential_list
from designing.selectors import prepared_proposal_list
from rtkeren import orm
from rtkeren.models import Activity, Kelurahan
from tests.factories import ActivityFactory, make_resident_user

pytestmark = pytest.mark.django_db

djangos_identity = Expression.identity.func


def columns(queryset) -> list[Col]:
    """Every column ``queryset`` selects, and those of the subqueries and conditions it
    compiles, as the compiler meets them."""
    found = []

    def walk(expression):
        if isinstance(expression, Col):
            found.append(expression)
        if isinstance(expression, Query):
            for inner in [expression.where, *expression.select, *expression.annotations.values()]:
                walk(inner)
            return
        for source in expression.get_source_expressions() if expression is not None else []:
            if source is not None and hasattr(source, "get_source_expressions"):
                walk(source)

    compiler = queryset.query.get_compiler(connection=connection)
    compiler.as_sql()
    for expression, _sql, _alias in compiler.select:
        walk(expression)
    walk(queryset.query.where)
    return found


def test_installed_for_the_constructor_it_is_written_for():
    # Should Django change Col's constructor, this fails: read ``rtkeren.orm`` again.
    assert orm.col_constructor_known()
    assert orm.install()
    assert "identity" in Col.__dict__


def test_identity_of_every_column_a_page_query_selects_is_djangos():
    activity = ActivityFactory()
    user, _resident = make_resident_user(activity.rt)
    queries = [
        prepared_proposal_list(user=user, order="fit")
        .queryset()
        .annotate(total=Window(Count("pk")))[:25],
        potential_list(user=user, order="endorsed"),
        Activity.objects.select_related("rt__rw__kelurahan", "period", "author").order_by("-pk"),
        Kelurahan.objects.values_list("kecamatan__name", "name"),
    ]
    found = [column for query in queries for column in columns(query)]
    assert len(found) > 40
    assert {column.alias for column in found} >= {"rtkeren_activity", "rtkeren_rw", "U0"}
    for column in found:
        assert column.identity == djangos_identity(column), column
        assert hash(column) == hash(djangos_identity(column))


def test_identity_of_every_form_a_column_is_made_in_is_djangos():
    title = Activity._meta.get_field("title")
    status = Activity._meta.get_field("status")
    made = [
        Col("rtkeren_activity", title),
        Col(None, title),
        Col("T3", title, output_field=status),
        Col("T3", title, status),
        Col("T3", title).relabeled_clone({"T3": "T4"}),
        title.get_col("T5"),
        title.cached_col,
    ]
    for column in made:
        assert column.identity == djangos_identity(column), column


def test_a_subclass_of_column_gets_djangos_identity():
    class Named(Col):
        def __init__(self, alias, target, name="x"):
            super().__init__(alias, target)
            self.name = name

    title = Activity._meta.get_field("title")
    column = Named("a", title, name="y")
    assert column.identity == djangos_identity(column)
    assert column.identity[0] is Named
    assert column != Named("a", title, name="z")


def test_columns_compare_as_before():
    title = Activity._meta.get_field("title")
    status = Activity._meta.get_field("status")
    assert Col("a", title) == Col("a", title)
    assert hash(Col("a", title)) == hash(Col("a", title))
    assert Col("a", title) != Col("b", title)
    assert Col("a", title) != Col("a", status)
    assert Col("a", title) != Col("a", title, output_field=status)
    assert Col("a", title).relabeled_clone({"a": "b"}) == Col("b", title, title)
