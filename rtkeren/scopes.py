"""Where an object sits and what a user's current assignments reach.

Predicates in ``rtkeren.rules`` and every view's queryset start from here, so that the question
"is this in my scope?" has one answer across the portal.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from rtkeren.models import RT, RW, Activity, Community, Kelurahan, Resident, Role, RoleAssignment
from rtkeren.scopecache import cached_for_person, read_ahead_of

_CACHE_ATTRIBUTE = "_rtkeren_current_assignments"
#: Where ``rtkeren.selectors.residents.acting_resident`` keeps its answer for the request; it
#: follows from the assignments, so it is forgotten with them.
ACTING_RESIDENT_ATTRIBUTE = "_rtkeren_acting_resident"


@dataclass(frozen=True)
class Place:
    """The administrative position of an object. Unknown levels are None."""

    kelurahan_id: int | None = None
    rw_id: int | None = None
    rt_id: int | None = None
    community_id: int | None = None


def place_of(obj) -> Place:
    """The place of a core object, or of a stage object that has ``rt``, ``kelurahan`` or
    ``activity`` (a potential, a forum, a meeting, an evaluation...)."""
    if obj is None:
        return Place()
    if isinstance(obj, Kelurahan):
        return Place(kelurahan_id=obj.pk)
    if isinstance(obj, RW):
        return Place(kelurahan_id=obj.kelurahan_id, rw_id=obj.pk)
    if isinstance(obj, RT):
        return Place(kelurahan_id=obj.rw.kelurahan_id, rw_id=obj.rw_id, rt_id=obj.pk)
    if isinstance(obj, Community):
        if obj.rt_id:
            return Place(obj.kelurahan_id, obj.rt.rw_id, obj.rt_id, community_id=obj.pk)
        return Place(kelurahan_id=obj.kelurahan_id, community_id=obj.pk)
    if isinstance(obj, Resident):
        return place_of(obj.rt)
    if isinstance(obj, Activity):
        rt_place = place_of(obj.rt) if obj.rt_id else Place(kelurahan_id=obj.kelurahan_id)
        return Place(
            kelurahan_id=obj.kelurahan_id,
            rw_id=rt_place.rw_id,
            rt_id=rt_place.rt_id,
            community_id=obj.community_id,
        )
    for attribute in ("activity", "rt", "rw", "kelurahan", "community"):
        if getattr(obj, f"{attribute}_id", None) is not None:
            return place_of(getattr(obj, attribute))
    return Place()


def current_assignments(user) -> list[RoleAssignment]:
    """The user's assignments in force today, read once per user object (i.e. per request) and
    shared across requests through the cache until one of the user's assignments changes
    (``rtkeren.signals``) or a place is renamed (every scope's version)."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        today = timezone.localdate()
        cached = cached_for_person(
            user.pk,
            assignments_entry(today),
            lambda: list(
                RoleAssignment.objects.current(today)
                .filter(user=user)
                # Every place named in the role labels of the home page, in the same query.
                .select_related(
                    "rt__rw__kelurahan", "rw__kelurahan", "kelurahan", "kota", "community"
                )
            ),
            ahead=read_ahead_of(user),
        )
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def assignments_entry(today) -> str:
    """The name ``current_assignments`` caches a person's assignments of ``today`` under."""
    return f"assignments:{today.isoformat()}"


def forget_assignments(user) -> None:
    """Drop the cached assignments after they change within the same request."""
    for attribute in (_CACHE_ATTRIBUTE, ACTING_RESIDENT_ATTRIBUTE):
        if hasattr(user, attribute):
            delattr(user, attribute)


def has_role(user, *roles: str) -> bool:
    return any(assignment.role in roles for assignment in current_assignments(user))


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser) or has_role(user, Role.ADMIN)


def sees_whole_city(user) -> bool:
    return is_admin(user) or has_role(user, Role.CITY_VIEWER)


def kelurahan_ids(user, *roles: str) -> set[int]:
    """Kelurahan the user holds one of ``roles`` for (officer, facilitator...)."""
    return {a.kelurahan_id for a in current_assignments(user) if a.role in roles and a.kelurahan_id}


def rt_ids(user, *roles: str) -> set[int]:
    return {a.rt_id for a in current_assignments(user) if a.role in roles and a.rt_id}


def rw_ids(user, *roles: str) -> set[int]:
    return {a.rw_id for a in current_assignments(user) if a.role in roles and a.rw_id}


def community_ids(user) -> set[int]:
    return {
        a.community_id
        for a in current_assignments(user)
        if a.role == Role.COMMUNITY_LEAD and a.community_id
    }


def official_kelurahan_ids(user) -> set[int]:
    """Kelurahan where the user works for the government side (officer or facilitator)."""
    return kelurahan_ids(user, Role.OFFICER, Role.FACILITATOR)


def resident_filter(user, *, prefix: str = "") -> Q | None:
    """A filter for residents (or, with ``prefix``, objects holding a resident's RT at
    ``prefix + 'rt'``) that the user may see as staff; None means everything."""
    if sees_whole_city(user):
        return None
    condition = Q(pk__in=[])
    kelurahan = official_kelurahan_ids(user)
    if kelurahan:
        condition |= Q(**{f"{prefix}rt__rw__kelurahan__in": kelurahan})
    rws = rw_ids(user, Role.RW_CHAIR)
    if rws:
        condition |= Q(**{f"{prefix}rt__rw__in": rws})
    rts = rt_ids(user, Role.RT_CHAIR)
    if rts:
        condition |= Q(**{f"{prefix}rt__in": rts})
    return condition


def residents_visible_to(user):
    """Residents a staff member may list: officers and facilitators their kelurahan, RW chairs
    their RW, RT chairs their RT, city viewers and admins everyone. Others: nobody."""
    condition = resident_filter(user)
    queryset = Resident.objects.all()
    return queryset if condition is None else queryset.filter(condition)
