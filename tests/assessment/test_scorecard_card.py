"""A scorecard's card is written in Python (``{% scorecard_card %}``), not through a template:
its output must be what the template it replaced wrote, in both languages, for every shape of
card. That template is kept beside this test (its includes inlined) as the reference."""

import datetime

import pytest
from django.utils import timezone, translation

from assessment.scorecard import Scorecard, StageResult
from assessment.templatetags.assessment import frozen_note, scorecard_card
from rtkeren.models import Stage
from tests.references import Reference

_CARD = Reference(__file__, "scorecard_card_reference.html")

_STAGES = (Stage.COMMISSIONING, Stage.DESIGNING, Stage.DELIVERY, Stage.ASSESSMENT)


def _card(base, counts, thresholds=(20, 20, 20, 20), **fields) -> Scorecard:
    return Scorecard(
        scope_name="RT 001/RW 002",
        period=None,
        base=base,
        stages=[
            StageResult(stage=stage, participants=count, base=base, threshold=threshold, own=own)
            for stage, (count, own), threshold in zip(_STAGES, counts, thresholds, strict=True)
        ],
        **fields,
    )


_CARDS = {
    "no residents": _card(0, [(0, 0)] * 4, sentences=["Belum ada warga."]),
    "every stage met": _card(
        40, [(12, 12), (9, 8), (40, 40), (8, 0)], community_evaluations=3, sentences=["All"]
    ),
    "some met, thousands, on behalf": _card(
        12_345,
        [(2_500, 2_000), (1, 1), (0, 0), (6_172, 6_000)],
        thresholds=(20, 5, 10, 50),
        community_evaluations=1_234,
        government_evaluations=2,
        community_on_behalf_evaluations=1,
        sentences=['<b>Tahap "perencanaan" & desain</b>', "Kedua"],
    ),
    "on behalf of many, frozen": _card(
        7,
        [(1, 0), (2, 2), (3, 1), (7, 7)],
        community_evaluations=5,
        community_on_behalf_evaluations=4,
        frozen_at=datetime.datetime(2026, 12, 31, 20, 30, tzinfo=datetime.UTC),
        definition="2025-1",
    ),
    "closed, not frozen": _card(3, [(1, 1)] * 4, unfrozen_closed=True),
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", list(_CARDS))
def test_the_card_is_what_its_template_wrote(name, language):
    card = _CARDS[name]
    assert _CARD.matches(lambda: scorecard_card(card), {"card": card}, language=language)


def test_the_comparison_tells_two_cards_apart():
    """Two cards differing in one stage's count only are not the same HTML."""
    one = _card(40, [(12, 12), (9, 8), (40, 40), (8, 0)])
    other = _card(40, [(12, 12), (9, 8), (40, 40), (7, 0)])
    assert not _CARD.matches(lambda: scorecard_card(one), {"card": other})


def test_the_card_escapes_its_sentences_and_localises_its_numbers():
    with translation.override("id"):
        written = scorecard_card(_CARDS["some met, thousands, on behalf"])
    assert "<b>Tahap" not in written
    assert "&lt;b&gt;Tahap &quot;perencanaan&quot; &amp; desain&lt;/b&gt;" in written
    assert "12.345 warga dalam dasar perhitungan" in written
    assert "20,3%" in written  # 2.500 of 12.345
    assert "2 dari 4 tahap terpenuhi" in written  # 20,3% of 20 and 50,0% of 50


def test_a_frozen_note_is_dated_in_jakarta_and_empty_for_no_scorecard():
    with translation.override("en"), timezone.override("Asia/Jakarta"):
        note = frozen_note(_CARDS["on behalf of many, frozen"])
        # 20:30 UTC on 31 December is already 1 January in Jakarta.
        assert "Jan. 1, 2027" in note
        assert "2025-1" in note
        assert frozen_note("") == ""
        assert frozen_note(_CARDS["every stage met"]) == ""
