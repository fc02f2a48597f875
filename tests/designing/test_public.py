"""Co-designing's section of the public page: counts of closed rounds, approved proposals only."""

import pytest

from designing.public import kelurahan_section
from rtkeren.models import ActivityStatus
from tests.designing.factories import VoteFactory, VotingRoundFactory, closed, proposal

pytestmark = pytest.mark.django_db


def test_only_closed_rounds_and_approved_proposals_with_their_counts(client, rt, period):
    approved = proposal(rt=rt, period=period, title="Perbaikan saluran air")
    rejected = proposal(rt=rt, period=period, title="Lomba gapura")
    done = VotingRoundFactory(
        rt=rt, period=period, title="Putaran selesai", proposals=[approved, rejected]
    )
    for _ in range(3):
        VoteFactory(round=done, activity=approved, resident__rt=rt)
    VoteFactory(round=done, activity=rejected, resident__rt=rt)
    closed(done)
    approved.status = ActivityStatus.APPROVED
    approved.save()
    rejected.status = ActivityStatus.REJECTED
    rejected.save()
    still_open = proposal(rt=rt, period=period, title="Pelatihan tari remaja")
    running = VotingRoundFactory(
        rt=rt, period=period, title="Putaran berjalan", proposals=[still_open]
    )
    for _ in range(7):
        VoteFactory(round=running, activity=still_open, resident__rt=rt)

    _template, context = kelurahan_section(rt.rw.kelurahan, period)
    assert [r.title for r in context["rounds"]] == ["Putaran selesai"]
    assert [(p.title, p.vote_count) for p in context["rounds"][0].approved] == [
        ("Perbaikan saluran air", 3)
    ]
    assert context["rounds"][0].voter_count == 4
    assert context["pending_count"] == 1

    text = client.get(f"/publik/{rt.rw.kelurahan.code}/").content.decode()
    assert "3 suara" in text
    assert "Putaran berjalan" not in text
    assert "Pelatihan tari remaja" not in text
    assert "7 suara" not in text
    assert "Lomba gapura" not in text
