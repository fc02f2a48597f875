"""Open data: tables anyone may download and reuse (CSV and JSON, CC BY 4.0).

Each app registers its tables with ``@register_dataset(name, title=..., columns=(...))`` on a
function ``(kelurahan or None) -> iterable of rows`` (tuples in the order of ``columns``), read
with a constant number of queries whatever the number of rows. The column names are the
tables' contract with those who reuse them: they are English ``snake_case`` and never change
meaning; a new column is added at the end. Nothing in a table names a resident: only titles,
places, statuses, money, dates and counts; a count of fewer than ``SMALL_CELL`` people is left
out (``suppressed``). docs/open-data.md describes every table.
"""

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from rtkeren.models import Activity, ActivityStatus, Kelurahan
from rtkeren.prepared import Prepared
from rtkeren.registry import open_datasets, realised_for

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: Counts of people under this are not published: a cell of 1 to 4 people may name them.
SMALL_CELL = 5
#: The activities a kelurahan has decided to carry out: the public page's published ones.
PUBLISHED_STATUSES = (
    ActivityStatus.APPROVED,
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)


#: How every table of an activity's records starts (its place and year), its columns, and
#: the order its rows come in.
PLACE = (
    "activity",
    "activity__kelurahan__code",
    "activity__kelurahan__name",
    "activity__rt__rw__number",
    "activity__rt__number",
    "activity__period__year",
    "activity__title",
)
PLACE_COLUMNS = ("activity_id", "kelurahan_code", "kelurahan", "rw", "rt", "year", "activity")
PLACE_ORDER = (
    "activity__kelurahan__code",
    "activity__period__year",
    "activity__rt__rw__number",
    "activity__rt__number",
    "activity",
)


def of_published(queryset, kelurahan: Kelurahan | None, statuses=PUBLISHED_STATUSES):
    """The rows of ``queryset`` (records of an activity) of activities in ``statuses``, in
    ``kelurahan`` or the whole city."""
    queryset = queryset.filter(activity__status__in=statuses)
    if kelurahan is not None:
        queryset = queryset.filter(activity__kelurahan=kelurahan)
    return queryset


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str | Promise
    description: str | Promise
    columns: Sequence[str]
    rows: Callable[[Kelurahan | None], Iterable[tuple]]


def register_dataset(name: str, *, title, description, columns: Sequence[str], order: int = 100):
    def decorator(rows):
        open_datasets.register(name, order=order)(
            Dataset(name=name, title=title, description=description, columns=columns, rows=rows)
        )
        return rows

    return decorator


def all_datasets() -> list[Dataset]:
    return [dataset for _name, dataset in open_datasets.items()]


def dataset_named(name: str) -> Dataset | None:
    return dict(open_datasets.items()).get(name)


#: A Kemendagri code, e.g. 35.72.02.1002: how open data names a kelurahan.
KELURAHAN_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")


def kelurahan_for_code(code: str) -> Kelurahan | None:
    """The kelurahan a table is asked for by its code; None when no kelurahan has it."""
    if not KELURAHAN_CODE.fullmatch(code or ""):
        return None
    return Kelurahan.objects.filter(code=code).first()


def published_language():
    """The language every open table and its titles are written in, whatever the reader's
    (``with published_language(): ...``): the files are cached publicly, so a reader's language
    cookie must not decide what the next reader gets."""
    return translation.override(settings.LANGUAGE_CODE)


def suppressed(count: int | None) -> int | None:
    """A count of people as published: None (left empty) when it is 1 to ``SMALL_CELL`` - 1."""
    if count is None or 0 < count < SMALL_CELL:
        return None
    return count


def cell(value):
    """A value as CSV and JSON carry it: dates in ISO 8601, everything else as it is."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@register_dataset(
    "activities",
    title=gettext_lazy("Activities"),
    description=gettext_lazy(
        "The activities each RT and kelurahan decided to carry out, with their approved budget "
        "and what has been spent so far."
    ),
    columns=(
        "activity_id",
        "kelurahan_code",
        "kelurahan",
        "rw",
        "rt",
        "year",
        "title",
        "kind",
        "nature",
        "funding_source",
        "status",
        "planned_start",
        "planned_end",
        "budget_approved",
        "spending_realised",
    ),
    order=0,
)
def activity_rows(kelurahan: Kelurahan | None):
    published = Prepared(
        Activity, _published, (), {"kelurahan": None if kelurahan is None else kelurahan.pk}
    )
    realised = realised_for(published)
    rows = (
        published.queryset()
        .with_budget_total()
        .order_by("kelurahan__code", "period__year", "rt__rw__number", "rt__number", "pk")
        .values_list(
            "pk",
            "kelurahan__code",
            "kelurahan__name",
            "rt__rw__number",
            "rt__number",
            "period__year",
            "title",
            "kind",
            "nature",
            "funding_source",
            "status",
            "planned_start",
            "planned_end",
            "budget_total",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        yield (*row[:-1], row[-1] or 0, realised.get(row[0], 0))


def _published(shape: tuple, values: dict):
    """The published activities of the kelurahan ``values["kelurahan"]`` (None: the city)."""
    activities = Activity.objects.filter(status__in=PUBLISHED_STATUSES)
    if values["kelurahan"] is not None:
        activities = activities.filter(kelurahan=values["kelurahan"])
    return activities
