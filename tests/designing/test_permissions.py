"""Role x scope x state: who reaches which proposal page and action. Out of reach is 404
(the id in the URL was changed), in reach without the right is 403."""

import pytest
from django.urls import reverse

from designing.models import Comment
from rtkeren.models import ActivityStatus

from .factories import proposal as make_proposal

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin_user",
    "neighbour",
    "officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "pokmas_member",
    "resident_user",
    "community_lead",
    "other_rt_chair",
    "outsider",
    "foreign_officer",
    "city_viewer",
]

# Expected status of GET proposal-detail, per state.
VIEW = {
    ActivityStatus.DRAFT: {
        "admin_user": 200,
        "neighbour": 200,
        "officer": 200,
        "facilitator": 200,
        "rw_chair": 200,
        "rt_chair": 200,
        "city_viewer": 200,
    },
    ActivityStatus.PROPOSED: {
        "admin_user": 200,
        "neighbour": 200,
        "officer": 200,
        "facilitator": 200,
        "rw_chair": 200,
        "rt_chair": 200,
        "pokmas_member": 200,
        "resident_user": 200,
        "city_viewer": 200,
    },
}
VIEW[ActivityStatus.APPROVED] = VIEW[ActivityStatus.PROPOSED]

# Expected status of POST comment-create on a submitted proposal (302: posted).
COMMENT = {
    "neighbour": 302,
    "officer": 302,
    "facilitator": 302,
    "rw_chair": 302,
    "rt_chair": 302,
    "pokmas_member": 302,
    "resident_user": 302,
    # Those who read a proposal city-wide take no part in its discussion.
    "admin_user": 403,
    "city_viewer": 403,
}


@pytest.fixture
def activity_in(rt, neighbour, period):
    def make(status):
        return make_proposal(rt=rt, author=neighbour, period=period, status=status)

    return make


@pytest.mark.parametrize("state", list(VIEW))
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_proposal(client, request, activity_in, persona, state):
    activity = activity_in(state)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("designing:proposal-detail", args=[activity.pk]))
    assert response.status_code == VIEW[state].get(persona, 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_comments_on_a_submitted_proposal(client, request, activity_in, persona):
    activity = activity_in(ActivityStatus.PROPOSED)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("designing:comment-create", args=[activity.pk]), {"body": "Setuju."}
    )
    expected = COMMENT.get(persona, 404)
    assert response.status_code == expected
    assert Comment.objects.exists() == (expected == 302)


@pytest.mark.parametrize("state", [ActivityStatus.APPROVED, ActivityStatus.REJECTED])
def test_decided_and_rejected_proposals(client, resident_user, activity_in, state):
    activity = activity_in(state)
    client.force_login(resident_user)
    response = client.post(
        reverse("designing:comment-create", args=[activity.pk]), {"body": "Setuju."}
    )
    # Discussion goes on after approval; a rejected proposal's is closed.
    assert response.status_code == (302 if state == ActivityStatus.APPROVED else 403)


@pytest.mark.parametrize("state", [ActivityStatus.DRAFT, ActivityStatus.PROPOSED])
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_author_edits_and_only_a_draft(client, request, activity_in, persona, state):
    activity = activity_in(state)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("designing:proposal-update", args=[activity.pk]))
    if persona == "neighbour":
        expected = 200 if state == ActivityStatus.DRAFT else 403
    else:
        expected = VIEW[state].get(persona, 404)
        expected = 403 if expected == 200 else expected
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_draft_where(client, request, rt, period, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("designing:proposal-create"))
    proposers = {"neighbour", "rt_chair", "pokmas_member", "resident_user", "community_lead"}
    proposers |= {"other_rt_chair", "outsider"}
    assert response.status_code == (200 if persona in proposers else 403)
    if response.status_code == 200:
        places = dict(response.context["form"].fields["scope"].choices)
        assert (f"rt:{rt.pk}" in places) == (
            persona in {"neighbour", "rt_chair", "pokmas_member", "resident_user"}
        )


def test_anonymous_visitors_are_sent_to_log_in(client, activity_in):
    activity = activity_in(ActivityStatus.PROPOSED)
    for url in (
        reverse("designing:proposal-list"),
        reverse("designing:proposal-detail", args=[activity.pk]),
        reverse("designing:round-list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


def test_the_proposal_list_is_scoped(client, resident_user, activity_in, foreign_proposal, draft):
    mine = activity_in(ActivityStatus.PROPOSED)
    client.force_login(resident_user)
    response = client.get(reverse("designing:proposal-list"))
    assert [activity.pk for activity in response.context["proposals"]] == [mine.pk]
