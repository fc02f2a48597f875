"""The co-production scorecard: for a scope (an RT, a kelurahan, the city) and a period, how many
distinct residents took part in each stage, over the scope's base, against the period's
threshold.

It reads the participation ledger and the scorecard base only (plus this app's own
evaluations, to say who assessed). Every figure is an aggregate query over the live tables,
cached under the version of its kelurahan (``rtkeren.scopecache``). The services that write the
ledger, the base, the evaluations and the periods change those versions when they commit, so a
cached figure is never older than what they wrote.

The city's scorecard and its kelurahan side by side are never computed in one pass: the figures
are the sum of its kelurahan's (each cached as that kelurahan's own scorecard), less those who
count in two kelurahan because they moved between them during the period (a few residents, read
by two small queries). A write in one kelurahan then costs the next city reader that
kelurahan's figures alone, not the city's, and writers in different kelurahan share nothing.
The number of queries is fixed: none for an RT or a kelurahan when cached, two on a miss
(four for a comparison); for the city three, and three more when any kelurahan's figures are
missing. Only the city across periods, seldom asked, is counted in one pass, under a version
that changes with any kelurahan's.

The base of a period in a scope is the residents with a base entry of that period there
(``rtkeren.services.base``): verified, aged 17 or more at the period's start, and living in the
scope at some time during the period, each counted once. A participant counts when the base
holds them in the RT where the ledger places them (where they lived when they took part), so no
rate passes 100%; a closed period's base no longer changes, so neither does its scorecard.

Each stage also says who took part on their own account: residents with at least one row of
their own (not recorded on their behalf by a chair or officer), counted in the same query.

A closed period is read from the rows stored when it closed (``FrozenScorecard``, written by
``frozen_rows`` through the ``period_closing`` hook), not from the live tables: one query for a
scorecard, a comparison or the closed periods of a trend. A closed period without stored rows
(closed before they existed) is computed live, and says so.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rtkeren.models import RT, BaseEntry, Kelurahan, Participation, Period, Stage
from rtkeren.prepared import Prepared, totals
from rtkeren.scopecache import rt_scope_version, scope_version, scope_versions

from .models import Evaluation, FrozenScorecard, Side

STAGES = list(Stage)
CACHE_SECONDS = 60 * 60
#: The version of the rules the figures are computed by (who is in the base, who counts in a
#: stage), stored with every frozen scorecard; docs/scorecard.md lists what each version means.
DEFINITION = "2026.1"

# Distinct residents with at least one row of their own in a stage (not recorded on their behalf).
OWN = Count("resident", distinct=True, filter=Q(on_behalf=False))
# Evaluations by side, and the community's recorded on behalf of residents (only the community
# side can be: a database constraint).
ON_BEHALF = "on_behalf"


def _cache_key(key: str, version: str) -> str:
    return f"scorecard:{DEFINITION}:{version}:{key}"


def _cached(key: str, version: str, compute):
    """``compute()``, or its result computed before under the same scope ``version`` (read
    before computing, so that what is stored is never older than the version)."""
    cache_key = _cache_key(key, version)
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
        place, values = self.place_values()
        return self.own_rows_of(place, values["place"])

    def place_values(self) -> tuple[str, dict]:
        """What the scope is ("rt", "kelurahan" or "city") and its place's id (None for the
        city), as a prepared query takes them."""
        if self.rt is not None:
            return "rt", {"place": self.rt.pk}
        if self.kelurahan is not None:
            return "kelurahan", {"place": self.kelurahan.pk}
        return "city", {"place": None}

    @staticmethod
    def own_rows_of(place: str, place_id: int | None, through: str = "") -> Q:
        """The rows placed by an RT and kelurahan of their own (the ledger's, the base's,
        activities) in a place ``place_values`` names; ``through`` a relation to such rows
        (``"activity__"``: the rows about an activity of the place)."""
        if place == "city":
            return Q()
        return Q(**{f"{through}{place}": place_id})

    @property
    def is_city(self) -> bool:
        return self.kelurahan is None and self.rt is None

    def version(self) -> str:
        """The version of the scope's figures: an RT's own (which writes in its neighbours
        leave as it is), a kelurahan's; for the city, one that changes with any kelurahan's (1
        query, for the list of kelurahan)."""
        if self.rt is not None:
            return rt_scope_version(self.rt.rw.kelurahan_id, self.rt.pk)
        if self.kelurahan is not None:
            return scope_version(self.kelurahan.pk)
        versions = scope_versions(Kelurahan.objects.order_by("pk").values_list("pk", flat=True))
        return hashlib.sha256(":".join(versions.values()).encode()).hexdigest()

    @property
    def key(self) -> str:
        return f"{self.kelurahan.pk if self.kelurahan else '-'}:{self.rt.pk if self.rt else '-'}"

    def frozen(self) -> Q:
        """The scope's own row among the frozen scorecards."""
        if self.rt is not None:
            return Q(rt=self.rt)
        if self.kelurahan is not None:
            return Q(kelurahan=self.kelurahan, rt__isnull=True)
        return Q(kelurahan__isnull=True, rt__isnull=True)

    def own_activities(self) -> Q:
        """The scope's activities, as a filter of activities themselves."""
        return self.ledger()

    def activities(self) -> Q:
        place, values = self.place_values()
        return self.own_rows_of(place, values["place"], "activity__")


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
    # Participants with at least one row of their own; the others took part only through rows
    # a chair or officer recorded on their behalf.
    own: int = 0

    @property
    def on_behalf(self) -> int:
        return self.participants - self.own

    @property
    def rate(self) -> float | None:
        return rate_of(self.participants, self.base)

    @property
    def met(self) -> bool:
        return self.rate is not None and self.rate >= self.threshold

    @property
    def gap(self) -> float | None:
        """How many percentage points the rate falls short of the threshold (the threshold less
        the rate, both as shown), 0 when met; None without a base."""
        if self.rate is None:
            return None
        return 0.0 if self.met else round(self.threshold - self.rate, 1)

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
    community_on_behalf_evaluations: int = 0
    key: object = None
    sentences: list[str] = field(default_factory=list)
    # Read from the rows stored when the period closed: when, and by which definition.
    frozen_at: datetime.datetime | None = None
    definition: str = ""
    # The period is closed but nothing was stored when it closed: computed from live tables.
    unfrozen_closed: bool = False

    @property
    def met_count(self) -> int:
        return sum(result.met for result in self.stages)

    @property
    def below_count(self) -> int:
        return len(self.stages) - self.met_count

    @property
    def largest_gap(self) -> float | None:
        """The largest of the stages' gaps to their thresholds; None without a base."""
        gaps = [result.gap for result in self.stages if result.gap is not None]
        return max(gaps) if gaps else None

    @property
    def shortfall(self) -> tuple[int, float] | None:
        """How far below threshold: the stages below it, then the largest gap; None without a
        base (nothing to fall short of)."""
        if self.largest_gap is None:
            return None
        return (self.below_count, self.largest_gap)

    def result(self, stage: str) -> StageResult:
        return next(result for result in self.stages if result.stage == stage)

    def rate(self, stage: str) -> float:
        return self.result(stage).rate or 0.0


