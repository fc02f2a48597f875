"""Reads of co-assessment, each with a number of queries that does not grow with the rows."""

import datetime
import re
from dataclasses import dataclass
from functools import cache

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rtkeren import scopes
from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    ActivityTransition,
    Kelurahan,
    Participation,
    Period,
    Resident,
    Role,
    RoleAssignment,
    Stage,
    User,
)
from rtkeren.prepared import Prepared, id_value, totals
from rtkeren.registry import UnfinishedOutput, unfinished_outputs_of
from rtkeren.scopecache import PUBLIC_TIMEOUT, cached_for_public, cached_public_records
from rtkeren.selectors.activities import (
    activities_visible_to,
    activity_scope,
    home_kelurahan_ids,
    scope_activities,
)
from rtkeren.selectors.counting import SubqueryCount
from rtkeren.selectors.residents import acting_resident

from .models import (
    SCORE_MAX,
    Criterion,
    Evaluation,
    EvaluationRound,
    FollowUp,
    ForumAttendance,
    Score,
    Side,
)
from .scorecard import Scope

DIVERGENCE = 1
BAR_STEP = 5


# The evaluation window: from the moment the activity was delivered (its timeline entry), for
# the period's number of days.


@cache
def _delivered_at_subquery() -> Subquery:
    # Built once per process, as ``budget_per_row``: a queryset resolves a copy of it.
    return Subquery(
        ActivityTransition.objects.filter(
            activity=OuterRef("pk"), to_status=ActivityStatus.DELIVERED
        )
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def with_delivered_at(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    return queryset.annotate(delivered_at=_delivered_at_subquery())


def delivered_at(activity: Activity) -> datetime.datetime:
    """When the activity was delivered: annotated by the list queries, else read once."""
    value = getattr(activity, "delivered_at", None)
    if value is None:
        value = (
            ActivityTransition.objects.filter(activity=activity, to_status=ActivityStatus.DELIVERED)
            .order_by("-at", "-pk")
            .values_list("at", flat=True)
            .first()
        )
        # An activity put in place without a timeline (the admin, old data): its last change.
        activity.delivered_at = value or activity.status_changed_at
    return activity.delivered_at


def window_closes_at(activity: Activity) -> datetime.datetime:
    return delivered_at(activity) + datetime.timedelta(days=activity.period.evaluation_window_days)


def window_open_condition(now: datetime.datetime) -> Q:
    """Activities (annotated with ``delivered_at``) whose window is open at ``now``: delivered
    within their own period's number of days. One comparison with the period joined, not a
    query of the periods and a condition per period (each repeating the ``delivered_at``
    subquery)."""
    # SQLite multiplies a duration by an IntegerField alone, not by a PositiveSmallIntegerField.
    days = ExpressionWrapper(F("period__evaluation_window_days"), output_field=IntegerField())
    window = ExpressionWrapper(
        days * Value(datetime.timedelta(days=1)), output_field=DurationField()
    )
    return Q(status=ActivityStatus.DELIVERED, delivered_at__gt=Value(now) - window)


# Who evaluates what.


def participations_of(user) -> QuerySet[Participation]:
    """The delivery ledger rows of the resident the user acts as (none for an account the RT
    chair has not confirmed: a claimed entry's attendance is not the claimant's)."""
    resident = acting_resident(user)
    if resident is None:
        return Participation.objects.none()
    return Participation.objects.filter(stage=Stage.DELIVERY, resident=resident)


def _evaluator_values(user) -> dict:
    """What ``_may_evaluate_of`` and ``_mine_of`` read of ``user``, as prepared values."""
    resident = acting_resident(user)
    return {
        "evaluator": user.pk,
        "resident": resident.pk if resident is not None else None,
        "evaluates_official": id_value(scopes.official_kelurahan_ids(user)),
        "evaluates_rts": id_value(scopes.rt_ids(user, Role.RT_CHAIR, Role.POKMAS_MEMBER)),
        "evaluates_rws": id_value(scopes.rw_ids(user, Role.RW_CHAIR)),
        "evaluates_communities": id_value(scopes.community_ids(user)),
    }


def _may_evaluate_of(values: dict) -> Q:
    """The activities the evaluator of ``values`` may evaluate by role or participation
    (``may_evaluate``): their delivery ledger rows, when the account acts as a resident (none
    for an account the RT chair has not confirmed: a claimed entry's attendance is not the
    claimant's)."""
    condition = Q(pk__in=[])
    if values["resident"] is not None:
        condition = Q(
            pk__in=Participation.objects.filter(
                stage=Stage.DELIVERY, resident=values["resident"]
            ).values("activity_id")
        )
    for field, name in (
        ("kelurahan__in", "evaluates_official"),
        ("rt__in", "evaluates_rts"),
        ("rt__rw__in", "evaluates_rws"),
        ("community__in", "evaluates_communities"),
    ):
        if values[name]:
            condition |= Q(**{field: values[name]})
    return condition


def _mine_of(values: dict) -> Q:
    """Evaluations by the evaluator of ``values``, or by the resident they act as."""
    if values["resident"] is None:
        return Q(evaluator=values["evaluator"])
    return Q(evaluator=values["evaluator"]) | Q(resident=values["resident"])


def evaluations_to_do(user) -> Prepared:
    """Delivered activities the user may see and evaluate, whose window is open and which they
    have not evaluated: for a count (the home page's reminder), without the list's columns; a
    prepared query (``rtkeren.prepared``), the clock's time among its values."""
    scope, values = activity_scope(user)
    values = {**values, **_evaluator_values(user), "now": timezone.now()}
    return Prepared(Activity, _evaluations_to_do, scope, values)


def _evaluations_to_do(scope: str, values: dict) -> QuerySet[Activity]:
    return with_delivered_at(
        scope_activities(scope, values).filter(status=ActivityStatus.DELIVERED)
    ).filter(
        window_open_condition(values["now"]),
        _may_evaluate_of(values),
        ~Exists(Evaluation.objects.filter(_mine_of(values), activity=OuterRef("pk"))),
    )


def evaluation_activities(*, user, to_do: bool = False) -> Prepared:
    """Delivered and evaluated activities the user may see, with the number of evaluators on
    each side and whether the user has evaluated; ``to_do``: only those waiting for them (the
    same as ``evaluations_to_do``). A prepared query (``rtkeren.prepared``), the clock's time
    among its values for ``to_do``."""
    scope, values = activity_scope(user)
    values = {**values, **_evaluator_values(user)}
    if to_do:
        values["now"] = timezone.now()
    return Prepared(Activity, _evaluation_activities, (scope, to_do), values)


def _evaluation_activities(shape: tuple[str, bool], values: dict) -> QuerySet[Activity]:
    scope, to_do = shape
    queryset = with_delivered_at(
        scope_activities(scope, values)
        .filter(status__in=(ActivityStatus.DELIVERED, ActivityStatus.EVALUATED))
        .select_related("kelurahan", "rt__rw", "period")
    ).annotate(
        community_count=Count("evaluations", filter=Q(evaluations__side=Side.COMMUNITY)),
        government_count=Count("evaluations", filter=Q(evaluations__side=Side.GOVERNMENT)),
        evaluated_by_me=Exists(
            Evaluation.objects.filter(_mine_of(values), activity=OuterRef("pk"))
        ),
    )
    if to_do:
        queryset = queryset.filter(
            window_open_condition(values["now"]), _may_evaluate_of(values)
        ).filter(evaluated_by_me=False)
    return queryset.order_by("-status_changed_at", "-pk")


def evaluated_activity_queryset(user) -> QuerySet[Activity]:
    """Activities whose evaluation pages the user may open (others: 404)."""
    return evaluated_activities(user).queryset()


def evaluated_activities(user) -> Prepared:
    """``evaluated_activity_queryset``, built and compiled once per shape
    (``rtkeren.prepared``)."""
    scope, values = activity_scope(user)
    return Prepared(Activity, _evaluated_activities, scope, values)


def _evaluated_activities(scope: str, values: dict) -> QuerySet[Activity]:
    return (
        scope_activities(scope, values)
        .filter(status__in=(ActivityStatus.DELIVERED, ActivityStatus.EVALUATED))
        .select_related("kelurahan", "rt__rw", "period", "community")
    )


def own_evaluation(*, user, activity: Activity, with_scores: bool = True) -> Evaluation | None:
    """The user's own evaluation of ``activity``, with its scores unless ``with_scores`` is
    False (a page that shows none of them); a prepared query (``rtkeren.prepared``)."""
    resident = acting_resident(user)
    values = {
        "evaluator": user.pk,
        "resident": resident.pk if resident is not None else None,
        "activity": activity.pk,
    }
    rows = Prepared(Evaluation, _own_evaluation, with_scores, values).rows()
    return rows[0] if rows else None


def _own_evaluation(with_scores: bool, values: dict) -> QuerySet[Evaluation]:
    # The newest (``Meta.ordering``), as ``first()`` reads it.
    evaluations = Evaluation.objects.filter(_mine_of(values), activity=values["activity"])
    if with_scores:
        evaluations = evaluations.prefetch_related("scores")
    return evaluations.select_related("recorded_by")[:1]


def participants(activity: Activity) -> QuerySet[Resident]:
    """Residents who attended or implemented the activity, from the delivery ledger."""
    return Resident.objects.filter(
        pk__in=Participation.objects.filter(activity=activity, stage=Stage.DELIVERY).values(
            "resident_id"
        )
    ).order_by("name", "pk")


def residents_without_evaluation(activity: Activity) -> QuerySet[Resident]:
    return participants(activity).exclude(evaluations__activity=activity)


def criteria_for() -> list[Criterion]:
    """The criteria in use, read from the database (a prepared query, ``rtkeren.prepared``): the
    evaluation form asks for them, and the service checks a submission against them. The
    side-by-side, which also shows those no longer in use an activity was scored on, takes them
    from ``all_criteria``."""
    return Prepared(Criterion, _criteria, (), {}).rows()


def _criteria(shape: tuple, values: dict) -> QuerySet[Criterion]:
    return Criterion.objects.active().order_by("order", "pk")


def all_criteria() -> list[Criterion]:
    """Every criterion, in order, those no longer in use too: kept in the cache as the public
    records they are (a criterion saved anywhere renews them; ``cached_public_records``)."""
    return cached_public_records("criteria", Criterion, "order", "pk")


# The side-by-side view.


def bar_class(value: float | None) -> str:
    """A CSS class for a bar as wide as ``value`` out of SCORE_MAX, in steps of BAR_STEP %
    (a fixed set of classes, since a page has no style attributes)."""
    if value is None:
        return "bar-w-0"
    percent = round(value / SCORE_MAX * 100 / BAR_STEP) * BAR_STEP
    return f"bar-w-{max(0, min(100, percent))}"


@dataclass
class SideAverage:
    average: float | None
    scores: int

    @property
    def bar(self) -> str:
        return bar_class(self.average)


@dataclass
class CriterionRow:
    criterion: Criterion
    community: SideAverage
    government: SideAverage

    @property
    def difference(self) -> float | None:
        if self.community.average is None or self.government.average is None:
            return None
        return round(self.community.average - self.government.average, 1)

    @property
    def diverges(self) -> bool:
        return self.difference is not None and abs(self.difference) >= DIVERGENCE


@dataclass
class SideBySide:
    rows: list[CriterionRow]
    community_evaluators: int
    government_evaluators: int
    on_behalf: int

    @property
    def divergent(self) -> list[CriterionRow]:
        return [row for row in self.rows if row.diverges]

    @property
    def is_empty(self) -> bool:
        return not (self.community_evaluators or self.government_evaluators)


def side_by_side(activity: Activity) -> SideBySide:
    """Per criterion, the average of each side; and how many evaluated on each (2 queries,
    prepared: ``rtkeren.prepared``; the criteria from the cache of public records)."""
    values = {"activity": activity.pk}
    averages = {
        (criterion_id, side): (average, scores)
        for criterion_id, side, average, scores in Prepared(
            Score, _score_averages, (), values
        ).tuples()
    }

    def side(criterion: Criterion, name: str) -> SideAverage:
        found = averages.get((criterion.pk, name))
        if found is None:
            return SideAverage(None, 0)
        return SideAverage(round(found[0], 1), found[1])

    [(community, government, on_behalf)] = Prepared(
        Evaluation, _evaluator_counts, (), values
    ).tuples()
    # The criteria in use, and those no longer in use the activity was scored on, without a
    # query of their own: the scores read above name those.
    scored = {criterion_id for criterion_id, _side in averages}
    return SideBySide(
        rows=[
            CriterionRow(c, side(c, Side.COMMUNITY), side(c, Side.GOVERNMENT))
            for c in all_criteria()
            if c.is_active or c.pk in scored
        ],
        community_evaluators=community,
        government_evaluators=government,
        on_behalf=on_behalf,
    )


def _score_averages(shape: tuple, values: dict) -> QuerySet[Score]:
    return (
        Score.objects.filter(evaluation__activity=values["activity"])
        .values("criterion_id", "evaluation__side")
        .annotate(average=Avg("value"), scores=Count("pk"))
        .values_list("criterion_id", "evaluation__side", "average", "scores")
        .order_by()
    )


def _evaluator_counts(shape: tuple, values: dict) -> QuerySet[Evaluation]:
    """The activity's evaluators on each side and those recorded on a resident's behalf."""
    return totals(
        Evaluation.objects.filter(activity=values["activity"]),
        community=Count("pk", filter=Q(side=Side.COMMUNITY)),
        government=Count("pk", filter=Q(side=Side.GOVERNMENT)),
        on_behalf=Count("pk", filter=Q(on_behalf=True)),
    )


def evaluation_comments(activity: Activity) -> Prepared:
    """Evaluations with obstacles or suggestions, newest first (a prepared query,
    ``rtkeren.prepared``)."""
    # The same plan for every activity measured, which PostgreSQL planned again on every read
    # (0,8 to 1,2 ms): it runs on its generic plan.
    values = {"activity": activity.pk}
    return Prepared(Evaluation, _evaluation_comments, (), values, generic_plan=True)


#: What ``str()`` of an account reads.
_USER_NAME_FIELDS = ("first_name", "last_name", "username")
#: What the page of comments shows of each: the people by their names alone (no password
#: hash, no NIK read with every comment).
_COMMENT_FIELDS = (
    "side",
    "on_behalf",
    "obstacles",
    "suggestions",
    "created_at",
    "resident__name",
    *(f"{user}__{name}" for user in ("evaluator", "recorded_by") for name in _USER_NAME_FIELDS),
)


def _evaluation_comments(shape: tuple, values: dict) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(activity=values["activity"])
        .exclude(obstacles="", suggestions="")
        .select_related("evaluator", "resident", "recorded_by")
        .only(*_COMMENT_FIELDS)
        # Counted per row, not by a join grouped over the row and its three accounts: planned
        # in a third of the time (PostgreSQL plans this query for each run's values).
        .annotate(follow_up_count=SubqueryCount(FollowUp.objects.filter(evaluation=OuterRef("pk"))))
        .order_by("-created_at", "-pk")
    )


# Follow-ups.


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    queryset = FollowUp.objects.all()
    if scopes.is_admin(user):
        return queryset
    return queryset.filter(activity__in=activities_visible_to(user).values("pk"))


def follow_ups_of_activity(activity: Activity) -> Prepared:
    """The follow-ups of ``activity``, for a page that read it from the user's reach: whoever
    sees an activity sees its follow-ups (``follow_ups_visible_to``), so they are not scoped to
    the user a second time (a prepared query, ``rtkeren.prepared``)."""
    return Prepared(FollowUp, _follow_ups_of_activity, (), {"activity": activity.pk})


def _follow_ups_of_activity(shape: tuple, values: dict) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(activity=values["activity"])
        .select_related("owner")
        .order_by("status", "due_on", "pk")
    )


