"""Co-designing's section of the public page: counts of closed rounds for approved proposals,
and the public reason of every decision."""

import datetime

import pytest
from django.http import QueryDict

from designing.public import kelurahan_section
from rtkeren.models import ActivityStatus
from tests.designing.factories import VoteFactory, VotingRoundFactory, closed, proposal

pytestmark = pytest.mark.django_db


def test_closed_rounds_approved_counts_and_the_reasons_of_decisions(client, rt, period):
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
    approved.decision_reason = "Saluran sering banjir."
    approved.save()
    rejected.status = ActivityStatus.REJECTED
    rejected.decision_reason = "Sudah dibiayai CSR."
    rejected.save()
    still_open = proposal(rt=rt, period=period, title="Pelatihan tari remaja")
    running = VotingRoundFactory(
        rt=rt, period=period, title="Putaran berjalan", proposals=[still_open]
    )
    for _ in range(7):
        VoteFactory(round=running, activity=still_open, resident__rt=rt)

    _template, context = kelurahan_section(rt.rw.kelurahan, period, QueryDict())
    assert [r.title for r in context["rounds"]] == ["Putaran selesai"]
    assert [(p.title, p.vote_count) for p in context["rounds"][0].approved] == [
        ("Perbaikan saluran air", 3)
    ]
    assert context["rounds"][0].voter_count == 4
    assert context["pending_count"] == 1

    text = client.get(f"/publik/{rt.rw.kelurahan.code}/").content.decode()
    # Three votes of four voters: shown as fewer than five, as in the open data.
    assert "kurang dari 5 suara" in text
    assert "Kurang dari 5 warga memberikan suara." in text
    assert "3 suara" not in text
    assert "Putaran berjalan" not in text
    assert "Pelatihan tari remaja" not in text
    assert "7 suara" not in text
    assert "Alasan persetujuan: Saluran sering banjir." in text
    # A rejected proposal is named with its reason, never with its votes.
    assert "Lomba gapura: Alasan: Sudah dibiayai CSR." in text
    assert "1 suara" not in text


def test_counts_of_five_and_more_are_shown_as_they_are(client, rt, period):
    approved = proposal(rt=rt, period=period, title="Perbaikan saluran air")
    other = proposal(rt=rt, period=period, title="Lomba gapura")
    done = VotingRoundFactory(rt=rt, period=period, proposals=[approved, other])
    for _ in range(5):
        VoteFactory(round=done, activity=approved, resident__rt=rt)
    for _ in range(2):
        VoteFactory(round=done, activity=other, resident__rt=rt)
    closed(done)
    for activity in (approved, other):
        activity.status = ActivityStatus.APPROVED
        activity.save()

    text = client.get(f"/publik/{rt.rw.kelurahan.code}/").content.decode()

    assert "5 suara" in text
    assert "7 warga" in text
    assert "kurang dari 5 suara" in text  # the other proposal's two
    assert "2 suara" not in text


def test_the_closed_rounds_are_paged_newest_first_with_their_voters(rt, period):
    rounds = []
    for number in range(1, 8):
        choice = proposal(rt=rt, period=period, title=f"Usulan {number}")
        voting_round = closed(
            VotingRoundFactory(rt=rt, period=period, proposals=[choice], title=f"Putaran {number}")
        )
        for _vote in range(number % 3):
            VoteFactory(round=voting_round, activity=choice, resident__rt=rt)
        rounds.append(voting_round)
    # The newest closed last.
    for age, voting_round in enumerate(reversed(rounds), start=1):
        type(voting_round).objects.filter(pk=voting_round.pk).update(
            closes_at=voting_round.closes_at - datetime.timedelta(minutes=age)
        )

    first = kelurahan_section(rt.rw.kelurahan, period, QueryDict())[1]
    second = kelurahan_section(rt.rw.kelurahan, period, QueryDict("hasil=2"))[1]

    assert [r.title for r in first["rounds"]] == [f"Putaran {n}" for n in (7, 6, 5, 4, 3)]
    assert [r.title for r in second["rounds"]] == ["Putaran 2", "Putaran 1"]
    assert [r.voter_count for r in first["rounds"] + second["rounds"]] == [1, 0, 2, 1, 0, 2, 1]
