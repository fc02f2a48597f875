"""Which activities a user may see, and the activity reads of the activity pages."""

from django.db.models import Prefetch, Q, QuerySet

from rtkeren import scopes
from rtkeren.models import Activity, ActivityStatus, ActivityTransition, Role
from rtkeren.prepared import id_value


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


def activity_scope(user) -> tuple[str, dict]:
    """What ``activity_filter`` reads of ``user``: the shape of their scope ("nobody", "city"
    or "places") and the ids it names, as ``rtkeren.prepared`` takes them."""
    if not user.is_authenticated:
        return "nobody", {}
    if scopes.sees_whole_city(user):
        return "city", {}
    return "places", {
        "author": user.pk,
        "official": id_value(scopes.official_kelurahan_ids(user)),
        "rws": id_value(scopes.rw_ids(user, Role.RW_CHAIR)),
        "chaired": id_value(scopes.rt_ids(user, Role.RT_CHAIR)),
        "member_rts": id_value(scopes.rt_ids(user, Role.RESIDENT, Role.POKMAS_MEMBER)),
        "communities": id_value(scopes.community_ids(user)),
        "home": id_value(home_kelurahan_ids(user)),
    }


def activity_filter(user) -> Q | None:
    """The activities ``user`` may see; None means all of them.

    Officers and facilitators see their kelurahan, chairs their RW or RT, everyone their own.
    Residents, Pokmas members and community leads see their RT's or community's activities and
    those of their whole kelurahan, except other people's drafts, which are still private.
    Mirrors the ``rtkeren.view_activity`` permission.
    """
    return scope_activity_filter(*activity_scope(user))


def scope_activity_filter(scope: str, ids: dict) -> Q | None:
    """``activity_filter`` of a scope and its ids (``activity_scope``)."""
    if scope == "nobody":
        return Q(pk__in=[])
    if scope == "city":
        return None
    staff = Q(author=ids["author"])
    if ids["official"]:
        staff |= Q(kelurahan__in=ids["official"])
    if ids["rws"]:
        staff |= Q(rt__rw__in=ids["rws"])
    if ids["chaired"]:
        staff |= Q(rt__in=ids["chaired"])

    member = Q(pk__in=[])
    if ids["member_rts"]:
        member |= Q(rt__in=ids["member_rts"])
    if ids["communities"]:
        member |= Q(community__in=ids["communities"])
    if ids["home"]:
        member |= Q(rt__isnull=True, kelurahan__in=ids["home"])
    return staff | (member & ~Q(status=ActivityStatus.DRAFT))


def activities_visible_to(user) -> QuerySet[Activity]:
    return scope_activities(*activity_scope(user))


def scope_activities(scope: str, ids: dict) -> QuerySet[Activity]:
    condition = scope_activity_filter(scope, ids)
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