def follow_up_list(
    *, user, status: str = "", mine: bool = False, overdue: bool = False, activity=None
) -> QuerySet[FollowUp]:
    queryset = follow_ups_visible_to(user).select_related(
        "activity__rt__rw", "activity__kelurahan", "owner"
    )
    if status:
        queryset = queryset.filter(status=status)
    if mine:
        queryset = queryset.filter(owner=user)
    if overdue:
        queryset = queryset.overdue()
    if activity is not None:
        queryset = queryset.filter(activity=activity)
    return queryset.order_by("status", "due_on", "pk")


@dataclass(frozen=True)
class OutputFollowUp:
    """An unfinished output and how far following it up has come: ``none`` (no follow-up
    yet), ``open`` (one is still open or in progress) or ``done`` (all are done)."""

    output: UnfinishedOutput
    status: str

    LABELS = {
        "none": _("No follow-up"),
        "open": _("Follow-up open"),
        "done": _("Follow-up done"),
    }

    @property
    def status_label(self) -> str:
        return self.LABELS[self.status]


def unfinished_outputs_followed(
    activities: Prepared, *, limit: int | None = None
) -> list[OutputFollowUp]:
    """The unfinished outputs of ``activities`` (a prepared query of activities), each with
    its follow-up status; the apps' query plus one for the follow-ups of any output of those
    activities (asked whether or not there are unfinished outputs, so the count does not depend
    on the data)."""
    pending: dict[tuple[int, int], bool] = {}
    for type_id, object_id, status in activities.into(FollowUp, _output_follow_ups).tuples():
        key = (type_id, object_id)
        pending[key] = pending.get(key, False) or status != FollowUp.Status.DONE
    result = []
    for output in unfinished_outputs_of(activities, limit=limit):
        key = (output.content_type_id, output.object_id)
        status = "none" if key not in pending else "open" if pending[key] else "done"
        result.append(OutputFollowUp(output=output, status=status))
    return result


