"""The co-production scorecard: for a scope (an RT, a kelurahan, the city) and a period, how many
distinct residents took part in each stage, over the scope's base, against the period's
threshold.

It reads the participation ledger and the scorecard base only (plus this app's own
evaluations, to say who assessed). Every figure is an aggregate query over the live tables; at
city scale these take a good part of a second, so the figures are cached under the data
version (``rtkeren.versions``), whose token database triggers change with every write to the
portal's tables: a cached figure is never older than the data. The number of queries is fixed:
one to read the version, and on a miss three for a scorecard, four for a comparison, three for
the same scope across periods.

The base of a period in a scope is the residents with a base entry of that period there
(``rtkeren.services.base``): verified, aged 17 or more at the period's start, and living in the
scope at some time during the period, each counted once. A participant counts when the base
holds them in the RT where the ledger places them (where they lived when they took part), so no
rate passes 100%; a closed period's base no longer changes, so neither does its scorecard.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rtkeren import versions
from rtkeren.models import RT, BaseEntry, Kelurahan, Participation, Period, Stage

from .models import Evaluation, Side

STAGES = list(Stage)
CACHE_SECONDS = 60 * 60


def _cached(key: str, compute):
    """``compute()``, or its result for the same data computed before (one query to know)."""
    token = versions.current()
    if token is None:
        return compute()
    cache_key = f"scorecard:{token}:{key}"
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class Scope:
    """The city (both None), a kelurahan, or an RT."""

    kelurahan: Kelurahan | None = None
    rt: RT | None = None

    @property
    def name(self) -> str:
        if self.rt is not None:
            return self.rt.full_name
        if self.kelurahan is not None:
            return _("Kelurahan %(name)s") % {"name": self.kelurahan}
        return _("Kota Blitar")

    def ledger(self) -> Q:
        if self.rt is not None:
            return Q(rt=self.rt)
        if self.kelurahan is not None:
            return Q(kelurahan=self.kelurahan)
        return Q()

    @property
    def key(self) -> str:
        return f"{self.kelurahan.pk if self.kelurahan else '-'}:{self.rt.pk if self.rt else '-'}"

    def own_activities(self) -> Q:
        """The scope's activities, as a filter of activities themselves."""
        if self.rt is not None:
            return Q(rt=self.rt)
        if self.kelurahan is not None:
            return Q(kelurahan=self.kelurahan)
        return Q()

    def activities(self) -> Q:
        if self.rt is not None:
            return Q(activity__rt=self.rt)
        if self.kelurahan is not None:
            return Q(activity__kelurahan=self.kelurahan)
        return Q()


def rate_of(participants: int, base: int) -> float | None:
    return round(participants * 100 / base, 1) if base else None


def bar_class(rate: float | None) -> str:
    """A width class for a rate in percent, in steps of 5."""
    if rate is None:
        return "bar-w-0"
    return f"bar-w-{max(0, min(100, round(rate / 5) * 5))}"


@dataclass
class StageResult:
    stage: Stage
    participants: int
    base: int
    threshold: int

    @property
    def rate(self) -> float | None:
        return rate_of(self.participants, self.base)

    @property
    def met(self) -> bool:
        return self.rate is not None and self.rate >= self.threshold

    @property
    def bar(self) -> str:
        return bar_class(self.rate)

    @property
    def threshold_bar(self) -> str:
        return bar_class(self.threshold)


@dataclass
class Scorecard:
    scope_name: str
    period: Period
    base: int
    stages: list[StageResult]
    community_evaluations: int = 0
    government_evaluations: int = 0
    key: object = None
    sentences: list[str] = field(default_factory=list)

    @property
    def met_count(self) -> int:
        return sum(result.met for result in self.stages)

    def result(self, stage: str) -> StageResult:
        return next(result for result in self.stages if result.stage == stage)

    def rate(self, stage: str) -> float:
        return self.result(stage).rate or 0.0


def _counted() -> Exists:
    """Ledger rows whose resident the base holds in the row's period and RT (a semi-join)."""
    return Exists(
        BaseEntry.objects.filter(
            period=OuterRef("period"), resident=OuterRef("resident"), rt=OuterRef("rt")
        )
    )


def _base_residents(period: Period):
    return BaseEntry.objects.filter(period=period)


def _results(period: Period, base: int, by_stage: dict[str, int]) -> list[StageResult]:
    return [
        StageResult(stage, by_stage.get(stage.value, 0), base, period.threshold(stage.value))
        for stage in STAGES
    ]


