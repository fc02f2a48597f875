"""The table of an activity's products is written in Python (``{% outputs_table %}``), not
through a template: it must be what the template it replaced wrote, in both languages, for
each of the ways the pages ask for it (public, printed, with obstacles, links and history).
That template is kept beside this test as the reference."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from delivery.models import Output
from tests.references import Reference, tag

_TABLE = Reference(__file__, "outputs_table_reference.html")
_TAG = "{% load delivery %}{% outputs_table %}"

_OUTPUTS = [
    Output(
        pk=4,
        name="Kain batik",
        target_quantity=20,
        unit="lembar",
        finished_quantity=20,
        status=Output.Status.FINISHED,
    ),
    Output(
        pk=5,
        name='<b>"Tas"</b> & dompet',
        target_quantity=12_000,
        unit="buah <x>",
        finished_quantity=1_234,
        status=Output.Status.IN_PROGRESS,
        obstacle=Output.Obstacle.FUNDS,
        obstacle_note="Dana <belum> cair & tertunda",
    ),
    Output(
        pk=6,
        name="Kue",
        target_quantity=50,
        unit="kotak",
        finished_quantity=0,
        status=Output.Status.NOT_STARTED,
        obstacle=Output.Obstacle.TIME,
    ),
]

#: The pages' ways of asking for it.
_OPTIONS = {
    "public": {"labelled_by": "public-outputs-7"},
    "printed report": {"labelled_by": "report-outputs", "obstacles": "brief", "printed": True},
    "activity page, managing": {
        "labelled_by": "products-heading",
        "obstacles": "full",
        "link_outputs": True,
        "history_links": True,
    },
    "activity page, reading": {
        "labelled_by": "products-heading",
        "obstacles": "full",
        "link_outputs": False,
        "history_links": False,
    },
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("outputs", [[], _OUTPUTS], ids=["none", "three"])
@pytest.mark.parametrize("name", list(_OPTIONS))
def test_the_table_is_what_its_template_wrote(name, outputs, language):
    context = {"outputs": outputs, **_OPTIONS[name]}
    assert _TABLE.matches(tag(_TAG, context), context, language=language)


def test_the_table_escapes_what_people_wrote_and_localises_quantities():
    context = {"outputs": _OUTPUTS, **_OPTIONS["activity page, managing"]}
    with translation.override("id"):
        written = Template(_TAG).render(Context(context))
    assert "<b>" not in written
    assert "&lt;b&gt;&quot;Tas&quot;&lt;/b&gt; &amp; dompet" in written
    assert "Dana &lt;belum&gt; cair &amp; tertunda" in written
    assert "1.234 / 12.000 buah &lt;x&gt;" in written
    for output in _OUTPUTS:
        assert f'href="{reverse("delivery:output-update", args=[output.pk])}"' in written
        assert f'href="{reverse("output-history", args=[output.pk])}"' in written


def test_the_comparison_tells_two_tables_apart():
    """The same products with and without their obstacles are not the same HTML."""
    written = tag(_TAG, {"outputs": _OUTPUTS, **_OPTIONS["public"]})
    assert not _TABLE.matches(written, {"outputs": _OUTPUTS, **_OPTIONS["activity page, reading"]})