def _counted() -> Exists:
    """Ledger rows whose resident the base holds in the row's period and RT (a semi-join). The
    RT fixes the kelurahan; naming it too lets PostgreSQL read only the base entries of the
    kelurahan asked for (``base_entry_kel``), not the whole city's (56 ms to 9 ms for one
    kelurahan)."""
    return Exists(
        BaseEntry.objects.filter(
            period=OuterRef("period"),
            kelurahan=OuterRef("kelurahan"),
            resident=OuterRef("resident"),
            rt=OuterRef("rt"),
        )
    )


def _base_residents(period: Period | int):
    return BaseEntry.objects.filter(period=period)


def _results(period: Period, base: int, by_stage: dict[str, tuple[int, int]]) -> list[StageResult]:
    """``by_stage``: stage -> (participants, of whom with a row of their own)."""
    results = []
    for stage in STAGES:
        participants, own = by_stage.get(stage.value, (0, 0))
        results.append(
            StageResult(stage, participants, base, period.threshold(stage.value), own=own)
        )
    return results


def _card(
    *, scope_name: str, period: Period, base: int, by_stage: dict, sides: dict, key=None
) -> Scorecard:
    """A scorecard from live figures: ``sides`` maps the sides and ``ON_BEHALF`` to counts."""
    card = Scorecard(
        scope_name=scope_name,
        period=period,
        base=base,
        stages=_results(period, base, by_stage),
        community_evaluations=sides.get(Side.COMMUNITY, 0),
        government_evaluations=sides.get(Side.GOVERNMENT, 0),
        community_on_behalf_evaluations=sides.get(ON_BEHALF, 0),
        key=key,
        unfrozen_closed=not period.is_open,
    )
    card.sentences = describe(card)
    return card


