"""Co-assessment's open data (``rtkeren.opendata``): the co-production scorecard of every RT in
the current period, counts of residents under five left empty together with the rates they
would give away."""

from django.utils.translation import gettext_lazy

from rtkeren.models import Kelurahan, Period, Stage
from rtkeren.models.periods import current_period
from rtkeren.opendata import register_dataset, suppressed

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