def _output_follow_ups(activities: QuerySet[Activity]) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(activity__in=activities, output_id__isnull=False).values_list(
        "output_type_id", "output_id", "status"
    )


def one_activity(activity: Activity) -> Prepared:
    """``activity`` as a prepared query of activities (what ``unfinished_outputs_followed``
    takes)."""
    return Prepared(Activity, _activity_by_pk, None, {"pk": activity.pk})


def _activity_by_pk(_shape, values) -> QuerySet[Activity]:
    return Activity.objects.filter(pk=values["pk"])


def _delivered_activities_of(place: str, values) -> QuerySet[Activity]:
    """The delivered activities of a scorecard's place (``Scope.place_values``) in a period."""
    return Activity.objects.filter(
        Scope.own_rows_of(place, values["place"]),
        period=values["period"],
        status__in=(ActivityStatus.DELIVERED, ActivityStatus.EVALUATED),
    )


def scope_unfinished_outputs(scope, period: Period, *, limit: int) -> list[OutputFollowUp]:
    """``unfinished_outputs_followed`` of the delivered activities of a scorecard's scope
    (``scorecard.Scope``) in ``period``, at most ``limit``. Everyone who opens the scope's
    scorecard reads the same list, and what it is made of (outputs, follow-ups, activities) are
    public records, so it is shared through the cache until one of them changes
    (``rtkeren.signals``), for ten minutes at most; in the language it was read in (the
    obstacles' names)."""
    place, values = scope.place_values()
    activities = Prepared(
        Activity, _delivered_activities_of, place, {**values, "period": period.pk}
    )

    def compute():
        found = unfinished_outputs_followed(activities, limit=limit)
        return found, timezone.now() + datetime.timedelta(seconds=PUBLIC_TIMEOUT)

    kelurahan_id = scope.kelurahan.pk if scope.kelurahan is not None else 0  # 0: the city
    place_key = f"rt-{scope.rt.pk}" if scope.rt is not None else "all"
    return cached_for_public(
        kelurahan_id,
        f"unfinished-outputs:{place_key}:{period.pk}:{limit}:{get_language()}",
        compute,
        participation=False,
    )


