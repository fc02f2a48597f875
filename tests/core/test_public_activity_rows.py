"""A public page's activities are written in Python (``{% public_activity_rows %}``), not
through a template: the rows must be what the template they replaced wrote, in both
languages, for every shape of row. That template is kept beside this test as the reference."""

import pytest
from django.utils import translation

from rtkeren.models import RT, RW, Activity, ActivityStatus
from rtkeren.templatetags.rtkeren import public_activity_rows
from tests.references import Reference

_ROWS = Reference(__file__, "public_activity_rows_reference.html")


def _activity(title, status, budget, rt=None, kind=Activity.Kind.TRAINING) -> Activity:
    activity = Activity(title=title, kind=kind, status=status, rt=rt)
    activity.budget_total = budget
    return activity


_RT = RT(pk=3, number=7, rw=RW(pk=2, number=12))
_OTHER_RT = RT(pk=4, number=1, rw=RW(pk=5, number=3))
# Places, kinds and statuses met again on later rows (each is written once a table).
_ACTIVITIES = [
    _activity("Pelatihan batik", ActivityStatus.APPROVED, 12_500_000, rt=_RT),
    _activity('<b>"Kerja bakti"</b> & lomba', ActivityStatus.IN_DELIVERY, None),
    _activity("Posyandu", ActivityStatus.EVALUATED, 0, rt=_RT),
    _activity("Senam", ActivityStatus.DELIVERED, 1_234_567_890),
    _activity("Pengajian", ActivityStatus.APPROVED, 300_000, _OTHER_RT, Activity.Kind.RELIGIOUS),
    _activity("Jalan paving", ActivityStatus.IN_DELIVERY, 9, _RT, Activity.Kind.PHYSICAL),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("count", [0, 1, len(_ACTIVITIES)])
def test_the_rows_are_what_their_template_wrote(language, count):
    activities = _ACTIVITIES[:count]
    assert _ROWS.matches(
        lambda: public_activity_rows(activities),
        {"activities": activities},
        language=language,
        within="tbody",
    )


def test_the_rows_escape_titles_and_write_rupiah():
    with translation.override("id"):
        written = public_activity_rows(_ACTIVITIES)
    assert "<b>" not in written
    assert "&lt;b&gt;&quot;Kerja bakti&quot;&lt;/b&gt; &amp; lomba" in written
    assert "Rp1.234.567.890" in written
    assert written.count(">Rp0<") == 2  # no budget lines, and a budget of nothing
    assert "RT 007 / RW 012" in written
    assert "RT 001 / RW 003" in written
    assert "Seluruh kelurahan" in written


def test_the_comparison_tells_two_rows_apart():
    """Two activities differing in their status alone are not the same HTML."""
    one = [_activity("Senam", ActivityStatus.DELIVERED, 5)]
    other = [_activity("Senam", ActivityStatus.EVALUATED, 5)]
    assert not _ROWS.matches(
        lambda: public_activity_rows(one), {"activities": other}, within="tbody"
    )
