"""A public page's voting results are written in Python (``{% public_rounds %}``), not through
a template: they must be what the template they replaced wrote, in both languages, for every
shape of round. That template is kept beside this test as the reference."""

import datetime

import pytest
from django.utils import timezone, translation

from designing.models import VotingRound
from designing.templatetags.designing import public_rounds
from rtkeren.models import RT, RW, Activity
from tests.references import Reference

_ROUNDS = Reference(__file__, "public_rounds_reference.html")


def _proposal(title, votes_shown=None, reason="") -> Activity:
    proposal = Activity(title=title, decision_reason=reason)
    proposal.votes_shown = votes_shown
    return proposal


def _round(title, *, rt=None, voters=None, approved=(), rejected=()) -> VotingRound:
    voting_round = VotingRound(
        title=title,
        rt=rt,
        # 17:30 UTC on 31 December is already 1 January in Jakarta.
        closes_at=datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC),
    )
    voting_round.voters_shown = voters
    voting_round.approved = list(approved)
    voting_round.rejected = list(rejected)
    return voting_round


_RT = RT(pk=3, number=7, rw=RW(pk=2, number=12))
_SHAPES = {
    "none closed": [],
    "one, nothing decided, few voters": [_round("Putaran RT", rt=_RT)],
    "several": [
        _round(
            '<b>"Putaran"</b> & kelurahan',
            voters=1_234,
            approved=[
                _proposal("Pelatihan batik", 1_001, reason="Banyak peminat & <murah>"),
                _proposal("Senam", None),
                _proposal("Posyandu", 1),
            ],
            rejected=[_proposal("Lomba <b>", reason="Anggaran"), _proposal("Pentas")],
        ),
        _round("Putaran RT 7", rt=_RT, voters=5, rejected=[_proposal("Kerja bakti")]),
    ],
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", list(_SHAPES))
def test_the_rounds_are_what_their_template_wrote(name, language):
    rounds = _SHAPES[name]
    context = {"section": {"rounds": rounds}}
    assert _ROUNDS.matches(lambda: public_rounds(rounds), context, language=language)


def test_the_rounds_escape_what_officers_wrote_and_date_in_jakarta():
    with translation.override("en"), timezone.override("Asia/Jakarta"):
        written = public_rounds(_SHAPES["several"])
    assert "<b>" not in written
    assert "&lt;b&gt;&quot;Putaran&quot;&lt;/b&gt; &amp; kelurahan" in written
    assert "Banyak peminat &amp; &lt;murah&gt;" in written
    assert "1,234 residents voted." in written
    assert "1,001 votes" in written
    assert "fewer than 5 votes" in written
    assert written.count("closed on 1 Jan 2027") == 2


def test_the_comparison_tells_two_rounds_apart():
    """Two rounds differing in their voters alone are not the same HTML."""
    one, other = [_round("Putaran", voters=6)], [_round("Putaran", voters=7)]
    assert not _ROUNDS.matches(lambda: public_rounds(one), {"section": {"rounds": other}})
