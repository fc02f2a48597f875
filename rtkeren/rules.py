"""Object permissions of the core, as named ``rules`` predicates that every app reuses.

Each predicate takes ``(user, obj)`` where ``obj`` is anything ``scopes.place_of`` understands: a
kelurahan, RW, RT, resident, community, activity, or a stage object with one of those.
"""

import rules

from rtkeren import scopes
from rtkeren.models import Role


@rules.predicate
def is_admin(user):
    return scopes.is_admin(user)


@rules.predicate
def is_city_viewer(user):
    return scopes.has_role(user, Role.CITY_VIEWER)


@rules.predicate
def is_officer(user):
    return scopes.has_role(user, Role.OFFICER)


@rules.predicate
def is_staff_of_any_scope(user):
    return scopes.has_role(
        user,
        Role.ADMIN,
        Role.CITY_VIEWER,
        Role.OFFICER,
        Role.FACILITATOR,
        Role.RW_CHAIR,
        Role.RT_CHAIR,
    ) or scopes.is_admin(user)


@rules.predicate
def is_officer_of(user, obj):
    place = scopes.place_of(obj)
    return place.kelurahan_id in scopes.kelurahan_ids(user, Role.OFFICER)


@rules.predicate
def is_facilitator_of(user, obj):
    place = scopes.place_of(obj)
    return place.kelurahan_id in scopes.kelurahan_ids(user, Role.FACILITATOR)


@rules.predicate
def is_rw_chair_of(user, obj):
    place = scopes.place_of(obj)
    return place.rw_id is not None and place.rw_id in scopes.rw_ids(user, Role.RW_CHAIR)


@rules.predicate
def is_rt_chair_of(user, obj):
    place = scopes.place_of(obj)
    return place.rt_id is not None and place.rt_id in scopes.rt_ids(user, Role.RT_CHAIR)


@rules.predicate
def is_pokmas_member_of(user, obj):
    place = scopes.place_of(obj)
    return place.rt_id is not None and place.rt_id in scopes.rt_ids(user, Role.POKMAS_MEMBER)


@rules.predicate
def is_community_lead_of(user, obj):
    place = scopes.place_of(obj)
    return place.community_id is not None and place.community_id in scopes.community_ids(user)


@rules.predicate
def is_resident_of_rt(user, obj):
    """A verified, active resident of the object's RT (needs a resident role assignment)."""
    place = scopes.place_of(obj)
    return place.rt_id is not None and place.rt_id in scopes.rt_ids(user, Role.RESIDENT)


@rules.predicate
def is_resident_of_kelurahan(user, obj):
    place = scopes.place_of(obj)
    if place.kelurahan_id is None:
        return False
    return any(
        assignment.role == Role.RESIDENT and assignment.rt.rw.kelurahan_id == place.kelurahan_id
        for assignment in scopes.current_assignments(user)
    )


@rules.predicate
def is_self(user, resident):
    return bool(user.is_authenticated and resident is not None and resident.user_id == user.pk)


sees_city = is_admin | is_city_viewer
is_government_of = is_officer_of | is_facilitator_of
is_chair_of = is_rt_chair_of | is_rw_chair_of
is_staff_of = sees_city | is_government_of | is_chair_of

# Residents: staff of the scope read; the officer of the kelurahan and the RT chair edit register
# data; only the officer of the kelurahan reveals a NIK (and each reveal is audited).
rules.add_perm("rtkeren.view_resident", is_staff_of | is_self)
rules.add_perm("rtkeren.change_resident", is_admin | is_officer_of | is_rt_chair_of)
rules.add_perm("rtkeren.verify_resident", is_officer_of | is_rt_chair_of)
rules.add_perm("rtkeren.reveal_nik", is_officer_of)
rules.add_perm("rtkeren.view_history", is_admin | is_officer_of)
rules.add_perm("rtkeren.list_residents", is_staff_of_any_scope)
rules.add_perm("rtkeren.view_activity_history", is_admin | is_officer_of)
