"""Co-assessment's open data (``rtkeren.opendata``): the co-production scorecard of every RT in
the current period, counts of residents under five left empty together with the rates they
would give away; and the follow-ups of the published activities, their owner as a role (as on
the public page), never by name, their text with residents' names and numbers blanked."""

from django.utils.translation import gettext_lazy

from rtkeren.models import Kelurahan, Period, Stage
from rtkeren.models.periods import current_period
from rtkeren.opendata import (
    PLACE,
    PLACE_COLUMNS,
    PLACE_ORDER,
    of_published,
    register_dataset,
    suppressed,
)
from rtkeren.redact import redactor_for

from .models import FollowUp
from .public import owner_role
from .scorecard import compare_all_rts

STAGES = [stage.value for stage in Stage]


@register_dataset(
    "scorecards",
    title=gettext_lazy("Co-production scorecards"),
    description=gettext_lazy(
        "For every RT in the current period: the adult residents counted, and for each of the "
        "four stages how many took part, the rate and the threshold. Counts under five, and "
        "the rates they would give away, are left empty."
    ),
    columns=(
        "kelurahan_code",
        "kelurahan",
        "rw",
        "rt",
        "year",
        "residents",
        *(f"{stage}_{part}" for stage in STAGES for part in ("participants", "rate", "threshold")),
    ),
    order=30,
)
def scorecard_rows(kelurahan: Kelurahan | None):
    period = current_period(list(Period.objects.all()))
    if period is None:
        return
    places = {place.pk: place for place in Kelurahan.objects.only("code", "name")}
    for card in compare_all_rts(period=period, kelurahan=kelurahan):
        rt = card.key[1]
        place = places[rt.rw.kelurahan_id]
        base = suppressed(card.base)
        row = [place.code, place.name, rt.rw.number, rt.number, period.year]
        row.append(base)
        for stage in STAGES:
            result = card.result(stage)
            participants = suppressed(result.participants)
            known = base is not None and participants is not None and result.rate is not None
            row += [participants, result.rate if known else None, result.threshold]
        yield tuple(row)


@register_dataset(
    "follow_ups",
    title=gettext_lazy("Follow-ups"),
    description=gettext_lazy(
        "The obstacles met by the published activities and the actions agreed on them: who is "
        "responsible (a role, never a name), the due date, the status and what was done. "
        "Residents' names and phone numbers in the text are blanked."
    ),
    columns=(
        "follow_up_id",
        *PLACE_COLUMNS,
        "obstacle",
        "action",
        "owner_role",
        "due_on",
        "status",
        "resolution",
    ),
    order=60,
)
def follow_up_rows(kelurahan: Kelurahan | None):
    """Two queries: the follow-ups with their owner's role, then the residents' names found in
    their text."""
    rows = list(
        of_published(FollowUp.objects.all(), kelurahan)
        .annotate(owner_role=owner_role())
        .order_by(*PLACE_ORDER, "due_on", "pk")
        .values_list(
            "pk", *PLACE, "obstacle", "action", "owner_role", "due_on", "status", "resolution"
        )
    )
    redacted = redactor_for(text for row in rows for text in (row[8], row[9], row[13]))
    for *place, obstacle, action, role, due_on, status, resolution in rows:
        yield (
            *place,
            redacted(obstacle),
            redacted(action),
            role,
            due_on,
            status,
            redacted(resolution),
        )
