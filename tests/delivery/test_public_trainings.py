"""The public page's trainings are written in Python (``{% public_trainings %}``), not through
a template with an include for each: they must be what the template they replaced wrote, in
both languages, for a training of an RT and of the whole kelurahan, with and without products.
That template is kept beside this test as the reference."""

from types import SimpleNamespace

import pytest

from delivery.models import Output
from tests.references import Reference, tag

_TRAININGS = Reference(__file__, "public_trainings_reference.html")
_TAG = "{% load delivery %}{% public_trainings activities %}"


class _Place:
    """An RT as a row names it (its ``str``), with what must be escaped."""

    def __str__(self) -> str:
        return 'RT 002 / RW 007 <"Kauman"> & co'


def _training(pk: int, title: str, rt, rate, outputs: list[Output]) -> SimpleNamespace:
    return SimpleNamespace(
        pk=pk,
        title=title,
        rt=rt,
        completion={"rate": rate},
        outputs=SimpleNamespace(all=lambda: outputs),
    )


_OUTPUTS = [
    Output(pk=4, name="Kain <batik>", target_quantity=1_200, unit="lembar", finished_quantity=45),
    Output(pk=5, name="Tas", target_quantity=10, unit="buah", finished_quantity=10),
]
_SHAPES = {
    "none": [],
    "several": [
        _training(7, 'Pelatihan <b>"batik"</b> & tas', _Place(), 76, _OUTPUTS),
        _training(12_345, "Senam lansia", None, None, []),
        _training(9, "Kue", _Place(), 100, _OUTPUTS[1:]),
    ],
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("shape", list(_SHAPES))
def test_the_trainings_are_what_their_template_wrote(shape, language):
    context = {"activities": _SHAPES[shape]}
    assert _TRAININGS.matches(tag(_TAG, context), context, language=language)


def test_what_people_wrote_is_escaped():
    written = tag(_TAG, {"activities": _SHAPES["several"]})()
    assert "<b>" not in written
    assert "<batik>" not in written
    assert "Pelatihan &lt;b&gt;&quot;batik&quot;&lt;/b&gt; &amp; tas" in written
    assert "RT 002 / RW 007 &lt;&quot;Kauman&quot;&gt; &amp; co" in written
    assert 'id="public-outputs-12345"' in written


def test_the_comparison_tells_two_lists_apart():
    written = tag(_TAG, {"activities": _SHAPES["several"]})
    assert not _TRAININGS.matches(written, {"activities": _SHAPES["several"][:2]})