def _frozen_card(row: FrozenScorecard, *, scope_name: str, period: Period, key=None) -> Scorecard:
    """A scorecard as stored when its period closed, thresholds included."""
    card = Scorecard(
        scope_name=scope_name,
        period=period,
        base=row.base,
        stages=[
            StageResult(
                stage,
                getattr(row, stage.value),
                row.base,
                getattr(row, f"threshold_{stage.value}"),
                own=getattr(row, f"{stage.value}_own"),
            )
            for stage in STAGES
        ],
        community_evaluations=row.community_evaluations,
        government_evaluations=row.government_evaluations,
        community_on_behalf_evaluations=row.community_on_behalf_evaluations,
        key=key,
        frozen_at=row.frozen_at,
        definition=row.definition,
    )
    card.sentences = describe(card)
    return card


def describe(card: Scorecard) -> list[str]:
    """A few sentences in the reader's language that say what the figures mean."""
    if not card.base:
        return [
            _(
                "No confirmed resident aged 17 or more lived here during this period, so there is "
                "no rate."
            )
        ]
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
    elif not card.result(Stage.ASSESSMENT).met:
        sentences.extend(_who_evaluated(card))
    return sentences


def _who_evaluated(card: Scorecard) -> list[str]:
    """Below the co-assessment threshold: which side evaluated, in what proportion, and how many
    of the residents' evaluations a chair or officer recorded on their behalf."""
    community, government = card.community_evaluations, card.government_evaluations
    total = community + government
    if not total:
        return []
    values = {"community": community, "government": government, "total": total}
    if government:
        sentences = [
            ngettext(
                "In co-assessment, only %(community)s of %(total)s evaluation came from "
                "residents; %(government)s came from the government side.",
                "In co-assessment, only %(community)s of %(total)s evaluations came from "
                "residents; %(government)s came from the government side.",
                total,
            )
            % values
        ]
    else:
        sentences = [
            ngettext(
                "In co-assessment, the %(total)s evaluation came from residents; the government "
                "side did not evaluate.",
                "In co-assessment, all %(total)s evaluations came from residents; the "
                "government side did not evaluate.",
                total,
            )
            % values
        ]
    on_behalf = card.community_on_behalf_evaluations
    if on_behalf:
        sentences.append(
            ngettext(
                "%(count)s of the residents' evaluations was recorded by an RT chair or officer "
                "on the resident's behalf.",
                "%(count)s of the residents' evaluations were recorded by an RT chair or "
                "officer on the residents' behalf.",
                on_behalf,
            )
            % {"count": on_behalf}
        )
    return sentences


def _card_figures(scope: Scope, period: Period) -> tuple[int, dict[str, int], dict[str, int]]:
    place, values = scope.place_values()
    values = {**values, "period": period.pk}
    [(base,)] = Prepared(BaseEntry, _base_query, place, values).tuples()
    by_stage, sides = {}, {Side.COMMUNITY: 0, Side.GOVERNMENT: 0, ON_BEHALF: 0}
    for label, count, of_which in Prepared(Participation, _stages_query, place, values).tuples():
        if label in Side.values:
            _add_side(sides, label, count, of_which)
        else:
            by_stage[label] = (count, of_which)
    return base, by_stage, sides


# A card's two queries, prepared (``rtkeren.prepared``): on a miss, each RT's card is read by
# the same SQL with its own values. ``place`` is what ``Scope.place_values`` names.


def _base_query(place: str, values):
    """The scope's base: one row, the number of residents."""
    residents = _base_residents(values["period"]).filter(Scope.own_rows_of(place, values["place"]))
    return totals(residents, residents=Count("resident", distinct=True))


