"""The evaluation page's two sides' averages (``{% side_by_side %}``) and its page of obstacles
and suggestions (``{% evaluation_comments %}``) are written in Python, not through templates:
their output must be what the templates they replaced wrote, in both languages, for every
shape. Those templates are kept beside this test as the references."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context
from django.utils import timezone, translation

from assessment.models import Criterion, Evaluation, Side
from assessment.selectors import CriterionRow, SideAverage, SideBySide
from assessment.templatetags.assessment import evaluation_comments, side_by_side
from rtkeren.models import Activity, Resident, User
from tests.references import Reference

_SIDE_BY_SIDE = Reference(__file__, "side_by_side_reference.html")
_COMMENTS = Reference(__file__, "evaluation_comments_reference.html")


def _row(name: str, community, government, scores=(3, 2)) -> CriterionRow:
    return CriterionRow(
        Criterion(name=name),
        SideAverage(community, scores[0] if community is not None else 0),
        SideAverage(government, scores[1] if government is not None else 0),
    )


_SUMMARIES = {
    "no one yet": SideBySide(
        rows=[_row("Manfaat", None, None)],
        community_evaluators=0,
        government_evaluators=0,
        on_behalf=0,
    ),
    "one side only": SideBySide(
        rows=[_row("Manfaat", 4.5, None), _row("Kualitas", Decimal("3.0"), None)],
        community_evaluators=1,
        government_evaluators=0,
        on_behalf=0,
    ),
    "both sides, two differ, on behalf": SideBySide(
        rows=[
            _row("Manfaat", 2.5, 3.5),
            _row('<b>"Luaran"</b> & produk', Decimal("1.3"), Decimal("4.8")),
            _row("Komunikasi", 4.0, 4.0),
            _row("Minat", 3.3, None),
        ],
        community_evaluators=1_234,
        government_evaluators=1,
        on_behalf=2,
    ),
    "one of each, one on behalf": SideBySide(
        rows=[_row("Manfaat", 5.0, 1.0)],
        community_evaluators=1,
        government_evaluators=1,
        on_behalf=1,
    ),
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("name", list(_SUMMARIES))
def test_the_side_by_side_is_what_its_template_wrote(name, language):
    summary = _SUMMARIES[name]
    assert _SIDE_BY_SIDE.matches(
        lambda: side_by_side(summary), {"summary": summary}, language=language
    )


def test_the_side_by_side_escapes_names_and_localises_averages():
    with translation.override("id"):
        written = side_by_side(_SUMMARIES["both sides, two differ, on behalf"])
    assert "<b>" not in written
    assert "&lt;b&gt;&quot;Luaran&quot;&lt;/b&gt; &amp; produk" in written
    assert "1.234 penilai dari pihak masyarakat" in written
    assert ">-3,5 <strong>" in written  # 1,3 against 4,8


def _evaluation(pk, side, *, on_behalf=False, obstacles="", suggestions="", follow_ups=0):
    evaluation = Evaluation(
        pk=pk,
        side=side,
        on_behalf=on_behalf,
        obstacles=obstacles,
        suggestions=suggestions,
        created_at=datetime.datetime(2026, 12, 31, 18, 30, tzinfo=datetime.UTC),
    )
    evaluation.evaluator = User(pk=pk, username=f"akun{pk}", first_name="Siti", last_name="<Ani>")
    if side == Side.COMMUNITY:
        evaluation.resident = Resident(pk=pk, name=f'Budi "{pk}" & Co')
    if on_behalf:
        evaluation.recorded_by = User(pk=99, username="ketua<rt>")
    evaluation.follow_up_count = follow_ups
    return evaluation


_EVALUATIONS = [
    _evaluation(7, Side.COMMUNITY, obstacles="Tempat <sempit>\nDan panas", follow_ups=1),
    _evaluation(8, Side.GOVERNMENT, suggestions="Tambah\r\nwaktu & alat", follow_ups=1_001),
    _evaluation(9, Side.COMMUNITY, on_behalf=True, obstacles="x", suggestions="y"),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("sees_names", [True, False])
@pytest.mark.parametrize("can_follow_up", [True, False])
def test_the_comments_are_what_their_template_wrote(language, sees_names, can_follow_up):
    context = {
        "comments_page": {"object_list": _EVALUATIONS},
        "sees_names": sees_names,
        "can_follow_up": can_follow_up,
        "activity": Activity(pk=13),
    }
    assert _COMMENTS.matches(
        lambda: evaluation_comments(Context(context), _EVALUATIONS), context, language=language
    )


def test_the_comments_escape_what_residents_wrote_and_date_in_jakarta():
    context = Context({"sees_names": True, "can_follow_up": True, "activity": Activity(pk=13)})
    with translation.override("en"), timezone.override("Asia/Jakarta"):
        written = evaluation_comments(context, _EVALUATIONS)
    assert "Tempat &lt;sempit&gt;<br>Dan panas" in written
    assert "Budi &quot;7&quot; &amp; Co" in written
    assert "by ketua&lt;rt&gt;" in written
    assert "Siti &lt;Ani&gt;" in written
    assert "1,001 follow-ups" in written
    # 18:30 UTC on 31 December is already 1 January in Jakarta.
    assert written.count("Jan. 1, 2027") == 3
    assert written.count("?evaluation=") == 2  # the two with obstacles


def test_the_comparison_tells_two_pages_apart():
    """A name shown to one reader and not to another is not the same HTML."""
    shown = {"sees_names": True, "activity": Activity(pk=13)}
    hidden = {**shown, "sees_names": False, "comments_page": {"object_list": _EVALUATIONS}}
    assert not _COMMENTS.matches(lambda: evaluation_comments(Context(shown), _EVALUATIONS), hidden)
