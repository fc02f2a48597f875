"""Who may do what with proposals, their discussion, the RT budget plan and voting rounds.

Proposals are drafted by the people of an RT (its chair, Pokmas members, verified residents) or
by community leads for their kelurahan; only the author edits a draft, and only while its content
is not frozen. Residents of the proposal's scope discuss it, with the author, the chairs and the
government side; officers of the kelurahan hide abusive comments and review. Officers open voting
rounds; verified adult residents of the round's scope vote (age and verification are checked by
the voting service, which can say why). Live results are for officers only.
"""

import rules

from rtkeren import scopes
from rtkeren.models import ActivityStatus, Role
from rtkeren.rules import (
    can_view_activity,
    is_activity_author,
    is_chair_of,
    is_community_lead_of,
    is_draft,
    is_government_of,
    is_kelurahan_wide,
    is_officer_of,
    is_pokmas_member_of,
    is_resident_of_kelurahan,
    is_resident_of_rt,
    lives_or_works_in_kelurahan,
    sees_city,
)

#: Roles that draft proposals for the RT where the role places them.
RT_PROPOSING_ROLES = (Role.RT_CHAIR, Role.POKMAS_MEMBER, Role.RESIDENT)
#: Statuses in which a proposal's discussion is open.
DISCUSSION_STATUSES = (ActivityStatus.PROPOSED, ActivityStatus.APPROVED)


def proposing_rt_ids(user) -> set[int]:
    return scopes.rt_ids(user, *RT_PROPOSING_ROLES)


def proposing_kelurahan_ids(user) -> set[int]:
    """Kelurahan for which the user may draft a kelurahan-wide proposal."""
    kelurahan = set()
    for assignment in scopes.current_assignments(user):
        if assignment.role in RT_PROPOSING_ROLES and assignment.rt_id:
            kelurahan.add(assignment.rt.rw.kelurahan_id)
        elif assignment.role == Role.COMMUNITY_LEAD and assignment.community_id:
            kelurahan.add(assignment.community.kelurahan_id)
    return kelurahan


@rules.predicate
def proposes_for(user, place):
    """``place`` is an RT or a kelurahan; without a place: whether the user proposes anywhere."""
    if place is None:
        return bool(proposing_rt_ids(user) or proposing_kelurahan_ids(user))
    where = scopes.place_of(place)
    if where.rt_id is not None:
        return where.rt_id in proposing_rt_ids(user)
    return where.kelurahan_id in proposing_kelurahan_ids(user)


@rules.predicate
def is_content_open(user, activity):
    return activity is not None and not activity.is_content_frozen


@rules.predicate
def is_under_discussion(user, activity):
    return activity is not None and activity.status in DISCUSSION_STATUSES


@rules.predicate
def is_hidden_comment(user, comment):
    return comment is not None and comment.is_hidden


@rules.predicate
def is_officer_anywhere(user):
    return scopes.has_role(user, Role.OFFICER)


lives_in_scope = is_resident_of_rt | (is_kelurahan_wide & is_resident_of_kelurahan)
takes_part_in_discussion = (
    lives_in_scope
    | is_activity_author
    | is_government_of
    | is_chair_of
    | is_pokmas_member_of
    | is_community_lead_of
)

rules.add_perm("designing.add_proposal", proposes_for)
rules.add_perm("designing.view_proposal", can_view_activity)
rules.add_perm("designing.change_proposal", is_activity_author & is_draft & is_content_open)
rules.add_perm("designing.comment_proposal", is_under_discussion & takes_part_in_discussion)
rules.add_perm("designing.moderate_comment", is_officer_of)
rules.add_perm("designing.review_proposal", is_officer_of)

# The RT budget plan names activities and amounts, never people: the RT's residents read it too.
rules.add_perm(
    "designing.view_budget_plan",
    sees_city | is_government_of | is_chair_of | is_pokmas_member_of | is_resident_of_rt,
)

# Voting rounds.


@rules.predicate
def round_lives_in_scope(user, voting_round):
    if voting_round is None:
        return False
    if voting_round.rt_id:
        return is_resident_of_rt(user, voting_round)
    return is_resident_of_kelurahan(user, voting_round)


@rules.predicate
def is_open_round(user, voting_round):
    return voting_round is not None and voting_round.is_open


@rules.predicate
def is_closed_round(user, voting_round):
    return voting_round is not None and voting_round.is_closed


rules.add_perm("designing.add_round", is_officer_of)
rules.add_perm("designing.list_rounds", is_officer_anywhere)
rules.add_perm("designing.view_round", sees_city | lives_or_works_in_kelurahan)
rules.add_perm("designing.vote_in_round", is_open_round & round_lives_in_scope)
rules.add_perm("designing.view_live_results", is_officer_of)
rules.add_perm(
    "designing.view_results", is_closed_round & (sees_city | lives_or_works_in_kelurahan)
)
rules.add_perm("designing.announce_results", is_closed_round & is_officer_of)


@rules.predicate
def opened_round(user, voting_round):
    return voting_round is not None and voting_round.opened_by_id == user.pk


# Only the officer who opened a round changes it (before it opens) or cancels it (before it
# closes); the service says why when the moment has passed.
rules.add_perm("designing.change_round", opened_round & is_officer_of)
