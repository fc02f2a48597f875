"""A list's pagination is written in Python (``{% pagination %}``), not through a template: its
output must be what the template it replaced wrote, in both languages, for every shape of page.
That template is kept beside this test as the reference."""

from functools import partial

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from tests.references import Reference

_REFERENCE = Reference(__file__, "pagination_reference.html")

_SHAPES = {
    "one page": ({"count": 5, "number": 1}, {}),
    "first of three": ({"count": 60, "number": 1}, {}),
    "middle, other parameters kept": ({"count": 60, "number": 2}, {"q": "jalan & got", "rt": "4"}),
    "last": ({"count": 60, "number": 3}, {"page": "3"}),
    "thousands of pages": ({"count": 20 * 1_500, "number": 1_234}, {}),
    "named list": ({"count": 60, "number": 2}, {}, {"pages_of": 'Usulan <b>"RT 01"</b>'}),
    "its own parameter and anchor": (
        {"count": 60, "number": 2},
        {"page": "5", "hasil": "2"},
        {"page_param": "hasil", "page_anchor": "voting-results"},
    ),
    "its own parameter, no anchor": (
        {"count": 60, "number": 3},
        {},
        {"page_param": "output"},
    ),
}


def _context(shape):
    page, query, *extra = _SHAPES[shape]
    request = RequestFactory().get("/daftar/", query)
    paginator = Paginator(range(page["count"]), 20)
    values = {"page_obj": paginator.page(page["number"]), **(extra[0] if extra else {})}
    return request, values


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("shape", list(_SHAPES))
def test_the_pagination_is_what_its_template_wrote(shape, language):
    request, values = _context(shape)
    written = partial(render_to_string, "includes/pagination.html", values, request=request)
    assert _REFERENCE.matches(written, values, language=language, request=request)
    with translation.override(language):
        assert bool(written().strip()) == (shape != "one page")


def test_the_comparison_tells_two_pages_apart():
    """Two pages of the same list are not the same HTML."""
    request, values = _context("first of three")
    other = {**values, "page_obj": values["page_obj"].paginator.page(2)}
    written = partial(render_to_string, "includes/pagination.html", values, request=request)
    assert not _REFERENCE.matches(written, other, request=request)


def test_its_words_are_translated_and_its_values_escaped():
    request, values = _context("named list")
    with translation.override("id"):
        written = render_to_string("includes/pagination.html", values, request=request)
    assert "Halaman 2 dari 3" in written
    assert "Sebelumnya" in written
    assert "Berikutnya" in written
    assert 'aria-label="Halaman: Usulan &lt;b&gt;&quot;RT 01&quot;&lt;/b&gt;"' in written
    request, values = _context("thousands of pages")
    with translation.override("id"):
        written = render_to_string("includes/pagination.html", values, request=request)
    assert "Halaman 1.234 dari 1.500" in written


def test_a_missing_page_writes_nothing():
    request = RequestFactory().get("/daftar/")
    assert render_to_string("includes/pagination.html", {}, request=request).strip() == ""