def unfinished_output_of(activity: Activity, object_id) -> UnfinishedOutput | None:
    """The unfinished output ``object_id`` of ``activity`` (``?output=`` of the follow-up form),
    or None when it is not one."""
    if not re.fullmatch(r"[0-9]{1,18}", str(object_id or "")):
        return None
    found = unfinished_outputs_of(one_activity(activity))
    return next((output for output in found if output.object_id == int(object_id)), None)


def follow_up_detail_queryset(user) -> QuerySet[FollowUp]:
    return follow_ups_visible_to(user).select_related(
        "activity__rt__rw", "activity__kelurahan", "activity__period", "owner", "evaluation"
    )


OWNER_ROLES = {
    "kelurahan": (Role.OFFICER, Role.FACILITATOR),
    "rt": (Role.RT_CHAIR, Role.POKMAS_MEMBER),
    "rw": (Role.RW_CHAIR,),
    "community": (Role.COMMUNITY_LEAD,),
}


def follow_up_owners(activity: Activity) -> QuerySet[User]:
    """Who may own a follow-up of the activity: its kelurahan's officers and facilitators, its
    RT's chair and Pokmas, its RW's chair and its community's lead, as of today."""
    condition = Q(role__in=OWNER_ROLES["kelurahan"], kelurahan=activity.kelurahan_id)
    if activity.rt_id:
        condition |= Q(role__in=OWNER_ROLES["rt"], rt=activity.rt_id)
        condition |= Q(role__in=OWNER_ROLES["rw"], rw=activity.rt.rw_id)
    if activity.community_id:
        condition |= Q(role__in=OWNER_ROLES["community"], community=activity.community_id)
    holders = RoleAssignment.objects.current(timezone.localdate()).filter(condition)
    return User.objects.filter(pk__in=holders.values("user")).order_by(
        "first_name", "last_name", "username"
    )