def describe(card: Scorecard) -> list[str]:
    """A few sentences in the reader's language that say what the figures mean."""
    if not card.base:
        return [_("No active residents aged 17 or more are registered here, so there is no rate.")]
    sentences = [
        ngettext(
            "%(met)s of the four stages of co-production is fulfilled.",
            "%(met)s of the four stages of co-production are fulfilled.",
            card.met_count,
        )
        % {"met": card.met_count}
    ]
    for result in card.stages:
        values = {
            "stage": result.stage.label,
            "rate": formats.number_format(result.rate, 1),
            "threshold": result.threshold,
            "count": result.participants,
        }
        if not result.participants:
            sentences.append(_("Residents took no part in %(stage)s.") % values)
        elif result.met:
            sentences.append(
                _(
                    "%(stage)s is fulfilled: %(count)s residents (%(rate)s%%) took part, "
                    "reaching the threshold of %(threshold)s%%."
                )
                % values
            )
        else:
            sentences.append(
                _(
                    "%(stage)s is not fulfilled yet: %(count)s residents (%(rate)s%%) took part, "
                    "below the threshold of %(threshold)s%%."
                )
                % values
            )
    if card.government_evaluations and not card.community_evaluations:
        sentences.append(
            _(
                "Only the government side evaluated: residents did not evaluate any activity. "
                "The study found exactly this; invite the participants to evaluate."
            )
        )
    return sentences


def _card_figures(scope: Scope, period: Period) -> tuple[int, dict[str, int], dict[str, int]]:
    base = (
        _base_residents(period)
        .filter(scope.ledger())
        .aggregate(residents=Count("resident", distinct=True))["residents"]
    )
    by_stage = dict(
        Participation.objects.filter(scope.ledger(), _counted(), period=period)
        .values("stage")
        .annotate(residents=Count("resident", distinct=True))
        .order_by()
        .values_list("stage", "residents")
    )
    sides = Evaluation.objects.filter(scope.activities(), activity__period=period).aggregate(
        community=Count("pk", filter=Q(side=Side.COMMUNITY)),
        government=Count("pk", filter=Q(side=Side.GOVERNMENT)),
    )
    return base, by_stage, sides


def scorecard(*, scope: Scope, period: Period) -> Scorecard:
    """The scorecard of one scope and period (1 query, 4 when not cached)."""
    base, by_stage, sides = _cached(
        f"card:{scope.key}:{period.pk}:{period.starts_on}",
        lambda: _card_figures(scope, period),
    )
    card = Scorecard(
        scope_name=scope.name,
        period=period,
        base=base,
        stages=_results(period, base, by_stage),
        community_evaluations=sides["community"],
        government_evaluations=sides["government"],
    )
    card.sentences = describe(card)
    return card


SORTS = {stage.value for stage in STAGES}
SORT_CHOICES = ("name", "base", "met", *SORTS)


def _sort_key(sort: str):
    if sort == "base":
        return lambda card: (card.base, card.scope_name)
    if sort == "met":
        return lambda card: (card.met_count, card.scope_name)
    if sort in SORTS:
        return lambda card: (card.rate(sort), card.scope_name)
    return lambda card: card.key[0]


def _sorted(cards: list[Scorecard], sort: str, descending: bool) -> list[Scorecard]:
    """By a stage's rate, the base, the number of stages met, or the places' own order."""
    return sorted(cards, key=_sort_key(sort), reverse=descending)


def _compare_figures(
    *,
    period: Period,
    ledger_field: str,
    activity_field: str,
    ledger_filter: Q,
    activity_filter: Q,
) -> tuple[dict, dict, dict]:
    base = dict(
        _base_residents(period)
        .filter(ledger_filter)
        .values(ledger_field)
        .annotate(residents=Count("resident", distinct=True))
        .order_by()
        .values_list(ledger_field, "residents")
    )
    by_place: dict[int, dict[str, int]] = {}
    for place_id, stage, residents in (
        Participation.objects.filter(ledger_filter, _counted(), period=period)
        .values(ledger_field, "stage")
        .annotate(residents=Count("resident", distinct=True))
        .order_by()
        .values_list(ledger_field, "stage", "residents")
    ):
        by_place.setdefault(place_id, {})[stage] = residents
    sides: dict[int, dict[str, int]] = {}
    for place_id, side, count in (
        Evaluation.objects.filter(activity_filter, activity__period=period)
        .values(activity_field, "side")
        .annotate(evaluations=Count("pk"))
        .order_by()
        .values_list(activity_field, "side", "evaluations")
    ):
        sides.setdefault(place_id, {})[side] = count
    return base, by_place, sides


