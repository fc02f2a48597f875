"""Reads of the co-designing pages, each with a number of queries that does not grow with the
number of rows: sums and counts are subqueries of the list's one query, the interest fit (stored
by ``designing.fit``) a join of it."""

from dataclasses import dataclass, field
from functools import cache

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from rtkeren import scopes
from rtkeren.models import (
    RT,
    Activity,
    ActivityShare,
    ActivityStatus,
    BudgetLine,
    Period,
    Resident,
    Role,
    User,
)
from rtkeren.models.activities import budget_per_row
from rtkeren.prepared import Prepared, id_value, totals
from rtkeren.registry import realised_for
from rtkeren.selectors.activities import (
    activity_scope,
    home_kelurahan_ids,
    scope_activities,
)
from rtkeren.selectors.counting import SubqueryCount
from rtkeren.selectors.residents import confirmed_accounts
from rtkeren.services.budget import COMMITTED_STATUSES, shared_activities, shares_of_realised
from rtkeren.services.periods import period_ceiling_for, period_split_warning

from .models import Comment, ProposalOrigin, Vote, VotingRound

PROPOSAL_STATUSES = (ActivityStatus.DRAFT, ActivityStatus.PROPOSED)
DECIDED_STATUSES = (ActivityStatus.APPROVED, ActivityStatus.REJECTED)
#: What the RT budget plan counts: planned or committed money, not drafts or dropped plans.
PLAN_STATUSES = (ActivityStatus.PROPOSED, *COMMITTED_STATUSES)


def eligible_residents(on=None) -> QuerySet[Resident]:
    """Residents who may vote and whose interests count towards the fit: verified, active,
    aged 17 or more."""
    return Resident.objects.active().verified().adults(on or timezone.localdate())


def with_fit(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate ``fit``: eligible residents of the activity's scope sharing at least one of its
    interests, as stored (``designing.fit`` keeps it up to date; 0 until it is first stored).
    A join of the list's own query, so it also sorts."""
    return queryset.annotate(fit=Coalesce(F("designing_fit__residents"), Value(0)))


def _visible_comments() -> QuerySet[Comment]:
    return Comment.objects.filter(activity=OuterRef("pk"), hidden_at__isnull=True)


@cache
def _comment_count() -> SubqueryCount:
    # Built once per process, as ``budget_per_row``: a queryset resolves a copy of it.
    return SubqueryCount(_visible_comments())


def with_list_figures(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    return with_fit(queryset.annotate(budget_sum=budget_per_row(), comment_count=_comment_count()))


ORDERINGS = {
    "newest": ["-created_at", "-pk"],
    "fit": ["-fit", "-created_at", "-pk"],
    "discussed": ["-comment_count", "-created_at", "-pk"],
}


def prepared_proposal_list(
    *, user, status: str = "", period: Period | None = None, order: str = "newest"
) -> Prepared:
    """Proposals the user may see: drafts (their own, or in their care) and submitted ones by
    default, or one status (decided ones included); built and compiled once per shape
    (``rtkeren.prepared``)."""
    scope, values = activity_scope(user)
    values = {**values, "status": status or None, "period": period.pk if period else None}
    shape = (scope, order if order in ORDERINGS else "newest")
    # The list residents open (no status chosen) has the same plan for every scope and period
    # measured, large kelurahan and small RTs alike, which PostgreSQL planned again on every
    # read (0,3 to 0,9 ms): it runs on its generic plan. One status chosen is planned for it: a
    # rare status and a common one need other plans (up to 1,8 ms slower with the generic).
    return Prepared(Activity, _proposal_list, shape, values, generic_plan=not status)


def _proposal_list(shape: tuple[str, str], values: dict) -> QuerySet[Activity]:
    scope, order = shape
    queryset = scope_activities(scope, values).with_place_names()
    if values["status"] is not None:
        queryset = queryset.filter(status=values["status"])
    else:
        queryset = queryset.filter(status__in=PROPOSAL_STATUSES)
    if values["period"] is not None:
        queryset = queryset.filter(period=values["period"])
    return with_list_figures(queryset).order_by(*ORDERINGS[order])


def proposal_detail(user) -> Prepared:
    """The proposals whose page the user may open, each with what its page shows, built and
    compiled once per shape (``rtkeren.prepared``; ``one`` reads one of them)."""
    scope, values = activity_scope(user)
    return Prepared(Activity, _proposal_detail, scope, values)


def _proposal_detail(scope: str, values: dict) -> QuerySet[Activity]:
    # ``with_places`` with the kelurahan and RT from the city's places: three joins fewer (a
    # plan for a run's values took 2,1 ms with them, 0,5 ms without; PostgreSQL keeps the
    # statement's generic plan after five runs on a connection, so mostly the first runs gain).
    return with_fit(
        scope_activities(scope, values)
        .with_place_names()
        .select_related("period", "community", "author")
        .annotate(budget_sum=budget_per_row())
        .prefetch_related(
            "budget_lines",
            "interests",
            Prefetch("designing_origins", queryset=ProposalOrigin.objects.order_by("pk")),
        )
    )


def comment_threads(activity: Activity) -> Prepared:
    """Top-level comments, newest first, each with its replies (oldest first) prefetched as
    the list ``reply_list`` (no manager made for each thread); built and compiled once
    (``rtkeren.prepared``)."""
    return Prepared(Comment, _comment_threads, (), {"activity": activity.pk})


def _comment_threads(shape: tuple, values: dict) -> QuerySet[Comment]:
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    return (
        Comment.objects.top_level()
        .filter(activity=values["activity"])
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="reply_list"))
        .order_by("-created_at", "-pk")
    )


