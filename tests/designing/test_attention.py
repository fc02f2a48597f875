"""What co-designing puts on an officer's home page: the proposals of their kelurahan waiting
for their review, that is, in no voting round still to close."""

import datetime

import pytest
from django.utils import timezone

from designing.attention import designing
from rtkeren.models import ActivityStatus
from rtkeren.registry import with_counts

from .factories import VotingRoundFactory, closed, proposal

pytestmark = pytest.mark.django_db

REVIEW = "Usulan yang menunggu penilaian Anda"


def test_proposals_in_no_round_still_to_close_wait_for_the_officer(officer, rt, foreign_rt):
    now = timezone.now()
    waiting = [proposal(rt=rt) for _ in range(4)]
    alone, after_closed, after_cancelled, twice = waiting
    voting, scheduled = proposal(rt=rt), proposal(rt=rt)
    closed(VotingRoundFactory(rt=rt, proposals=[after_closed, twice]))
    # A cancelled round no longer holds its proposals.
    VotingRoundFactory(
        rt=rt,
        proposals=[after_cancelled, voting],
        cancelled_at=now,
        cancelled_by=officer,
        cancel_reason="Jadwal bentrok.",
    )
    VotingRoundFactory(rt=rt, proposals=[voting])
    VotingRoundFactory(
        rt=rt,
        proposals=[scheduled],
        opens_at=now + datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=8),
    )
    closed(VotingRoundFactory(rt=rt, proposals=[twice]))
    proposal(rt=foreign_rt)  # another kelurahan
    proposal(rt=rt, status=ActivityStatus.DRAFT)

    items = {item.title: item.count for item in with_counts(designing(officer))}

    assert items[REVIEW] == len(waiting)
