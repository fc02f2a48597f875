"""The unfinished outputs (``{% unfinished_outputs %}``) are written in Python, not through a
template: they must be what the template they replaced wrote, in both languages, on a
scorecard (across activities) and on an evaluation page (with the button to follow up), for
every follow-up status. That template is kept beside this test as the reference."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from assessment.selectors import OutputFollowUp
from rtkeren.registry import UnfinishedOutput
from tests.references import Reference, tag

_ITEMS = Reference(__file__, "unfinished_outputs_reference.html")
_TAG = "{% load assessment %}{% unfinished_outputs %}"


def _output(pk, *, name="Kain batik", obstacle="Bahan", note="", **fields) -> UnfinishedOutput:
    return UnfinishedOutput(
        content_type_id=9,
        object_id=pk,
        activity_id=fields.get("activity_id", 40 + pk),
        activity_title=fields.get("activity_title", "Pelatihan batik"),
        name=name,
        finished=fields.get("finished", 3),
        target=fields.get("target", 20),
        unit=fields.get("unit", "lembar"),
        obstacle=obstacle,
        obstacle_note=note,
    )


_ITEMS_SHOWN = [
    OutputFollowUp(_output(1), "none"),
    OutputFollowUp(
        _output(
            2,
            name='<b>"Tas"</b> & dompet',
            activity_title="Kursus <jahit> & bordir",
            finished=1_234,
            target=12_000,
            unit="buah <x>",
            note="Dana <belum> cair",
        ),
        "open",
    ),
    OutputFollowUp(_output(3, obstacle=""), "done"),
    OutputFollowUp(_output(4, obstacle="", note="Catatan saja"), "none"),
]

#: The pages' ways of asking for them.
_PAGES = {
    "scorecard": {"show_activity": True, "can_follow_up": False},
    "evaluation page, following up": {"can_follow_up": True},
    "evaluation page, reading": {"can_follow_up": False},
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("count", [0, 1, len(_ITEMS_SHOWN)])
@pytest.mark.parametrize("page", list(_PAGES))
def test_the_outputs_are_what_their_template_wrote(page, count, language):
    context = {"unfinished_outputs": _ITEMS_SHOWN[:count], **_PAGES[page]}
    assert _ITEMS.matches(tag(_TAG, context), context, language=language)


def test_the_outputs_escape_what_people_wrote_and_link_their_activity():
    context = Context({"unfinished_outputs": _ITEMS_SHOWN, "show_activity": True})
    with translation.override("id"):
        written = Template(_TAG).render(context)
    assert "<b>" not in written
    assert "&lt;b&gt;&quot;Tas&quot;&lt;/b&gt; &amp; dompet" in written
    assert "Kursus &lt;jahit&gt; &amp; bordir" in written
    assert "1.234 dari 12.000 buah &lt;x&gt;" in written
    assert f'href="{reverse("assessment:evaluation-summary", args=[42])}"' in written
    # Across activities, the obstacle's kind alone: its note stays on the activity's page.
    assert "Dana" not in written


def test_the_comparison_tells_two_pages_apart():
    """The same outputs with and without the button to follow them up are not the same HTML."""
    written = tag(_TAG, {"unfinished_outputs": _ITEMS_SHOWN, "can_follow_up": True})
    assert not _ITEMS.matches(written, {"unfinished_outputs": _ITEMS_SHOWN, "can_follow_up": False})