def page_of_comment(comment: Comment, page_size: int) -> int:
    """The page of the threads on which ``comment`` (or its thread) appears."""
    top = comment.parent or comment
    newer = (
        Comment.objects.top_level()
        .filter(activity_id=top.activity_id)
        .filter(Q(created_at__gt=top.created_at) | Q(created_at=top.created_at, pk__gt=top.pk))
        .count()
    )
    return newer // page_size + 1


# The RT budget plan (RAP).


def rts_for_budget_plan(user) -> QuerySet[RT]:
    """RTs whose budget plan the user reads (see ``designing.view_budget_plan``)."""
    queryset = RT.objects.select_related("rw__kelurahan")
    if scopes.sees_whole_city(user):
        return queryset
    condition = Q(pk__in=scopes.rt_ids(user, Role.RT_CHAIR, Role.POKMAS_MEMBER, Role.RESIDENT))
    official = scopes.official_kelurahan_ids(user)
    if official:
        condition |= Q(rw__kelurahan__in=official)
    rws = scopes.rw_ids(user, Role.RW_CHAIR)
    if rws:
        condition |= Q(rw__in=rws)
    return queryset.filter(condition)


@dataclass
class PlanRow:
    activity: Activity
    #: What the RT pays: the whole budget of its own activity, its share of a kelurahan-wide one.
    amount: int = 0
    #: A kelurahan-wide activity of which the RT pays ``amount``.
    shared: bool = False
    exceeds_ceiling: bool = False
    tips_split: bool = False
    realised: int = 0


@dataclass
class BudgetPlan:
    rt: RT
    period: Period
    ceiling: int
    committed_fisik: int = 0
    committed_nonfisik: int = 0
    proposed_fisik: int = 0
    proposed_nonfisik: int = 0
    rows: list[PlanRow] = field(default_factory=list)
    truncated: bool = False
    #: Spent so far on the approved or finished activities (their realisation).
    realised: int = 0

    @property
    def committed(self) -> int:
        return self.committed_fisik + self.committed_nonfisik

    @property
    def proposed(self) -> int:
        return self.proposed_fisik + self.proposed_nonfisik

    @property
    def planned(self) -> int:
        return self.committed + self.proposed

    @property
    def remaining(self) -> int:
        return self.ceiling - self.committed

    @property
    def remaining_if_all_approved(self) -> int:
        return self.ceiling - self.planned

    @property
    def committed_over(self) -> int:
        return max(self.committed - self.ceiling, 0)

    @property
    def planned_over(self) -> int:
        return max(self.planned - self.ceiling, 0)

    @property
    def fisik_share(self) -> int | None:
        return round(100 * self.planned_fisik / self.planned) if self.planned else None

    @property
    def planned_fisik(self) -> int:
        return self.committed_fisik + self.proposed_fisik

    @property
    def planned_nonfisik(self) -> int:
        return self.committed_nonfisik + self.proposed_nonfisik

    @property
    def split_warning(self) -> str | None:
        return period_split_warning(
            period=self.period, fisik=self.planned_fisik, nonfisik=self.planned_nonfisik
        )


#: Rows the plan shows; an RT's year has a few dozen activities, the sums always count all.
PLAN_ROW_LIMIT = 200