def _compare(
    *,
    key: str,
    period: Period,
    places: list,
    name,
    sort: str,
    descending: bool,
    **fields,
) -> list[Scorecard]:
    base, by_place, sides = _cached(
        f"compare:{key}:{period.pk}:{period.starts_on}",
        lambda: _compare_figures(period=period, **fields),
    )
    cards = []
    for index, place in enumerate(places):
        place_base = base.get(place.pk, 0)
        card = Scorecard(
            scope_name=name(place),
            period=period,
            base=place_base,
            stages=_results(period, place_base, by_place.get(place.pk, {})),
            community_evaluations=sides.get(place.pk, {}).get(Side.COMMUNITY, 0),
            government_evaluations=sides.get(place.pk, {}).get(Side.GOVERNMENT, 0),
            key=(index, place),
        )
        card.sentences = describe(card)
        cards.append(card)
    return _sorted(cards, sort, descending)


def compare_rts(
    *, kelurahan: Kelurahan, period: Period, sort: str = "name", descending: bool = False
) -> list[Scorecard]:
    """The RTs of a kelurahan side by side (2 queries, 5 when not cached)."""
    rts = list(RT.objects.filter(rw__kelurahan=kelurahan).select_related("rw"))
    return _compare(
        key=f"rts:{kelurahan.pk}",
        period=period,
        places=rts,
        ledger_field="rt_id",
        activity_field="activity__rt_id",
        ledger_filter=Q(kelurahan=kelurahan),
        activity_filter=Q(activity__kelurahan=kelurahan),
        name=str,
        sort=sort,
        descending=descending,
    )


def compare_kelurahan(
    *, period: Period, sort: str = "name", descending: bool = False
) -> list[Scorecard]:
    """The kelurahan of the city side by side (2 queries, 5 when not cached)."""
    return _compare(
        key="kelurahan",
        period=period,
        places=list(Kelurahan.objects.order_by("code")),
        ledger_field="kelurahan_id",
        activity_field="activity__kelurahan_id",
        ledger_filter=Q(),
        activity_filter=Q(),
        name=lambda kelurahan: kelurahan.name,
        sort=sort,
        descending=descending,
    )


def _across_figures(scope: Scope, periods: list[Period]) -> tuple[dict, dict, dict]:
    bases = dict(
        BaseEntry.objects.filter(scope.ledger(), period__in=periods)
        .values("period_id")
        .annotate(residents=Count("resident", distinct=True))
        .order_by()
        .values_list("period_id", "residents")
    )
    by_period: dict[int, dict[str, int]] = {}
    for period_id, stage, residents in (
        Participation.objects.filter(scope.ledger(), _counted(), period__in=periods)
        .values("period_id", "stage")
        .annotate(residents=Count("resident", distinct=True))
        .order_by()
        .values_list("period_id", "stage", "residents")
    ):
        by_period.setdefault(period_id, {})[stage] = residents
    sides: dict[int, dict[str, int]] = {}
    for period_id, side, count in (
        Evaluation.objects.filter(scope.activities(), activity__period__in=periods)
        .values("activity__period_id", "side")
        .annotate(evaluations=Count("pk"))
        .order_by()
        .values_list("activity__period_id", "side", "evaluations")
    ):
        sides.setdefault(period_id, {})[side] = count
    return bases, by_period, sides


def across_periods(*, scope: Scope, periods: list[Period]) -> list[Scorecard]:
    """The same scope in each period, oldest first (1 query, 4 when not cached, whatever the
    number of periods)."""
    if not periods:
        return []
    key = ",".join(f"{period.pk}:{period.starts_on}" for period in periods)
    bases, by_period, sides = _cached(
        f"periods:{scope.key}:{key}", lambda: _across_figures(scope, periods)
    )
    cards = []
    for period in sorted(periods, key=lambda p: p.starts_on):
        base = bases.get(period.pk, 0)
        card = Scorecard(
            scope_name=str(period),
            period=period,
            base=base,
            stages=_results(period, base, by_period.get(period.pk, {})),
            community_evaluations=sides.get(period.pk, {}).get(Side.COMMUNITY, 0),
            government_evaluations=sides.get(period.pk, {}).get(Side.GOVERNMENT, 0),
            key=(period.starts_on, period),
        )
        card.sentences = describe(card)
        cards.append(card)
    return cards
