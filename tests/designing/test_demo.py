"""The demo data of the stage (seeded once for the module, rolled back at its end)."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.urls import reverse

from designing.models import Comment, ProposalOrigin, Vote, VotingRound
from rtkeren.models import Activity, ActivityStatus, Participation, Stage, User

BLITAR = "35.72.02.1002"


@pytest.mark.django_db
def test_proposals_in_every_state_with_a_lively_discussion(seeded):
    proposals = Activity.objects.filter(kelurahan__code=BLITAR, comments__isnull=False).distinct()
    states = set(Activity.objects.filter(kelurahan__code=BLITAR).values_list("status", flat=True))
    assert {
        ActivityStatus.DRAFT,
        ActivityStatus.PROPOSED,
        ActivityStatus.APPROVED,
        ActivityStatus.REJECTED,
        ActivityStatus.IN_DELIVERY,
        ActivityStatus.CANCELLED,
    } <= states
    assert proposals.count() >= 6
    assert Comment.objects.filter(parent__isnull=False).count() >= 6
    assert Comment.objects.filter(hidden_at__isnull=False).count() == 1
    assert ProposalOrigin.objects.exists()


@pytest.mark.django_db
def test_an_open_round_with_votes_and_a_closed_one_with_results(seeded):
    open_round, closed_round = (
        VotingRound.objects.get(title__endswith="tahap 2"),
        VotingRound.objects.get(title__endswith="tahap 1"),
    )
    assert open_round.is_open
    assert closed_round.is_closed
    assert closed_round.results_announced_at is not None
    assert Vote.objects.filter(round=open_round).count() >= 20
    assert Vote.objects.filter(round=closed_round).count() >= 15
    assert all(activity.is_content_frozen for activity in open_round.proposals.all())
    assert Participation.objects.filter(stage=Stage.DESIGNING, kind="vote_cast").count() >= 15


@pytest.mark.django_db
def test_running_the_demo_again_creates_nothing(seeded):
    before = (Activity.objects.count(), Comment.objects.count(), Vote.objects.count())
    output = io.StringIO()

    call_command("seed_demo", "--force", stdout=output)

    assert "designing: 0 proposals, 0 comments, 0 rounds, 0 votes created" in output.getvalue()
    assert before == (Activity.objects.count(), Comment.objects.count(), Vote.objects.count())


@pytest.mark.django_db
def test_the_demo_accounts_find_their_way(seeded, client):
    client.force_login(User.objects.get(username="warga"))
    home = client.get(reverse("home")).content.decode()
    assert "Pemilihan yang terbuka untuk Anda" in home
    rounds = client.get(reverse("designing:round-list"))
    assert rounds.status_code == 200
    client.force_login(User.objects.get(username="petugas"))
    plan = client.get(reverse("designing:budgetplan-list"))
    assert plan.status_code == 200


@pytest.mark.django_db
def test_no_resident_holds_more_votes_than_the_round_allows(seeded):
    over = (
        Vote.objects.values("round", "round__votes_per_resident", "resident")
        .annotate(held=Count("pk"))
        .filter(held__gt=F("round__votes_per_resident"))
        .order_by()
    )

    assert VotingRound.objects.exists()
    assert list(over) == []


@pytest.mark.django_db
def test_the_kelurahan_wide_festival_is_shared_by_the_rts_of_its_rw_and_can_be_approved(seeded):
    from rtkeren.services.budget import ceiling_positions, shares_error

    festival = Activity.objects.get(kelurahan__code=BLITAR, rt__isnull=True)
    shares = list(festival.shares.select_related("rt__rw"))

    assert festival.funding_source == Activity.Funding.RT_KEREN
    assert len(shares) >= 2
    assert {share.rt.rw_id for share in shares} == {shares[0].rt.rw_id}
    assert sum(share.amount for share in shares) == festival.budget_total() == 5_300_000
    assert shares_error(festival) is None
    assert not any(position.excess for position in ceiling_positions(festival))