def _stages_query(place: str, values):
    """The participants per stage and the evaluations per side, in one query (a stage's value
    is never a side's)."""
    participants = (
        Participation.objects.filter(
            Scope.own_rows_of(place, values["place"]), _counted(), period=values["period"]
        )
        .values("stage")
        .annotate(residents=Count("resident", distinct=True), own=OWN)
        .order_by()
        .values_list("stage", "residents", "own")
    )
    evaluations = (
        Evaluation.objects.filter(
            Scope.own_rows_of(place, values["place"], "activity__"),
            activity__period=values["period"],
        )
        .values("side")
        .annotate(evaluations=Count("pk"), on_behalf=Count("pk", filter=Q(on_behalf=True)))
        .order_by()
        .values_list("side", "evaluations", "on_behalf")
    )
    return participants.union(evaluations, all=True)


def _card_key(scope_key: str, period: Period) -> str:
    return f"card:{scope_key}:{period.pk}:{period.starts_on}"


def _by_kelurahan(period: Period, kelurahan_ids: list[int]) -> dict[int, tuple]:
    """Each kelurahan's figures in ``period``, shared with its own scorecard's cache: read
    together, and those not cached computed in one pass (none, 3 when any is missing)."""
    versions = scope_versions(kelurahan_ids)
    keys = {
        pk: _cache_key(_card_key(Scope(kelurahan=Kelurahan(pk=pk)).key, period), versions[pk])
        for pk in kelurahan_ids
    }
    found = cache.get_many(list(keys.values()))
    figures = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in kelurahan_ids if pk not in figures]
    if missing:
        bases, by_place, sides = _compare_figures(
            period=period,
            **{
                **KELURAHAN_FIELDS,
                "ledger_filter": Q(kelurahan_id__in=missing),
                "activity_filter": Q(activity__kelurahan_id__in=missing),
            },
        )
        computed = {
            pk: (bases.get(pk, 0), by_place.get(pk, {}), sides.get(pk, {})) for pk in missing
        }
        cache.set_many({keys[pk]: computed[pk] for pk in missing}, CACHE_SECONDS)
        figures.update(computed)
    return figures


def _counted_twice(period: Period) -> tuple[int, dict[str, tuple[int, int]]]:
    """How many more times than once the kelurahan's figures together count the residents the
    base holds in more than one kelurahan in ``period`` (they moved between them: a few): in the
    base, and per stage among the participants and those with a row of their own (2 queries,
    the second only when there are such residents)."""
    places = defaultdict(set)
    values = {"period": period.pk}
    for resident, kelurahan in Prepared(BaseEntry, _moved_entries, (), values).tuples():
        places[resident].add(kelurahan)
    movers = [resident for resident, kelurahan in places.items() if len(kelurahan) > 1]
    base_extra = sum(len(places[resident]) - 1 for resident in movers)
    if not movers:
        return base_extra, {}
    taken, own = defaultdict(set), defaultdict(set)
    for resident, stage, kelurahan, on_behalf in (
        Participation.objects.filter(_counted(), period=period, resident__in=movers)
        .values_list("resident", "stage", "kelurahan", "on_behalf")
        .order_by()
        .distinct()
    ):
        taken[stage, resident].add(kelurahan)
        if not on_behalf:
            own[stage, resident].add(kelurahan)
    extra = defaultdict(lambda: [0, 0])
    for (stage, _resident), kelurahan in taken.items():
        extra[stage][0] += len(kelurahan) - 1
    for (stage, _resident), kelurahan in own.items():
        extra[stage][1] += len(kelurahan) - 1
    return base_extra, {stage: tuple(counts) for stage, counts in extra.items()}


def _moved_entries(shape: tuple, values: dict) -> QuerySet:
    """The base's entries, in each kelurahan, of the residents whose entry in one ended in
    the period: those who may be in more than one."""
    ended = BaseEntry.objects.filter(period=values["period"], until__isnull=False)
    return BaseEntry.objects.filter(
        period=values["period"], resident__in=ended.values("resident")
    ).values_list("resident", "kelurahan")


def _kelurahan_ids(shape: tuple, values: dict) -> QuerySet:
    return Kelurahan.objects.order_by("pk").values_list("pk")


