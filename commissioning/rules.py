"""Who may do what with potentials and forums.

Potentials belong to the people of a kelurahan: its verified residents, chairs and community
leads record them there, its residents endorse them, its officers merge and archive them.
Forums are run by the officers of the kelurahan and the chairs of the forum's RW or RT.
Everyone who lives or works in the kelurahan reads both; attendance lists, which name people,
only the forum's managers and the kelurahan's facilitators.
"""

import rules
from django.utils import timezone

from rtkeren import scopes
from rtkeren.models import Role
from rtkeren.rules import (
    is_admin,
    is_facilitator_of,
    is_officer_of,
    is_resident_of_kelurahan,
    is_rt_chair_of,
    is_rw_chair_of,
    lives_or_works_in_kelurahan,
    sees_city,
)

#: Roles that record potentials in the kelurahan where the role places them.
RECORDING_ROLES = (Role.RESIDENT, Role.RT_CHAIR, Role.RW_CHAIR, Role.COMMUNITY_LEAD)
#: Roles that schedule forums for their own place.
FORUM_ROLES = (Role.OFFICER, Role.RW_CHAIR, Role.RT_CHAIR)


def _kelurahan_of(assignment) -> int | None:
    if assignment.kelurahan_id:
        return assignment.kelurahan_id
    if assignment.rt_id:
        return assignment.rt.rw.kelurahan_id
    if assignment.rw_id:
        return assignment.rw.kelurahan_id
    if assignment.community_id:
        return assignment.community.kelurahan_id
    return None


def recording_kelurahan_ids(user) -> set[int]:
    """Kelurahan where the user may record potentials."""
    return {
        _kelurahan_of(assignment)
        for assignment in scopes.current_assignments(user)
        if assignment.role in (*RECORDING_ROLES, Role.OFFICER)
    } - {None}


@rules.predicate
def records_potentials_in(user, place):
    """Without a place: whether the user may record potentials anywhere."""
    kelurahan = recording_kelurahan_ids(user)
    if place is None:
        return bool(kelurahan)
    return scopes.place_of(place).kelurahan_id in kelurahan


@rules.predicate
def schedules_forums_for(user, place):
    """Without a place: whether the user may schedule forums anywhere."""
    if place is None:
        return scopes.has_role(user, *FORUM_ROLES)
    return is_officer_of(user, place) or is_rw_chair_of(user, place) or is_rt_chair_of(user, place)


@rules.predicate
def is_potential_author(user, potential):
    return potential is not None and user.is_authenticated and potential.author_id == user.pk


@rules.predicate
def is_open_potential(user, potential):
    return potential is not None and potential.is_open


@rules.predicate
def is_scheduled_forum(user, forum):
    return forum is not None and forum.status == forum.Status.SCHEDULED


@rules.predicate
def has_forum_taken_place(user, forum):
    """Not cancelled and its day has come: only then is there attendance or minutes to record."""
    return (
        forum is not None
        and forum.status != forum.Status.CANCELLED
        and forum.date <= timezone.localdate()
    )


reads_kelurahan = sees_city | lives_or_works_in_kelurahan
manages_forum = is_officer_of | is_rw_chair_of | is_rt_chair_of

rules.add_perm("commissioning.view_kelurahan", reads_kelurahan)

rules.add_perm("commissioning.view_potential", reads_kelurahan)
rules.add_perm("commissioning.add_potential", records_potentials_in)
rules.add_perm(
    "commissioning.change_potential", is_open_potential & (is_potential_author | is_officer_of)
)
rules.add_perm(
    "commissioning.endorse_potential",
    is_open_potential & is_resident_of_kelurahan & ~is_potential_author,
)
rules.add_perm("commissioning.merge_potential", is_open_potential & is_officer_of)
rules.add_perm("commissioning.archive_potential", is_open_potential & is_officer_of)

rules.add_perm("commissioning.view_forum", reads_kelurahan)
rules.add_perm("commissioning.add_forum", schedules_forums_for)
rules.add_perm("commissioning.change_forum", is_scheduled_forum & manages_forum)
rules.add_perm("commissioning.cancel_forum", is_scheduled_forum & manages_forum)
rules.add_perm("commissioning.record_attendance", has_forum_taken_place & manages_forum)
rules.add_perm("commissioning.record_minutes", has_forum_taken_place & manages_forum)
rules.add_perm("commissioning.view_forum_attendance", manages_forum | is_facilitator_of | is_admin)