def overdue_follow_ups_of(user) -> Prepared:
    """The user's follow-ups past their due date (a prepared query, ``rtkeren.prepared``)."""
    return Prepared(FollowUp, _overdue_follow_ups, (), {"owner": user.pk})


def _overdue_follow_ups(shape: tuple, values: dict) -> QuerySet[FollowUp]:
    return FollowUp.objects.overdue().filter(owner=values["owner"])


# Evaluation rounds.


def rounds_visible_to(user) -> QuerySet[EvaluationRound]:
    queryset = EvaluationRound.objects.with_places()
    if scopes.sees_whole_city(user):
        return queryset
    return queryset.filter(kelurahan__in=home_kelurahan_ids(user))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def round_activities(evaluation_round: EvaluationRound) -> QuerySet[Activity]:
    """Activities of the round's place and period delivered within the dates it covers."""
    queryset = Activity.objects.filter(
        kelurahan=evaluation_round.kelurahan_id,
        period=evaluation_round.period_id,
        status__in=(ActivityStatus.DELIVERED, ActivityStatus.EVALUATED),
    )
    if evaluation_round.rt_id:
        queryset = queryset.filter(rt=evaluation_round.rt_id)
    return (
        with_delivered_at(queryset.select_related("rt__rw", "kelurahan", "period"))
        .filter(
            delivered_at__gte=_day_start(evaluation_round.covers_from),
            delivered_at__lt=_day_start(evaluation_round.covers_until + datetime.timedelta(1)),
        )
        .annotate(
            community_count=Count("evaluations", filter=Q(evaluations__side=Side.COMMUNITY)),
            government_count=Count("evaluations", filter=Q(evaluations__side=Side.GOVERNMENT)),
        )
        .order_by("delivered_at", "pk")
    )


