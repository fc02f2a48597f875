"""Co-delivery's open data (``rtkeren.opendata``): the products each training promised and how
far they came, and the spending lines of the published activities. Text typed by committees
(a product's name, a spending line's item) passes through ``rtkeren.redact`` first: a seller
named in an item, or their phone number, is blanked. Never a receipt, never who recorded a line,
never an obstacle's note. And every RT's allocation, approved and spent per year, as on the
public spending page (``openbooks``)."""

from django.utils.translation import gettext_lazy

from rtkeren.models import Kelurahan, Period
from rtkeren.opendata import (
    PLACE,
    PLACE_COLUMNS,
    PLACE_ORDER,
    PUBLISHED_STATUSES,
    of_published,
    register_dataset,
)
from rtkeren.redact import redactor_for

from .models import COMPLETION_STATUSES, Output, Spending
from .openbooks import rt_money


@register_dataset(
    "outputs",
    title=gettext_lazy("Training outputs"),
    description=gettext_lazy(
        "The products each training in or past delivery promised, with the target, what is "
        "finished so far, the status and the kind of obstacle met."
    ),
    columns=(
        *PLACE_COLUMNS,
        "product",
        "unit",
        "target_quantity",
        "finished_quantity",
        "status",
        "obstacle",
    ),
    order=40,
)
def output_rows(kelurahan: Kelurahan | None):
    """Two queries: the outputs, then the residents' names found in their text."""
    rows = list(
        of_published(Output.objects.all(), kelurahan, COMPLETION_STATUSES)
        .order_by(*PLACE_ORDER, "pk")
        .values_list(
            *PLACE, "name", "unit", "target_quantity", "finished_quantity", "status", "obstacle"
        )
    )
    redacted = redactor_for(text for row in rows for text in row[7:9])
    for *place, name, unit, target, finished, status, obstacle in rows:
        yield (*place, redacted(name), redacted(unit), target, finished, status, obstacle)


@register_dataset(
    "spending",
    title=gettext_lazy("Spending lines"),
    description=gettext_lazy(
        "What the committees recorded as spent on each published activity: the date, the item "
        "and the amount, with the activity's funding source. Residents' names and phone "
        "numbers in an item are blanked."
    ),
    columns=(*PLACE_COLUMNS, "funding_source", "nature", "spent_on", "item", "amount"),
    order=50,
)
def spending_rows(kelurahan: Kelurahan | None):
    """Two queries: the spending lines, then the residents' names found in their items."""
    rows = list(
        of_published(Spending.objects.all(), kelurahan, PUBLISHED_STATUSES)
        .order_by(*PLACE_ORDER, "spent_on", "pk")
        .values_list(
            *PLACE, "activity__funding_source", "activity__nature", "spent_on", "item", "amount"
        )
    )
    redacted = redactor_for(row[10] for row in rows)
    for *place, funding_source, nature, spent_on, item, amount in rows:
        yield (*place, funding_source, nature, spent_on, redacted(item), amount)


@register_dataset(
    "budgets",
    title=gettext_lazy("RT allocations"),
    description=gettext_lazy(
        "For every RT and year: its RT Keren ceiling, what was approved from it (physical and "
        "non-physical, its shares of kelurahan-wide activities included) and what was spent, "
        "as the RT's spending report (LPJ) adds them up."
    ),
    columns=(
        "kelurahan_code",
        "kelurahan",
        "rw",
        "rt",
        "year",
        "ceiling",
        "approved_fisik",
        "approved_nonfisik",
        "approved",
        "realised",
    ),
    order=35,
)
def budget_rows(kelurahan: Kelurahan | None):
    """Six queries a year, whatever the number of RTs."""
    for period in Period.objects.order_by("year"):
        for row in rt_money(kelurahan, period):
            place = row.rt.rw.kelurahan
            yield (
                place.code,
                place.name,
                row.rt.rw.number,
                row.rt.number,
                period.year,
                row.ceiling,
                row.approved_fisik,
                row.approved_nonfisik,
                row.approved,
                row.realised,
            )
