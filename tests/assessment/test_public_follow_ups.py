"""A follow-up's status badge (``{% followup_status %}``) and a public page's follow-ups
(``{% public_follow_up_rows %}``) are written in Python, not through templates: they must be
what the templates they replaced wrote, in both languages, for every status, overdue or not.
Those templates are kept beside this test as the references."""

import datetime

import pytest
from django.utils import timezone, translation

from assessment.models import FollowUp
from assessment.templatetags.assessment import followup_status, public_follow_up_rows
from rtkeren.models import Activity
from tests.references import Reference

_STATUS = Reference(__file__, "followup_status_reference.html")
_ROWS = Reference(__file__, "public_follow_ups_reference.html")


def _follow_up(status, days_left, *, title="Pelatihan batik", action="Cari pelatih") -> FollowUp:
    follow_up = FollowUp(
        status=status,
        due_on=timezone.localdate() + datetime.timedelta(days=days_left),
        action=action,
        activity=Activity(title=title),
    )
    follow_up.owner_label = "Petugas kelurahan"
    return follow_up


_FOLLOW_UPS = [
    _follow_up(status, days_left) for status in FollowUp.Status.values for days_left in (-3, 0, 9)
] + [_follow_up("open", 1, title='<b>"Senam"</b> & lomba', action="Hubungi <RT> & RW")]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("index", range(len(_FOLLOW_UPS)))
def test_the_badge_is_what_its_template_wrote(index, language):
    follow_up = _FOLLOW_UPS[index]
    assert _STATUS.matches(
        lambda: followup_status(follow_up), {"follow_up": follow_up}, language=language
    )


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("count", [0, 1, len(_FOLLOW_UPS)])
def test_the_rows_are_what_their_template_wrote(count, language):
    follow_ups = _FOLLOW_UPS[:count]
    assert _ROWS.matches(
        lambda: public_follow_up_rows(follow_ups),
        {"section": {"follow_ups": follow_ups}},
        language=language,
        within="tbody",
    )


def test_the_rows_escape_what_officers_wrote_and_mark_the_overdue():
    with translation.override("en"):
        written = public_follow_up_rows(_FOLLOW_UPS)
    assert "<b>" not in written
    assert "&lt;b&gt;&quot;Senam&quot;&lt;/b&gt; &amp; lomba" in written
    assert "Hubungi &lt;RT&gt; &amp; RW" in written
    # Overdue: open and in progress three days late; done never is.
    assert written.count("Overdue") == 2
    assert written.count("text-bg-danger") == 2


def test_the_comparison_tells_two_badges_apart():
    """An open follow-up late and one not yet due are not the same HTML."""
    late, early = _follow_up("open", -1), _follow_up("open", 1)
    assert not _STATUS.matches(lambda: followup_status(late), {"follow_up": early})
