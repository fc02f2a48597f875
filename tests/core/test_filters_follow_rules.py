"""Each list's database filter ("what this user can see") says what its ``rules`` permission
says, object by object, for every demo account, the superuser and a visitor: the filters are
written by hand for the database, so this test holds them to the table."""

import pytest
from django.contrib.auth.models import AnonymousUser

from assessment.models import EvaluationRound, FollowUp
from assessment.selectors import follow_ups_visible_to
from assessment.selectors import rounds_visible_to as evaluation_rounds_visible_to
from commissioning.models import Forum, Potential
from commissioning.selectors import forums_visible_to, kelurahan_visible_to, potentials_visible_to
from designing.models import VotingRound
from designing.selectors import rounds_visible_to as voting_rounds_visible_to
from rtkeren.models import Activity, Kelurahan, User
from rtkeren.permissions import can
from rtkeren.selectors.activities import activities_visible_to

pytestmark = pytest.mark.django_db

PAIRS = {
    "activities": ("rtkeren.view_activity", Activity, activities_visible_to),
    "kelurahan": ("commissioning.view_kelurahan", Kelurahan, kelurahan_visible_to),
    "potentials": ("commissioning.view_potential", Potential, potentials_visible_to),
    "forums": ("commissioning.view_forum", Forum, forums_visible_to),
    "voting rounds": ("designing.view_round", VotingRound, voting_rounds_visible_to),
    "evaluation rounds": ("assessment.view_round", EvaluationRound, evaluation_rounds_visible_to),
    "follow-ups": ("assessment.view_followup", FollowUp, follow_ups_visible_to),
}


@pytest.mark.parametrize("name", PAIRS)
def test_the_list_filter_shows_what_the_permission_allows(seeded, name):
    permission, model, visible_to = PAIRS[name]
    objects = list(model.objects.all())
    accounts = [*User.objects.order_by("username"), AnonymousUser()]
    assert objects
    assert any(account.is_superuser for account in accounts)

    disagreements = []
    seen_by_someone = set()
    for account in accounts:
        shown = set(visible_to(account).values_list("pk", flat=True))
        seen_by_someone |= shown
        for obj in objects:
            if can(account, permission, obj) != (obj.pk in shown):
                disagreements.append((account.username or "visitor", obj.pk, obj.pk in shown))

    assert disagreements == []
    # Not vacuous: someone sees some, and not everyone sees all.
    assert seen_by_someone
    assert any(
        set(visible_to(account).values_list("pk", flat=True)) != {o.pk for o in objects}
        for account in accounts
    )
