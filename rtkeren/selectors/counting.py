"""Counts in queries: a count of related rows per row, and several counts in one query."""

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import IntegerField, QuerySet, Subquery

from rtkeren.prepared import Prepared


class SubqueryCount(Subquery):
    """``COUNT(*)`` of a subquery's rows, without the GROUP BY an aggregate would add."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset.order_by().values("pk"), **extra)


def count_together(querysets: Sequence[QuerySet | Prepared]) -> list[int]:
    """``[queryset.count() for queryset in querysets]``, read in one query: each queryset's rows
    are counted in a scalar subquery of a single ``SELECT``. ``count()`` builds an aggregate
    query of its own for each queryset and asks the database once per count; a page that shows
    a dozen counts (the home page's attention list) paid more for that than for the counting.
    A queryset that can match nothing (a filter on an empty list) is 0 without asking. A
    prepared query (``rtkeren.prepared``) is counted from the SQL it keeps for its shape. All
    the querysets must read the same database."""
    counts: list[int] = [0] * len(querysets)
    parts, params, asked = [], [], []
    using = None
    for index, queryset in enumerate(querysets):
        db = queryset.db if isinstance(queryset, QuerySet) else router.db_for_read(queryset.model)
        using = using or db
        if db != using:
            raise ValueError("count_together() reads one database at a time.")
        if isinstance(queryset, Prepared):
            compiled = queryset.then(_keys).compiled(using)
            if compiled is None:
                continue
            sql, sql_params = compiled
        else:
            try:
                sql, sql_params = _keys(queryset).query.get_compiler(using).as_sql()
            except EmptyResultSet:
                continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{index})")
        params.extend(sql_params)
        asked.append(index)
    if parts:
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            for index, count in zip(asked, cursor.fetchone(), strict=True):
                counts[index] = count
    return counts


def _keys(queryset: QuerySet) -> QuerySet:
    """What is counted of a queryset: its rows' keys, in no order."""
    return queryset.order_by().values("pk")
