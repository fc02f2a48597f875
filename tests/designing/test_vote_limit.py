"""The number of votes per resident in a round is guarded by the database too: whatever
bypasses the service (a bulk insert, the admin, a raw statement) cannot go over it."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from designing.models import Vote
from rtkeren.models import Resident
from tests import factories as core

from . import factories

VOTERS = 20_000
BORN = datetime.date(1980, 1, 1)


@pytest.fixture
def two_vote_round(rt, officer, period):
    proposals = [factories.proposal(rt=rt, period=period) for _ in range(3)]
    voting_round = factories.VotingRoundFactory(
        rt=rt, period=period, opened_by=officer, proposals=proposals, votes_per_resident=2
    )
    return voting_round, proposals


@pytest.mark.django_db
def test_a_third_vote_written_directly_is_refused(two_vote_round, rt):
    voting_round, proposals = two_vote_round
    resident = core.ResidentFactory(rt=rt)
    for activity in proposals[:2]:
        Vote.objects.create(round=voting_round, activity=activity, resident=resident)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(round=voting_round, activity=proposals[2], resident=resident)

    assert Vote.objects.filter(round=voting_round, resident=resident).count() == 2


@pytest.mark.django_db
def test_a_bulk_insert_over_the_limit_is_refused_whole(two_vote_round, rt):
    voting_round, proposals = two_vote_round
    resident = core.ResidentFactory(rt=rt)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.bulk_create(
            Vote(round=voting_round, activity=activity, resident=resident) for activity in proposals
        )

    assert not Vote.objects.filter(round=voting_round).exists()


@pytest.mark.django_db
def test_moving_a_vote_onto_a_resident_at_the_limit_is_refused(two_vote_round, rt):
    voting_round, proposals = two_vote_round
    full, other = core.ResidentFactory(rt=rt), core.ResidentFactory(rt=rt)
    for activity in proposals[:2]:
        Vote.objects.create(round=voting_round, activity=activity, resident=full)
    moved = Vote.objects.create(round=voting_round, activity=proposals[2], resident=other)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.filter(pk=moved.pk).update(resident=full)

    assert Vote.objects.get(pk=moved.pk).resident == other


@pytest.mark.django_db
def test_votes_up_to_the_limit_and_in_other_rounds_pass(two_vote_round, rt, officer, period):
    voting_round, proposals = two_vote_round
    resident = core.ResidentFactory(rt=rt)
    other_round = factories.VotingRoundFactory(
        rt=rt, period=period, opened_by=officer, proposals=proposals, votes_per_resident=1
    )
    for activity in proposals[:2]:
        Vote.objects.create(round=voting_round, activity=activity, resident=resident)
    Vote.objects.create(round=other_round, activity=proposals[2], resident=resident)
    # Any other resident still has their own votes.
    Vote.objects.create(
        round=voting_round, activity=proposals[2], resident=core.ResidentFactory(rt=rt)
    )

    assert Vote.objects.filter(resident=resident).count() == 3


@pytest.mark.django_db
def test_one_transaction_can_write_the_votes_of_a_whole_kelurahan(two_vote_round, rt):
    """The city data set writes every vote of a round in one statement. A lock per (round,
    resident) kept in PostgreSQL's shared lock table (6.400 slots by default, with some slack)
    ran out past ten thousand voters; the limit is still held."""
    voting_round, proposals = two_vote_round
    voters = Resident.objects.bulk_create(
        Resident(name=f"Warga {number}", sex="L", birth_date=BORN, rt=rt)
        for number in range(VOTERS)
    )

    with transaction.atomic():
        Vote.objects.bulk_create(
            Vote(round=voting_round, activity=activity, resident=voter)
            for voter in voters
            for activity in proposals[:2]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(round=voting_round, activity=proposals[2], resident=voters[-1])

    assert Vote.objects.filter(round=voting_round).count() == 2 * VOTERS