def _city_figures(period: Period) -> tuple[int, dict, dict]:
    """The city's figures in ``period``: its kelurahan's, added up, less those counted twice
    (see the module's text)."""
    kelurahan_ids = [pk for (pk,) in Prepared(Kelurahan, _kelurahan_ids, (), {}).tuples()]
    base, by_stage, sides = 0, defaultdict(lambda: [0, 0]), defaultdict(int)
    for place_base, place_stages, place_sides in _by_kelurahan(period, kelurahan_ids).values():
        base += place_base
        for stage, (participants, own) in place_stages.items():
            by_stage[stage][0] += participants
            by_stage[stage][1] += own
        for side, count in place_sides.items():
            sides[side] += count
    base_extra, stage_extra = _counted_twice(period)
    for stage, (participants, own) in stage_extra.items():
        by_stage[stage][0] -= participants
        by_stage[stage][1] -= own
    sides = {
        Side.COMMUNITY: sides[Side.COMMUNITY],
        Side.GOVERNMENT: sides[Side.GOVERNMENT],
        ON_BEHALF: sides[ON_BEHALF],
    }
    return base - base_extra, {stage: tuple(counts) for stage, counts in by_stage.items()}, sides


def _figures(scope: Scope, period: Period) -> tuple[int, dict, dict]:
    if scope.is_city:
        return _city_figures(period)
    return _cached(
        _card_key(scope.key, period), scope.version(), lambda: _card_figures(scope, period)
    )


def scorecard(*, scope: Scope, period: Period) -> Scorecard:
    """The scorecard of one scope and period (see the module's text for its queries; a closed
    period 1, from its stored row)."""
    if not period.is_open:
        row = FrozenScorecard.objects.filter(scope.frozen(), period=period).first()
        if row is not None:
            return _frozen_card(row, scope_name=scope.name, period=period)
    base, by_stage, sides = _figures(scope, period)
    return _card(scope_name=scope.name, period=period, base=base, by_stage=by_stage, sides=sides)


SORTS = {stage.value for stage in STAGES}
SORT_CHOICES = ("shortfall", "name", "base", "met", *SORTS)
#: The places furthest below threshold first: the order a comparison opens in.
DEFAULT_SORT = "shortfall"


def _sort_value(sort: str):
    if sort == "base":
        return lambda card: card.base
    if sort == "met":
        return lambda card: card.met_count
    if sort == "shortfall":
        return lambda card: card.shortfall
    if sort in SORTS:
        return lambda card: card.rate(sort)
    return None


def _sorted(cards: list[Scorecard], sort: str, descending: bool) -> list[Scorecard]:
    """By a stage's rate, the base, the number of stages met, the shortfall, or the places' own
    order; ties keep the places' own order either way. Places without a base have no shortfall
    and come last when sorted by it, whichever the direction."""
    in_order = sorted(cards, key=lambda card: card.key[0])
    value = _sort_value(sort)
    if value is None:
        return in_order[::-1] if descending else in_order
    if sort == "shortfall":
        unmeasured = [card for card in in_order if card.shortfall is None]
        in_order = [card for card in in_order if card.shortfall is not None]
        return sorted(in_order, key=value, reverse=descending) + unmeasured
    return sorted(in_order, key=value, reverse=descending)


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
    by_place: dict[int, dict[str, tuple[int, int]]] = {}
    for place_id, stage, residents, own in (
        Participation.objects.filter(ledger_filter, _counted(), period=period)
        .values(ledger_field, "stage")
        .annotate(residents=Count("resident", distinct=True), own=OWN)
        .order_by()
        .values_list(ledger_field, "stage", "residents", "own")
    ):
        by_place.setdefault(place_id, {})[stage] = (residents, own)
    sides: dict[int, dict[str, int]] = {}
    for place_id, side, count, on_behalf in _evaluations_by(
        Evaluation.objects.filter(activity_filter, activity__period=period), activity_field
    ):
        _add_side(sides.setdefault(place_id, {}), side, count, on_behalf)
    return base, by_place, sides


def _evaluations_by(evaluations, field_name: str):
    """(value of ``field_name``, side, evaluations, of which recorded on behalf) rows."""
    return (
        evaluations.values(field_name, "side")
        .annotate(evaluations=Count("pk"), on_behalf=Count("pk", filter=Q(on_behalf=True)))
        .order_by()
        .values_list(field_name, "side", "evaluations", "on_behalf")
    )


def _add_side(sides: dict[str, int], side: str, count: int, on_behalf: int) -> None:
    sides[side] = count
    sides[ON_BEHALF] = sides.get(ON_BEHALF, 0) + on_behalf