def residents_for_attendance(
    evaluation_round: EvaluationRound, *, name: str = ""
) -> QuerySet[Resident]:
    """The round's residents (``round_residents``), with whether each was recorded present
    (``present_here``)."""
    queryset = round_residents(evaluation_round).annotate(
        present_here=Exists(
            ForumAttendance.objects.filter(round=evaluation_round, resident=OuterRef("pk"))
        )
    )
    return queryset.filter(name__icontains=name) if name else queryset


def round_residents(evaluation_round: EvaluationRound) -> QuerySet[Resident]:
    """Who may be marked present at the round's forum: active adults of its place."""
    queryset = Resident.objects.active().adults(evaluation_round.forum_on)
    if evaluation_round.rt_id:
        queryset = queryset.filter(rt=evaluation_round.rt_id)
    else:
        queryset = queryset.filter(rt__rw__kelurahan=evaluation_round.kelurahan_id)
    return queryset.select_related("rt__rw").order_by("name", "pk")


def round_places(user) -> tuple[QuerySet[Kelurahan], QuerySet[RT]]:
    """The kelurahan, and their RTs, where the user may open a round."""
    kelurahan = scopes.kelurahan_ids(user, Role.OFFICER)
    return (
        Kelurahan.objects.filter(pk__in=kelurahan),
        RT.objects.filter(rw__kelurahan__in=kelurahan).select_related("rw__kelurahan"),
    )


