"""The proposals export: vote counts only (never voters), live counts only for officers."""

import pytest

from tests import factories as core
from tests.core.exports_support import (
    assert_laid_out,
    body,
    cell_text,
    download,
    queries_for,
    sheet_rows,
    unpacked_text,
)

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def voted(rt):
    """A proposal with two votes in a closed round and one in an open round."""
    activity = factories.proposal(rt=rt, title="Pelatihan karawitan")
    closed_round = factories.closed(factories.VotingRoundFactory(rt=rt, proposals=[activity]))
    open_round = factories.VotingRoundFactory(rt=rt, proposals=[activity])
    voters = [core.ResidentFactory(rt=rt, name=f"Pemilih Rahasia {n}") for n in range(3)]
    factories.VoteFactory(round=closed_round, activity=activity, resident=voters[0])
    factories.VoteFactory(round=closed_round, activity=activity, resident=voters[1])
    factories.VoteFactory(round=open_round, activity=activity, resident=voters[2])
    factories.CommentFactory(activity=activity)
    return activity, voters


def _row(client):
    header, *rows = sheet_rows(body(download(client, "usulan")))
    assert len(rows) == 1
    return dict(zip(header, rows[0], strict=True))


def test_officer_sees_live_counts(client, officer, voted):
    client.force_login(officer)

    row = _row(client)

    assert row["Judul"] == "Pelatihan karawitan"
    assert row["Suara"] == 3


def test_the_header_row_is_frozen_and_columns_fit_their_content(client, officer, voted):
    client.force_login(officer)

    assert_laid_out(body(download(client, "usulan")))


def test_city_viewer_sees_closed_rounds_only(client, city_viewer, voted):
    client.force_login(city_viewer)

    assert _row(client)["Suara"] == 2


def test_no_voter_identity_in_the_file(client, officer, voted):
    _activity, voters = voted
    client.force_login(officer)

    content = body(download(client, "usulan"))

    inside = unpacked_text(content)
    for voter in voters:
        assert voter.name not in inside
        assert voter.reveal_nik()[12:] not in cell_text(content)
        assert voter.reveal_nik() not in inside


def test_foreign_officer_gets_no_rows(client, foreign_officer, voted):
    client.force_login(foreign_officer)

    _header, *rows = sheet_rows(body(download(client, "usulan")))

    assert rows == []


def test_query_count_does_not_grow_with_rows(client, officer, rt):
    client.force_login(officer)

    def add(count):
        for _ in range(count):
            activity = factories.proposal(rt=rt)
            factories.VoteFactory(
                round=factories.VotingRoundFactory(rt=rt, proposals=[activity]),
                activity=activity,
                resident=core.ResidentFactory(rt=rt),
            )

    add(1)
    one = queries_for(client, "usulan")
    add(19)

    assert queries_for(client, "usulan") == one


def test_the_reason_for_a_decision_is_exported(client, officer, rt):
    factories.proposal(
        rt=rt,
        status=core.models.ActivityStatus.REJECTED,
        decision_reason="Lokasi bukan tanah milik umum.",
    )
    client.force_login(officer)

    row = _row(client)

    assert row["Status"] == "Ditolak"
    assert row["Alasan keputusan"] == "Lokasi bukan tanah milik umum."