def _compare(
    *,
    period: Period,
    places: list,
    name,
    sort: str,
    descending: bool,
    frozen_field: str,
    figures,
) -> list[Scorecard]:
    """``places`` side by side: from their stored rows in a closed period, else from
    ``figures()``, (bases, stages, sides) each by place id."""
    if not period.is_open:
        frozen = _frozen_places(period, places, frozen_field)
        if frozen:
            return _sorted(
                [
                    _frozen_card(
                        frozen[place.pk], scope_name=name(place), period=period, key=(index, place)
                    )
                    for index, place in enumerate(places)
                    if place.pk in frozen
                ],
                sort,
                descending,
            )
    base, by_place, sides = figures()
    cards = [
        _card(
            scope_name=name(place),
            period=period,
            base=base.get(place.pk, 0),
            by_stage=by_place.get(place.pk, {}),
            sides=sides.get(place.pk, {}),
            key=(index, place),
        )
        for index, place in enumerate(places)
    ]
    return _sorted(cards, sort, descending)


def _frozen_places(period: Period, places: list, frozen_field: str) -> dict:
    """The stored rows of ``places`` (RTs or kelurahan, by ``frozen_field``) in a closed period,
    by place id (1 query). A place added after the period closed has none, and is left out."""
    rows = FrozenScorecard.objects.filter(
        period=period, **{f"{frozen_field}__in": [place.pk for place in places]}
    )
    if frozen_field == "kelurahan_id":
        rows = rows.filter(rt__isnull=True)
    return {getattr(row, frozen_field): row for row in rows}


def compare_rts(
    *, kelurahan: Kelurahan, period: Period, sort: str = "name", descending: bool = False
) -> list[Scorecard]:
    """The RTs of a kelurahan side by side (1 query, 4 when not cached)."""
    rts = list(RT.objects.filter(rw__kelurahan=kelurahan).select_related("rw"))
    return _compare(
        period=period,
        places=rts,
        frozen_field="rt_id",
        name=str,
        sort=sort,
        descending=descending,
        figures=lambda: _cached(
            f"compare:rts:{kelurahan.pk}:{period.pk}:{period.starts_on}",
            scope_version(kelurahan.pk),
            lambda: _compare_figures(
                period=period,
                ledger_field="rt_id",
                activity_field="activity__rt_id",
                ledger_filter=Q(kelurahan=kelurahan),
                activity_filter=Q(activity__kelurahan=kelurahan),
            ),
        ),
    )


# How the ledger, the base and the evaluations name the kelurahan, and the RT, of a row,
# city-wide (for ``_compare_figures``).
KELURAHAN_FIELDS = {
    "ledger_field": "kelurahan_id",
    "activity_field": "activity__kelurahan_id",
    "ledger_filter": Q(),
    "activity_filter": Q(),
}
RT_FIELDS = {
    "ledger_field": "rt_id",
    "activity_field": "activity__rt_id",
    "ledger_filter": Q(),
    "activity_filter": Q(),
}


def compare_all_rts(*, period: Period, kelurahan: Kelurahan | None = None) -> list[Scorecard]:
    """Every RT of one kelurahan, or of the whole city, kelurahan by kelurahan in the order of
    their codes (open data): each kelurahan's figures from ``compare_rts``, so from its cache
    while nothing in that kelurahan changed (1 query a kelurahan, 4 when not cached)."""
    places = [kelurahan] if kelurahan is not None else Kelurahan.objects.order_by("code")
    return [card for place in places for card in compare_rts(kelurahan=place, period=period)]


def compare_kelurahan(
    *, period: Period, sort: str = "name", descending: bool = False
) -> list[Scorecard]:
    """The kelurahan of the city side by side, from each kelurahan's own cached figures (1
    query, 4 when any kelurahan's figures are not cached)."""
    places = list(Kelurahan.objects.order_by("code"))

    def figures():
        by_kelurahan = _by_kelurahan(period, [place.pk for place in places])
        return tuple(
            {pk: place_figures[part] for pk, place_figures in by_kelurahan.items()}
            for part in range(3)
        )

    return _compare(
        period=period,
        places=places,
        frozen_field="kelurahan_id",
        name=lambda kelurahan: kelurahan.name,
        sort=sort,
        descending=descending,
        figures=figures,
    )


