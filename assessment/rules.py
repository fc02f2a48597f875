"""Who may do what in co-assessment.

An activity is evaluated once delivered, until its evaluation window closes: by the officers and
facilitators of its kelurahan (the government side), by its RT and RW chairs, its RT's Pokmas
and its community's lead, and by every resident who attended or implemented it (the community
side). Everyone who may see the activity reads the results side by side; the names behind the
obstacles only the people who turn them into follow-ups.
"""

import rules
from django.utils import timezone

from rtkeren import scopes
from rtkeren.models import ActivityStatus, Role
from rtkeren.rules import (
    can_view_activity,
    is_admin,
    is_chair_of,
    is_community_lead_of,
    is_government_of,
    is_officer_of,
    is_pokmas_member_of,
    is_resident_of_rt,
    is_rt_chair_of,
    is_rw_chair_of,
    lives_or_works_in_kelurahan,
    sees_city,
)

from .models import EVALUATED_STATUSES, Side
from .selectors import participations_of, window_closes_at


@rules.predicate
def is_participant(user, activity):
    """The resident the user acts as attended or implemented the activity (the delivery
    ledger)."""
    if activity is None or not user.is_authenticated:
        return False
    return participations_of(user).filter(activity=activity).exists()


@rules.predicate
def is_delivered(user, activity):
    return activity is not None and activity.status in EVALUATED_STATUSES


@rules.predicate
def is_evaluation_open(user, activity):
    if activity is None or activity.status != ActivityStatus.DELIVERED:
        return False
    return timezone.now() < window_closes_at(activity)


is_community_role_of = is_chair_of | is_pokmas_member_of | is_community_lead_of
may_evaluate = is_government_of | is_community_role_of | is_participant


def side_for(user, activity) -> str | None:
    """The side ``user`` evaluates ``activity`` from, or None when they may not evaluate it."""
    if is_government_of(user, activity):
        return Side.GOVERNMENT
    if is_community_role_of(user, activity) or is_participant(user, activity):
        return Side.COMMUNITY
    return None


@rules.predicate
def is_follow_up_owner(user, follow_up):
    return follow_up is not None and follow_up.owner_id == user.pk


@rules.predicate
def can_view_follow_up_activity(user, follow_up):
    return follow_up is not None and can_view_activity(user, follow_up.activity)


@rules.predicate
def is_open_round(user, evaluation_round):
    return evaluation_round is not None and evaluation_round.is_open


@rules.predicate
def round_forum_has_taken_place(user, evaluation_round):
    return (
        evaluation_round is not None
        and evaluation_round.forum_on is not None
        and evaluation_round.forum_on <= timezone.localdate()
    )


@rules.predicate
def opens_rounds_in(user, place):
    """Without a place: whether the user may open rounds anywhere."""
    if place is None:
        return scopes.has_role(user, Role.OFFICER)
    return is_officer_of(user, place)


records_for_residents = is_officer_of | is_rt_chair_of | is_rw_chair_of
manages_follow_ups = is_officer_of | is_chair_of

rules.add_perm("assessment.view_evaluations", can_view_activity & is_delivered)
rules.add_perm("assessment.evaluate_activity", is_evaluation_open & may_evaluate)
rules.add_perm("assessment.record_on_behalf", is_evaluation_open & records_for_residents)
rules.add_perm("assessment.view_evaluator_names", is_admin | is_government_of | is_chair_of)

rules.add_perm("assessment.add_followup", is_delivered & manages_follow_ups)
rules.add_perm("assessment.view_followup", is_admin | can_view_follow_up_activity)
rules.add_perm("assessment.change_followup", is_follow_up_owner | manages_follow_ups)

rules.add_perm("assessment.view_round", sees_city | lives_or_works_in_kelurahan)
rules.add_perm("assessment.add_round", opens_rounds_in)
rules.add_perm(
    "assessment.record_forum_attendance",
    is_open_round & round_forum_has_taken_place & records_for_residents,
)
rules.add_perm("assessment.close_round", is_open_round & is_officer_of)

# The co-production scorecard: residents read their RT's and their kelurahan's; officers and
# facilitators their kelurahan's with its RTs side by side; the city viewer and admins the
# city's and everything in it. Only admins change the thresholds.
rules.add_perm("assessment.view_city_scorecard", sees_city)
rules.add_perm("assessment.view_kelurahan_scorecard", sees_city | lives_or_works_in_kelurahan)
rules.add_perm(
    "assessment.view_rt_scorecard",
    sees_city | is_government_of | is_chair_of | is_resident_of_rt | is_pokmas_member_of,
)
rules.add_perm("assessment.compare_rts", sees_city | is_government_of)
rules.add_perm("assessment.change_thresholds", is_admin)
