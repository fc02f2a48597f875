"""The proposal list and a round's ballot, prepared once per shape (``rtkeren.prepared``),
give the rows Django's own queries give, for every kind of reader.

The tests run with ``PREPARED_QUERIES_CHECK``: every prepared run below also compares its SQL
and parameters with those Django compiles for the same values."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef
from django.urls import reverse

from designing import selectors
from designing.models import Vote
from designing.selectors import with_fit
from rtkeren import prepared
from rtkeren.models import ActivityStatus
from rtkeren.models.activities import budget_per_row
from rtkeren.paginate import TOTAL, counted, counted_slice
from rtkeren.selectors.counting import SubqueryCount
from tests import factories
from tests.prepared_support import READERS, all_prepared

from .factories import CommentFactory, VoteFactory, VotingRoundFactory, closed, proposal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_prepared_shapes")]


@pytest.fixture
def proposals(rt, other_rt, foreign_rt, community, period, resident_user):
    made = [
        factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.PROPOSED),
        factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DRAFT),
        factories.ActivityFactory(rt=rt, period=period, author=resident_user),
        factories.ActivityFactory(rt=other_rt, period=period, status=ActivityStatus.PROPOSED),
        factories.ActivityFactory(rt=foreign_rt, period=period, status=ActivityStatus.PROPOSED),
        factories.ActivityFactory(
            rt=None, kelurahan=rt.rw.kelurahan, period=period, status=ActivityStatus.PROPOSED
        ),
        factories.ActivityFactory(
            rt=None,
            community=community,
            kelurahan=rt.rw.kelurahan,
            period=period,
            status=ActivityStatus.PROPOSED,
        ),
        factories.ActivityFactory(rt=rt, status=ActivityStatus.APPROVED),
    ]
    return made


def _figures(rows):
    return [
        (row.pk, row.fit, row.comment_count, row.budget_sum, getattr(row, TOTAL)) for row in rows
    ]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"order": "fit"},
        {"order": "discussed", "status": ActivityStatus.APPROVED},
        {"status": ActivityStatus.DRAFT, "with_period": True},
        {"order": "no-such-order"},
    ],
)
def test_the_proposal_list_prepared_is_djangos(request, reader, filters, proposals, period):
    user = request.getfixturevalue(reader)
    filters = dict(filters)
    if filters.pop("with_period", False):
        filters["period"] = period
    query = selectors.prepared_proposal_list(user=user, **filters)

    for start in (0, 2):
        # The check compares the SQL and its parameters with Django's on every run.
        rows = query.then(counted).sliced(start, 2).rows()
        expected = list(
            counted_slice(
                selectors.prepared_proposal_list(user=user, **filters).queryset(), start, 2
            )
        )
        assert _figures(rows) == _figures(expected)
    assert all_prepared(selectors._proposal_list)


def test_nobody_signed_in_reads_no_proposal(proposals, django_assert_num_queries):
    query = selectors.prepared_proposal_list(user=AnonymousUser())
    with django_assert_num_queries(0):
        assert query.then(counted).sliced(0, 25).rows() == []


def test_the_proposal_list_page_reads_its_rows_prepared(client, resident_user, proposals):
    client.force_login(resident_user)

    response = client.get(reverse("designing:proposal-list"))

    assert response.status_code == 200
    shown = {proposal.pk for proposal in response.context["proposals"]}
    visible = set(
        selectors.prepared_proposal_list(user=resident_user).queryset().values_list("pk", flat=True)
    )
    assert shown
    assert shown == visible
    assert all_prepared(selectors._proposal_list)


def _ballot_as_before(voting_round, ranked):
    """The ballot as it was read through the round's own relation."""
    queryset = with_fit(
        voting_round.proposals.with_place_names().annotate(budget_sum=budget_per_row())
    )
    if not ranked:
        return queryset.order_by("-fit", "title", "pk")
    votes = Vote.objects.filter(round=voting_round, activity=OuterRef("pk"))
    return queryset.annotate(vote_count=SubqueryCount(votes)).order_by(
        "-vote_count", "-fit", "title", "pk"
    )


@pytest.mark.parametrize("ranked", [False, True])
def test_a_rounds_ballot_prepared_is_the_rounds_own(rt, period, ranked):
    activities = [factories.ActivityFactory(rt=rt, period=period) for _ in range(3)]
    voting_round = VotingRoundFactory(rt=rt, period=period, proposals=activities)
    other_round = VotingRoundFactory(rt=rt, period=period, proposals=activities[:1])
    for activity in activities[1:]:
        VoteFactory(round=voting_round, activity=activity)
    VoteFactory(round=other_round, activity=activities[0])
    closed(voting_round)

    for each in (voting_round, other_round):
        for start in (0, 2):
            rows = selectors.round_proposals(each, ranked=ranked).then(counted).sliced(start, 2)
            expected = counted_slice(_ballot_as_before(each, ranked), start, 2)
            assert [
                (row.pk, row.fit, row.budget_sum, getattr(row, "vote_count", None))
                for row in rows.rows()
            ] == [
                (row.pk, row.fit, row.budget_sum, getattr(row, "vote_count", None))
                for row in expected
            ]
    assert all_prepared(selectors._round_proposals)


