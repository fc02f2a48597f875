"""A proposal cancelled or taken back to draft leaves the ballot; content freezes when a round
opens, not when it is scheduled; votes go only to proposals still standing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from designing import services
from designing.models import Vote
from rtkeren.models import Activity, ActivityStatus, Notification, Participation
from rtkeren.services.activities import activity_cancel, activity_withdraw
from tests import factories as core

from .factories import VotingRoundFactory
from .factories import proposal as make_proposal

pytestmark = pytest.mark.django_db


def _round(officer, rt, period, proposals, *, opens_in=datetime.timedelta(minutes=-1)):
    return services.round_open(
        by=officer,
        place=rt,
        period=period,
        title="Pemilihan usulan RT",
        opens_at=timezone.now() + opens_in,
        closes_at=timezone.now() + datetime.timedelta(days=3),
        votes_per_resident=2,
        proposals=proposals,
    )


def test_a_cancelled_proposal_leaves_the_open_ballot_and_its_voters_get_their_vote_back(
    officer, rt, period, neighbour, django_capture_on_commit_callbacks
):
    cancelled, kept = (
        make_proposal(rt=rt, period=period, author=neighbour),
        make_proposal(rt=rt, period=period),
    )
    voting_round = _round(officer, rt, period, [cancelled, kept])
    only_for_it, _resident = core.make_resident_user(rt, "pemilih_satu")
    for_both, _resident = core.make_resident_user(rt, "pemilih_dua")
    services.vote_cast(voting_round=voting_round, activity=cancelled, by=only_for_it)
    services.vote_cast(voting_round=voting_round, activity=cancelled, by=for_both)
    services.vote_cast(voting_round=voting_round, activity=kept, by=for_both)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        activity_cancel(activity=cancelled, by=neighbour, reason="Lokasi tidak tersedia.")

    assert list(voting_round.proposals.all()) == [kept]
    assert list(Vote.objects.values_list("resident__user__username", "activity")) == [
        ("pemilih_dua", kept.pk)
    ]
    voted = set(
        Participation.objects.filter(kind=services.KIND_VOTED).values_list(
            "resident__user__username", flat=True
        )
    )
    assert voted == {"pemilih_dua"}
    told = dict(Notification.objects.values_list("recipient__username", "message"))
    assert set(told) >= {"pemilih_satu", "pemilih_dua"}
    assert "Suara Anda untuk usulan itu dikembalikan" in told["pemilih_satu"]
    # The returned vote can go to another proposal.
    services.vote_cast(voting_round=voting_round, activity=kept, by=only_for_it)
    with pytest.raises(ValidationError, match="tidak termasuk pemilihan ini"):
        services.vote_cast(voting_round=voting_round, activity=cancelled, by=only_for_it)


def test_a_vote_for_a_proposal_no_longer_standing_is_refused(officer, rt, period, resident_user):
    proposal = make_proposal(rt=rt, period=period)
    voting_round = _round(officer, rt, period, [proposal])
    Activity.objects.filter(pk=proposal.pk).update(status=ActivityStatus.CANCELLED)

    with pytest.raises(ValidationError, match="sudah ditarik atau dibatalkan"):
        services.vote_cast(voting_round=voting_round, activity=proposal, by=resident_user)

    assert not Vote.objects.exists()
    assert not Participation.objects.filter(kind=services.KIND_VOTED).exists()


def test_content_freezes_when_the_round_opens_not_when_it_is_scheduled(
    officer, rt, period, neighbour
):
    proposal = make_proposal(rt=rt, period=period, author=neighbour)
    voting_round = _round(officer, rt, period, [proposal], opens_in=datetime.timedelta(days=1))

    proposal.refresh_from_db()
    assert proposal.content_frozen_at == voting_round.opens_at
    assert not proposal.is_content_frozen

    # Before the opening, the author may still take it back: it leaves the ballot.
    activity_withdraw(activity=proposal, by=neighbour)

    proposal.refresh_from_db()
    assert proposal.status == ActivityStatus.DRAFT
    assert proposal.content_frozen_at is None
    assert not voting_round.proposals.exists()


def test_once_the_round_has_opened_the_content_is_frozen(officer, rt, period, neighbour):
    proposal = make_proposal(rt=rt, period=period, author=neighbour)
    _round(officer, rt, period, [proposal], opens_in=datetime.timedelta(days=1))
    later = timezone.now() + datetime.timedelta(days=1, minutes=1)

    proposal.refresh_from_db()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert proposal.is_content_frozen


def test_an_earlier_round_keeps_the_earlier_freeze(officer, rt, period):
    proposal = make_proposal(rt=rt, period=period)
    first = VotingRoundFactory(rt=rt, period=period, opened_by=officer, proposals=[proposal])
    Activity.objects.filter(pk=proposal.pk).update(content_frozen_at=first.opens_at)
    services.activity_freeze_content(
        activity=proposal, at=first.opens_at + datetime.timedelta(days=5)
    )

    proposal.refresh_from_db()
    assert proposal.content_frozen_at == first.opens_at