def budget_plan(*, rt: RT, period: Period) -> BudgetPlan:
    """The RT's RT-Keren-funded plan for ``period``: what is approved or under way against the
    ceiling, its own activities and its shares of kelurahan-wide ones, each pending proposal
    flagged when it would exceed the ceiling or tip the fisik/nonfisik split on top of that,
    and what was spent on each (of a shared activity, the RT's part in proportion to its
    share). At most eight queries whatever the number of activities: the RT's ceiling, then
    seven prepared (``rtkeren.prepared``), built and compiled once per process rather than on
    every read (the RT's parts of what was spent on shared activities only when something
    was)."""
    values = {"rt": rt.pk, "period": period.pk}
    own = Prepared(Activity, _plan_activities, "own", values)
    shared = Prepared(Activity, _plan_activities, "shared", values)
    plan = BudgetPlan(rt=rt, period=period, ceiling=period_ceiling_for(period, rt))
    sums = [
        *Prepared(BudgetLine, _plan_sums, "own", values).tuples(),
        *Prepared(ActivityShare, _plan_sums, "shared", values).tuples(),
    ]
    for status, nature, total in sums:
        prefix = "proposed" if status == ActivityStatus.PROPOSED else "committed"
        name = f"{prefix}_{'fisik' if nature == Activity.Nature.FISIK else 'nonfisik'}"
        setattr(plan, name, getattr(plan, name) + (total or 0))
    rows = [
        PlanRow(activity, amount=activity.budget_sum)
        for activity in own.then(_plan_rows, "-budget_sum").rows()
    ] + [
        PlanRow(activity, amount=activity.share_amount, shared=True)
        for activity in shared.then(_plan_rows, "-share_amount").rows()
    ]
    rows.sort(key=lambda row: (row.activity.status, -row.amount, row.activity.pk))
    plan.truncated = len(rows) > PLAN_ROW_LIMIT
    realised = realised_for(own.then(_committed))
    realised_shared = shares_of_realised(realised_for(shared.then(_committed)), rt_id=rt.pk)
    plan.realised = sum(realised.values()) + sum(realised_shared.values())
    for row in rows:
        row.realised = (realised_shared if row.shared else realised).get(row.activity.pk, 0)
    baseline_warning = period_split_warning(
        period=period, fisik=plan.committed_fisik, nonfisik=plan.committed_nonfisik
    )
    for row in rows:
        if row.activity.status != ActivityStatus.PROPOSED:
            continue
        is_fisik = row.activity.nature == Activity.Nature.FISIK
        row.exceeds_ceiling = plan.committed + row.amount > plan.ceiling
        fisik = plan.committed_fisik + (row.amount if is_fisik else 0)
        nonfisik = plan.committed_nonfisik + (0 if is_fisik else row.amount)
        row.tips_split = (
            baseline_warning is None
            and period_split_warning(period=period, fisik=fisik, nonfisik=nonfisik) is not None
        )
    plan.rows = rows[:PLAN_ROW_LIMIT]
    return plan


def _plan_activities(shape: str, values: dict) -> QuerySet[Activity]:
    """The activities of an RT's plan: its own (``"own"``), or the kelurahan-wide ones of
    which it pays a share, each with ``share_amount`` (``"shared"``)."""
    if shape == "shared":
        return shared_activities(
            rt_id=values["rt"], period_id=values["period"], statuses=PLAN_STATUSES
        )
    return Activity.objects.filter(
        rt=values["rt"],
        period=values["period"],
        funding_source=Activity.Funding.RT_KEREN,
        status__in=PLAN_STATUSES,
    )


def _plan_sums(shape: str, values: dict) -> QuerySet:
    """The money of an RT's plan by status and nature: the whole budget of its own activities
    (``"own"``), its shares of the kelurahan-wide ones (``"shared"``)."""
    activities = _plan_activities(shape, values)
    if shape == "shared":
        lines = ActivityShare.objects.filter(rt=values["rt"], activity__in=activities)
        total = Sum("amount")
    else:
        lines = BudgetLine.objects.filter(activity__in=activities)
        total = Sum(F("quantity") * F("unit_price"))
    return (
        lines.values_list("activity__status", "activity__nature")
        .annotate(total=total)
        .order_by()
        .values_list("activity__status", "activity__nature", "total")
    )


def _plan_rows(activities: QuerySet[Activity], amount: str) -> QuerySet[Activity]:
    """A plan's rows, dearest first within each status, one more than it shows."""
    return activities.annotate(budget_sum=budget_per_row()).order_by("status", amount, "pk")[
        : PLAN_ROW_LIMIT + 1
    ]


