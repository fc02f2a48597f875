"""Several counts in one query."""

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def count_together(querysets: Sequence[QuerySet]) -> list[int]:
    """``[queryset.count() for queryset in querysets]``, read in one query: each queryset's rows
    are counted in a scalar subquery of a single ``SELECT``. ``count()`` builds an aggregate
    query of its own for each queryset and asks the database once per count; a page that shows
    a dozen counts (the home page's attention list) paid more for that than for the counting.
    A queryset that can match nothing (a filter on an empty list) is 0 without asking. All the
    querysets must read the same database."""
    counts: list[int] = [0] * len(querysets)
    parts, params, asked = [], [], []
    using = None
    for index, queryset in enumerate(querysets):
        using = using or queryset.db
        if queryset.db != using:
            raise ValueError("count_together() reads one database at a time.")
        rows = queryset.order_by().values("pk")
        try:
            sql, sql_params = rows.query.get_compiler(using).as_sql()
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
