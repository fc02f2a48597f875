"""Counts and sums of related rows, one subquery per outer row.

Joined ``Count``s and ``Sum``s over two relations multiply each other's rows, and a join with
``GROUP BY`` makes a list query group all its columns; a subquery on the outer row's key does
neither. The result is a whole number (cast: PostgreSQL sums big integers as ``numeric``), 0
where there is no row.
"""

from django.db.models import BigIntegerField, Count, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce


def _per_outer_row(queryset: QuerySet, outer_field: str, aggregate) -> Coalesce:
    grouped = queryset.filter(**{outer_field: OuterRef("pk")}).order_by().values(outer_field)
    total = Subquery(grouped.annotate(total=aggregate).values("total"))
    return Coalesce(Cast(total, BigIntegerField()), Value(0))


def count_per_row(queryset: QuerySet, outer_field: str, counted: str = "pk") -> Coalesce:
    """The number of ``queryset`` rows pointing at each outer row (``outer_field`` is the
    foreign key to it); ``counted``, when not the key, counted once a value."""
    return _per_outer_row(queryset, outer_field, Count(counted, distinct=counted != "pk"))


def sum_per_row(queryset: QuerySet, outer_field: str, summed) -> Coalesce:
    """The sum of ``summed`` (a field name or an expression) per outer row; 0 for none."""
    return _per_outer_row(queryset, outer_field, Sum(summed))