def _committed(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.filter(status__in=COMMITTED_STATUSES)


# Voting rounds.


def rounds_visible_to(user) -> QuerySet[VotingRound]:
    return _rounds_in(_round_kelurahan(user))


def _round_kelurahan(user) -> tuple[int, ...] | None:
    """The kelurahan whose rounds the user sees; None for all of them."""
    return None if scopes.sees_whole_city(user) else id_value(home_kelurahan_ids(user))


def _rounds_in(kelurahan: tuple[int, ...] | None) -> QuerySet[VotingRound]:
    if kelurahan is None:
        return VotingRound.objects.all()
    return VotingRound.objects.filter(kelurahan__in=kelurahan)


def round_pages(user) -> Prepared:
    """The rounds whose pages the user may open, with their places, built and compiled once
    per shape (``rtkeren.prepared``)."""
    return Prepared(VotingRound, _round_pages, (), {"kelurahan": _round_kelurahan(user)})


def _round_pages(shape: tuple, values: dict) -> QuerySet[VotingRound]:
    return _rounds_in(values["kelurahan"]).with_places()


def round_list(*, user) -> QuerySet[VotingRound]:
    return (
        rounds_visible_to(user)
        .with_places()
        .annotate(proposal_count=Count("proposals", distinct=True))
        .order_by("-opens_at", "-pk")
    )


def round_proposals(voting_round: VotingRound, *, ranked: bool) -> Prepared:
    """The round's proposals with their fit and, when ``ranked``, their vote counts in this
    round, most votes first. Counts only: never who voted. Built and compiled once per shape
    (``rtkeren.prepared``)."""
    return Prepared(Activity, _round_proposals, ranked, {"round": voting_round.pk})


def _round_proposals(ranked: bool, values: dict) -> QuerySet[Activity]:
    proposals = Activity.objects.filter(voting_rounds=values["round"])
    queryset = with_fit(proposals.with_place_names().annotate(budget_sum=budget_per_row()))
    if not ranked:
        return queryset.order_by("-fit", "title", "pk")
    votes = Vote.objects.filter(round=values["round"], activity=OuterRef("pk"))
    return queryset.annotate(vote_count=SubqueryCount(votes)).order_by(
        "-vote_count", "-fit", "title", "pk"
    )


def my_votes(voting_round: VotingRound, resident: Resident | None) -> set[int]:
    """The proposals the resident voted for in the round: shown to that resident alone. Built
    and compiled once (``rtkeren.prepared``)."""
    if resident is None:
        return set()
    values = {"round": voting_round.pk, "resident": resident.pk}
    return {activity for (activity,) in Prepared(Vote, _my_votes, (), values).tuples()}


def _my_votes(shape: tuple, values: dict) -> QuerySet[Vote]:
    return Vote.objects.filter(round=values["round"], resident=values["resident"]).values_list(
        "activity_id"
    )


def round_turnout(voting_round: VotingRound) -> dict:
    """How many residents voted and how many votes were cast (no names). Built and compiled
    once (``rtkeren.prepared``)."""
    [(voters, votes)] = Prepared(Vote, _round_turnout, (), {"round": voting_round.pk}).tuples()
    return {"voters": voters, "votes": votes}


def _round_turnout(shape: tuple, values: dict) -> QuerySet[Vote]:
    return totals(
        Vote.objects.filter(round=values["round"]),
        voters=Count("resident", distinct=True),
        votes=Count("pk"),
    )


def round_scope_accounts(voting_round: VotingRound) -> QuerySet[User]:
    """Accounts confirmed as the verified, active residents the round is for."""
    residents = Resident.objects.active().verified()
    if voting_round.rt_id:
        residents = residents.filter(rt=voting_round.rt_id)
    else:
        residents = residents.filter(rt__rw__kelurahan=voting_round.kelurahan_id)
    return confirmed_accounts(residents)


def rounds_holding(activity: Activity) -> Prepared:
    """The voting rounds the proposal is on, the latest opening first (``rtkeren.prepared``)."""
    return Prepared(VotingRound, _rounds_holding, (), {"activity": activity.pk})


def _rounds_holding(shape: tuple, values: dict) -> QuerySet[VotingRound]:
    return VotingRound.objects.filter(proposals=values["activity"]).order_by("-opens_at")


def proposals_for_round(user) -> QuerySet[Activity]:
    """Submitted proposals an officer may put in a new round: in their kelurahan and not held
    by a round that has not closed."""
    held = (
        VotingRound.objects.not_closed(timezone.now())
        .filter(proposals__isnull=False)
        .values("proposals")
    )
    return (
        Activity.objects.filter(
            kelurahan__in=scopes.kelurahan_ids(user, Role.OFFICER),
            status=ActivityStatus.PROPOSED,
        )
        .exclude(pk__in=held)
        .select_related("rt__rw")
        .order_by("rt__rw__number", "rt__number", "title")
    )