# The scorecard's places.


def scorecard_kelurahan_ids_for(user) -> set[int] | None:
    """The ids of the kelurahan whose scorecards the user may reach: None (all) for the city,
    else their own."""
    return None if scopes.sees_whole_city(user) else home_kelurahan_ids(user)


def scorecard_kelurahan_for(user) -> Prepared:
    """Kelurahan whose scorecards the user may reach: all for the city, else their own
    (a prepared query, ``rtkeren.prepared``)."""
    return Prepared(Kelurahan, _scorecard_kelurahan, (), _scorecard_values(user))


def _scorecard_kelurahan(shape: tuple, values: dict) -> QuerySet[Kelurahan]:
    queryset = Kelurahan.objects.select_related("kecamatan")
    ids = values["kelurahan"]
    return queryset if ids is None else queryset.filter(pk__in=ids)


def scorecard_rts_reachable_by(user) -> Prepared:
    """RTs whose scorecards the user may reach: those of ``scorecard_kelurahan_for``, by the
    kelurahan's ids (no subquery; a prepared query, ``rtkeren.prepared``)."""
    return Prepared(RT, _scorecard_rts, (), _scorecard_values(user))


def _scorecard_rts(shape: tuple, values: dict) -> QuerySet[RT]:
    queryset = RT.objects.select_related("rw__kelurahan")
    ids = values["kelurahan"]
    return queryset if ids is None else queryset.filter(rw__kelurahan__in=ids)


def _scorecard_values(user) -> dict:
    return {"kelurahan": id_value(scorecard_kelurahan_ids_for(user))}


def scorecard_rts_for(user, kelurahan: Kelurahan) -> list[RT]:
    """The RTs of the kelurahan whose own scorecard the user reads, to link them (the city and
    the government of the kelurahan read every RT through the comparison instead)."""
    rts = scopes.rt_ids(user, Role.RESIDENT, Role.RT_CHAIR, Role.POKMAS_MEMBER)
    return list(
        RT.objects.filter(rw__kelurahan=kelurahan, pk__in=rts)
        .select_related("rw")
        .order_by("rw__number", "number")
    )
