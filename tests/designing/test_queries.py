"""The number of queries of each page is the same with one row and with many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as core
from tests.delivery.factories import SpendingFactory

from .factories import CommentFactory, VoteFactory, VotingRoundFactory, closed, proposal

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _proposals(rt, period, count, interests):
    made = []
    for index in range(count):
        activity = proposal(rt=rt, period=period)
        activity.interests.set(interests)
        core.BudgetLineFactory(activity=activity, unit_price=1000 * (index + 1))
        CommentFactory.create_batch(index % 3 + 1, activity=activity)
        core.ResidentFactory(rt=rt, interests=interests[:1])
        made.append(activity)
    return made


@pytest.mark.parametrize("order", ["newest", "fit", "discussed"])
def test_the_proposal_list(client, resident_user, rt, period, order):
    interests = [core.InterestFactory(), core.InterestFactory()]
    client.force_login(resident_user)
    url = reverse("designing:proposal-list") + f"?order={order}"
    _proposals(rt, period, 1, interests)
    one = _queries(client, url)

    _proposals(rt, period, 20, interests)

    assert _queries(client, url) == one


def test_the_proposal_lists_second_page_takes_the_queries_of_the_first(
    client, resident_user, rt, period
):
    """The page's rows and the list's length are read in one query, on any page."""
    for _ in range(30):
        proposal(rt=rt, period=period)
    client.force_login(resident_user)
    url = reverse("designing:proposal-list")
    client.get(url)  # the caches the page shares with everyone

    first = _queries(client, url)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url, {"page": "2"})

    assert len(captured) == first
    page = second.context["page_obj"]
    assert (page.number, page.paginator.count, len(second.context["proposals"])) == (2, 30, 5)


def test_the_proposal_page_with_many_comments(client, resident_user, rt, period):
    activity = proposal(rt=rt, period=period)
    url = reverse("designing:proposal-detail", args=[activity.pk])
    CommentFactory(activity=activity)
    client.force_login(resident_user)
    one = _queries(client, url)

    activity.interests.set(core.InterestFactory.create_batch(4))
    core.BudgetLineFactory.create_batch(5, activity=activity)
    for _ in range(30):
        top = CommentFactory(activity=activity)
        CommentFactory.create_batch(2, activity=activity, parent=top)

    assert _queries(client, url) == one


def test_the_proposal_page_for_an_officer(client, officer, rt, period):
    activity = proposal(rt=rt, period=period)
    url = reverse("designing:proposal-detail", args=[activity.pk])
    CommentFactory(activity=activity)
    client.force_login(officer)
    client.get(url)  # the city's places, read once: hidden comments do not renew them
    one = _queries(client, url)

    for _ in range(30):
        CommentFactory(activity=activity, hidden_at=activity.created_at, hidden_reason="Kasar")

    assert _queries(client, url) == one


def _round_with(voting_round, rt, count):
    for _ in range(count):
        activity = proposal(rt=rt, period=voting_round.period)
        voting_round.proposals.add(activity)
        for resident in core.ResidentFactory.create_batch(2, rt=rt):
            VoteFactory(round=voting_round, activity=activity, resident=resident)


@pytest.mark.parametrize("persona", ["resident_user", "officer"])
def test_the_round_page_with_many_proposals_and_votes(client, request, rt, period, persona):
    voting_round = VotingRoundFactory(rt=rt, period=period)
    url = reverse("designing:round-detail", args=[voting_round.pk])
    _round_with(voting_round, rt, 1)
    client.force_login(request.getfixturevalue(persona))
    one = _queries(client, url)

    _round_with(voting_round, rt, 30)

    assert _queries(client, url) == one
    second = client.get(url, {"page": "2"}).context["proposals"]
    assert (second.number, second.paginator.count, len(second)) == (2, 31, 6)


def test_the_closed_round_page(client, resident_user, rt, period):
    voting_round = VotingRoundFactory(rt=rt, period=period)
    url = reverse("designing:round-detail", args=[voting_round.pk])
    _round_with(voting_round, rt, 1)
    closed(voting_round)
    client.force_login(resident_user)
    one = _queries(client, url)

    _round_with(voting_round, rt, 20)

    assert _queries(client, url) == one


def test_the_round_list_and_the_budget_plan(client, officer, rt, period):
    client.force_login(officer)
    list_url = reverse("designing:round-list")
    plan_url = reverse("designing:budgetplan-detail", args=[rt.pk])
    VotingRoundFactory(rt=rt, period=period, proposals=[proposal(rt=rt, period=period)])
    proposal(rt=rt, period=period)
    one = (_queries(client, list_url), _queries(client, plan_url))

    for _ in range(10):
        VotingRoundFactory(rt=rt, period=period, proposals=[proposal(rt=rt, period=period)])
        approved = proposal(rt=rt, period=period, status="approved")
        SpendingFactory(activity=approved, amount=50_000)

    assert (_queries(client, list_url), _queries(client, plan_url)) == one


def _activity_queries_naming(client, url, table: str) -> list[str]:
    """The page's queries that read activities and also name ``table``."""
    activities = connection.ops.quote_name("rtkeren_activity")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [
        query["sql"]
        for query in captured
        if activities in query["sql"] and connection.ops.quote_name(table) in query["sql"]
    ]


def test_the_rows_of_proposals_and_of_a_ballot_read_no_account(client, resident_user, rt, period):
    # A row names the proposal's place, not its author: the accounts' columns (a password hash
    # among them) are not read with the rows.
    interests = [core.InterestFactory()]
    made = _proposals(rt, period, 3, interests)
    voting_round = VotingRoundFactory(rt=rt, period=period, proposals=made)
    client.force_login(resident_user)

    for url in (
        reverse("designing:proposal-list"),
        reverse("designing:round-detail", args=[voting_round.pk]),
    ):
        assert _activity_queries_naming(client, url, "rtkeren_user") == [], url