def test_the_round_page_reads_its_ballot_prepared(client, resident_user, rt, period):
    activities = [factories.ActivityFactory(rt=rt, period=period) for _ in range(2)]
    voting_round = VotingRoundFactory(rt=rt, period=period, proposals=activities)
    client.force_login(resident_user)

    response = client.get(reverse("designing:round-detail", args=[voting_round.pk]))

    assert response.status_code == 200
    assert {row.pk for row in response.context["proposals"]} == {a.pk for a in activities}
    assert all_prepared(selectors._round_proposals)


def test_the_proposal_page_reads_its_proposal_prepared(client, resident_user, outsider, rt):
    activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.PROPOSED)
    activity.interests.set([factories.InterestFactory()])
    url = reverse("designing:proposal-detail", args=[activity.pk])
    client.force_login(resident_user)

    response = client.get(url)

    assert response.status_code == 200
    assert response.context["activity"] == activity
    assert list(response.context["activity"].interests.all()) == list(activity.interests.all())
    assert all_prepared(prepared._one)
    # Another kelurahan's resident changing the id in the URL finds nothing.
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("designing:proposal-detail", args=[2**63])).status_code == 404


def _threads(rows):
    return [
        (
            row.pk,
            row.author.username,
            [(reply.pk, reply.author.username) for reply in row.reply_list],
        )
        for row in rows
    ]


def test_a_proposals_threads_prepared_are_djangos(client, resident_user, rt):
    activity = proposal(rt=rt)
    threads = CommentFactory.create_batch(3, activity=activity)
    CommentFactory(activity=activity, parent=threads[0])
    CommentFactory(activity=activity, parent=threads[0])
    CommentFactory(activity=proposal(rt=rt))  # another proposal's thread

    for start in (0, 2):
        rows = selectors.comment_threads(activity).then(counted).sliced(start, 2).rows()
        expected = counted_slice(
            selectors._comment_threads((), {"activity": activity.pk}), start, 2
        )
        assert _threads(rows) == _threads(expected)
        assert [getattr(row, TOTAL) for row in rows] == [3] * len(rows)

    client.force_login(resident_user)
    response = client.get(reverse("designing:proposal-detail", args=[activity.pk]))
    assert response.status_code == 200
    assert len(response.context["threads"].object_list) == 3
    assert all_prepared(selectors._comment_threads)


def test_the_round_page_reads_my_votes_and_the_turnout_prepared(
    client, resident_user, officer, rt, period
):
    """What the resident voted for, and the turnout, are the round's own records: another
    round's votes and another resident's count in neither the resident's votes nor another
    round's turnout."""
    activities = [factories.ActivityFactory(rt=rt, period=period) for _ in range(3)]
    voting_round = VotingRoundFactory(rt=rt, period=period, proposals=activities)
    other_round = VotingRoundFactory(rt=rt, period=period, proposals=activities)
    resident = resident_user.resident
    for activity in activities[:2]:
        VoteFactory(round=voting_round, activity=activity, resident=resident)
    VoteFactory(round=voting_round, activity=activities[2])
    VoteFactory(round=other_round, activity=activities[2], resident=resident)
    url = reverse("designing:round-detail", args=[voting_round.pk])

    client.force_login(resident_user)
    mine = client.get(url).context["my_votes"]
    client.force_login(officer)
    turnout = client.get(url).context["turnout"]

    assert mine == {activities[0].pk, activities[1].pk}
    assert turnout == {"voters": 2, "votes": 3}
    assert selectors.round_turnout(other_round) == {"voters": 1, "votes": 1}
    assert selectors.round_turnout(VotingRoundFactory(rt=rt, period=period)) == {
        "voters": 0,
        "votes": 0,
    }
    assert all_prepared(selectors._my_votes)
    assert all_prepared(selectors._round_turnout)


def test_the_proposal_page_lists_its_rounds_prepared(client, resident_user, rt, period):
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.PROPOSED)
    rounds = [VotingRoundFactory(rt=rt, period=period, proposals=[activity]) for _ in range(2)]
    VotingRoundFactory(rt=rt, period=period, proposals=[factories.ActivityFactory(rt=rt)])
    client.force_login(resident_user)

    response = client.get(reverse("designing:proposal-detail", args=[activity.pk]))

    assert response.context["rounds"] == sorted(rounds, key=lambda each: each.opens_at)[::-1]
    assert response.context["rounds"] == list(activity.voting_rounds.order_by("-opens_at"))
    assert all_prepared(selectors._rounds_holding)


def test_only_the_list_without_a_status_runs_on_its_generic_plan(resident_user):
    """The list residents open has one plan for every scope measured; a status chosen needs a
    plan for that status (``docs/performance.md``)."""
    assert selectors.prepared_proposal_list(user=resident_user).generic_plan
    assert selectors.prepared_proposal_list(user=resident_user, order="fit").generic_plan
    chosen = selectors.prepared_proposal_list(user=resident_user, status=ActivityStatus.APPROVED)
    assert not chosen.generic_plan
