"""Co-designing's open data: the decided proposals of closed rounds with their votes, counts
under five left empty, nothing of a round still open, never who voted."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import ActivityStatus
from tests.designing.factories import VoteFactory, VotingRoundFactory, closed, proposal

pytestmark = pytest.mark.django_db


def votes_json(client, kelurahan=None):
    address = reverse("open-data-download", args=["votes", "json"])
    if kelurahan is not None:
        address += f"?kelurahan={kelurahan.code}"
    response = client.get(address)
    assert response.status_code == 200
    return json.loads(response.content)


def decide(activity, status):
    activity.status = status
    activity.save(update_fields=["status"])


def test_closed_rounds_with_their_counts_and_small_counts_left_empty(client, rt, period):
    popular = proposal(rt=rt, period=period, title="Perbaikan saluran air")
    few = proposal(rt=rt, period=period, title="Taman baca")
    rejected = proposal(rt=rt, period=period, title="Lomba gapura")
    undecided = proposal(rt=rt, period=period, title="Belum diputuskan")
    done = VotingRoundFactory(
        rt=rt,
        period=period,
        title="Putaran selesai",
        proposals=[popular, few, rejected, undecided],
        votes_per_resident=3,
    )
    voters = [VoteFactory(round=done, activity=popular, resident__rt=rt).resident for _ in range(6)]
    for resident in voters[:2]:
        VoteFactory(round=done, activity=few, resident=resident)
    for resident in voters[:5]:
        VoteFactory(round=done, activity=rejected, resident=resident)
    closed(done)
    decide(popular, ActivityStatus.APPROVED)
    decide(few, ActivityStatus.APPROVED)
    decide(rejected, ActivityStatus.REJECTED)
    running = VotingRoundFactory(
        rt=rt, period=period, title="Putaran berjalan", proposals=[proposal(rt=rt, period=period)]
    )
    for _ in range(7):
        VoteFactory(round=running, activity=running.proposals.get(), resident__rt=rt)

    document = votes_json(client)

    rows = {row["proposal"]: row for row in document["rows"]}
    assert set(rows) == {"Perbaikan saluran air", "Taman baca", "Lomba gapura"}
    assert (rows["Perbaikan saluran air"]["votes"], rows["Perbaikan saluran air"]["decision"]) == (
        6,
        "approved",
    )
    assert rows["Taman baca"]["votes"] is None  # 2 votes: too few to publish
    assert rows["Lomba gapura"]["votes"] is None  # as on the public page: no count for a rejection
    assert {row["voters"] for row in document["rows"]} == {6}
    assert {row["round"] for row in document["rows"]} == {"Putaran selesai"}
    assert (rows["Taman baca"]["rt"], rows["Taman baca"]["rw"]) == (2, 7)
    text = json.dumps(document, ensure_ascii=False)
    for resident in voters:
        assert resident.name not in text


def test_a_round_of_another_kelurahan_is_not_in_this_kelurahans_file(
    client, rt, foreign_rt, period
):
    here = proposal(rt=rt, period=period, title="Di sini")
    there = proposal(rt=foreign_rt, period=period, title="Di sana")
    for activity, place in ((here, rt), (there, foreign_rt)):
        voting_round = closed(VotingRoundFactory(rt=place, period=period, proposals=[activity]))
        decide(activity, ActivityStatus.APPROVED)
        assert voting_round.proposals.count() == 1

    assert [row["proposal"] for row in votes_json(client, rt.rw.kelurahan)["rows"]] == ["Di sini"]
    assert sorted(row["proposal"] for row in votes_json(client)["rows"]) == ["Di sana", "Di sini"]


def test_queries_do_not_grow_with_rounds(client, rt, period):
    def add_round():
        activity = proposal(rt=rt, period=period)
        voting_round = closed(VotingRoundFactory(rt=rt, period=period, proposals=[activity]))
        VoteFactory(round=voting_round, activity=activity, resident__rt=rt)
        decide(activity, ActivityStatus.APPROVED)

    add_round()
    with CaptureQueriesContext(connection) as one:
        votes_json(client)
    for _ in range(8):
        add_round()
    with CaptureQueriesContext(connection) as many:
        assert len(votes_json(client)["rows"]) == 9
    assert len(many) == len(one)
