"""Which activities a user may see, and the activity reads of the activity pages."""

from django.db.models import Prefetch, Q, QuerySet

from rtkeren import scopes
from rtkeren.models import Activity, ActivityStatus, ActivityTransition, Role


def home_kelurahan_ids(user) -> set[int]:
    """Every kelurahan where one of the user's current assignments places them."""
    kelurahan = set()
    for assignment in scopes.current_assignments(user):
        if assignment.kelurahan_id:
            kelurahan.add(assignment.kelurahan_id)
        elif assignment.rt_id:
            kelurahan.add(assignment.rt.rw.kelurahan_id)
        elif assignment.rw_id:
            kelurahan.add(assignment.rw.kelurahan_id)
        elif assignment.community_id:
            kelurahan.add(assignment.community.kelurahan_id)
    return kelurahan


def activity_filter(user) -> Q | None:
    """The activities ``user`` may see; None means all of them.

    Officers and facilitators see their kelurahan, chairs their RW or RT, everyone their own.
    Residents, Pokmas members and community leads see their RT's or community's activities and
    those of their whole kelurahan, except other people's drafts, which are still private.
    Mirrors the ``rtkeren.view_activity`` permission.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if scopes.sees_whole_city(user):
        return None
    staff = Q(author=user)
    official = scopes.official_kelurahan_ids(user)
    if official:
        staff |= Q(kelurahan__in=official)
    rws = scopes.rw_ids(user, Role.RW_CHAIR)
    if rws:
        staff |= Q(rt__rw__in=rws)
    chaired = scopes.rt_ids(user, Role.RT_CHAIR)
    if chaired:
        staff |= Q(rt__in=chaired)

    member = Q(pk__in=[])
    member_rts = scopes.rt_ids(user, Role.RESIDENT, Role.POKMAS_MEMBER)
    if member_rts:
        member |= Q(rt__in=member_rts)
    communities = scopes.community_ids(user)
    if communities:
        member |= Q(community__in=communities)
    home = home_kelurahan_ids(user)
    if home:
        member |= Q(rt__isnull=True, kelurahan__in=home)
    return staff | (member & ~Q(status=ActivityStatus.DRAFT))


def activities_visible_to(user) -> QuerySet[Activity]:
    condition = activity_filter(user)
    queryset = Activity.objects.all()
    return queryset if condition is None else queryset.filter(condition)


def activity_list(*, user, status: str = "", period=None) -> QuerySet[Activity]:
    # Explicit order: Meta.ordering does not apply to the aggregate's GROUP BY query.
    queryset = (
        activities_visible_to(user).with_places().with_budget_total().order_by("-created_at", "-pk")
    )
    if status:
        queryset = queryset.filter(status=status)
    if period is not None:
        queryset = queryset.filter(period=period)
    return queryset


def activity_detail_queryset(user) -> QuerySet[Activity]:
    return (
        activities_visible_to(user)
        .with_places()
        .prefetch_related(
            "budget_lines",
            "interests",
            Prefetch("transitions", queryset=ActivityTransition.objects.select_related("by")),
        )
    )