def _across_figures(scope: Scope, periods: list[Period]) -> tuple[dict, dict, dict]:
    bases = dict(
        BaseEntry.objects.filter(scope.ledger(), period__in=periods)
        .values("period_id")
        .annotate(residents=Count("resident", distinct=True))
        .order_by()
        .values_list("period_id", "residents")
    )
    by_period: dict[int, dict[str, tuple[int, int]]] = {}
    for period_id, stage, residents, own in (
        Participation.objects.filter(scope.ledger(), _counted(), period__in=periods)
        .values("period_id", "stage")
        .annotate(residents=Count("resident", distinct=True), own=OWN)
        .order_by()
        .values_list("period_id", "stage", "residents", "own")
    ):
        by_period.setdefault(period_id, {})[stage] = (residents, own)
    sides: dict[int, dict[str, int]] = {}
    for period_id, side, count, on_behalf in _evaluations_by(
        Evaluation.objects.filter(scope.activities(), activity__period__in=periods),
        "activity__period_id",
    ):
        _add_side(sides.setdefault(period_id, {}), side, count, on_behalf)
    return bases, by_period, sides


def across_periods(*, scope: Scope, periods: list[Period]) -> list[Scorecard]:
    """The same scope in each period, oldest first (none, 3 when not cached, whatever the
    number of periods; the city 1 more, and counted in one pass, after a write anywhere, since
    this view is seldom asked). Closed periods come from their stored rows (1 query more when
    there are closed periods, none of the live ones when all of them are stored)."""
    if not periods:
        return []
    closed = [period for period in periods if not period.is_open]
    frozen = (
        {
            row.period_id: row
            for row in FrozenScorecard.objects.filter(scope.frozen(), period__in=closed)
        }
        if closed
        else {}
    )
    live = [period for period in periods if period.pk not in frozen]
    bases, by_period, sides = {}, {}, {}
    if live:
        key = ",".join(f"{period.pk}:{period.starts_on}" for period in live)
        bases, by_period, sides = _cached(
            f"periods:{scope.key}:{key}", scope.version(), lambda: _across_figures(scope, live)
        )
    cards = []
    for period in sorted(periods, key=lambda p: p.starts_on):
        if period.pk in frozen:
            cards.append(
                _frozen_card(
                    frozen[period.pk],
                    scope_name=str(period),
                    period=period,
                    key=(period.starts_on, period),
                )
            )
            continue
        cards.append(
            _card(
                scope_name=str(period),
                period=period,
                base=bases.get(period.pk, 0),
                by_stage=by_period.get(period.pk, {}),
                sides=sides.get(period.pk, {}),
                key=(period.starts_on, period),
            )
        )
    return cards


def frozen_rows(period: Period, *, frozen_at: datetime.datetime) -> list[FrozenScorecard]:
    """The scorecards of the city, every kelurahan and every RT in ``period``, computed live
    and unsaved, for ``period_closing`` (11 queries whatever the number of places: the city's
    three, three for all kelurahan, three for all RTs, and the two lists of places)."""
    # The city's figures in the shape of a comparison's, under the place id None.
    city = tuple({None: figures} for figures in _card_figures(Scope(), period))
    by_kelurahan = _compare_figures(period=period, **KELURAHAN_FIELDS)
    by_rt = _compare_figures(period=period, **RT_FIELDS)
    kelurahan_ids = Kelurahan.objects.values_list("pk", flat=True).order_by("pk")
    rt_ids = RT.objects.values_list("pk", flat=True).order_by("pk")

    def row(figures, place_id, **scope) -> FrozenScorecard:
        bases, by_place, all_sides = figures
        base = bases.get(place_id, 0)
        by_stage = by_place.get(place_id, {})
        sides = all_sides.get(place_id, {})
        stages = {}
        for result in _results(period, base, by_stage):
            stages[result.stage.value] = result.participants
            stages[f"{result.stage.value}_own"] = result.own
            stages[f"threshold_{result.stage.value}"] = result.threshold
        return FrozenScorecard(
            period=period,
            base=base,
            **stages,
            community_evaluations=sides.get(Side.COMMUNITY, 0),
            government_evaluations=sides.get(Side.GOVERNMENT, 0),
            community_on_behalf_evaluations=sides.get(ON_BEHALF, 0),
            definition=DEFINITION,
            frozen_at=frozen_at,
            **scope,
        )

    return [
        row(city, None),
        *(row(by_kelurahan, pk, kelurahan_id=pk) for pk in kelurahan_ids),
        *(row(by_rt, pk, rt_id=pk) for pk in rt_ids),
    ]
