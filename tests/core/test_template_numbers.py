"""Numbers that machines read back (ids, years, page numbers in attributes and form values) are
written without the Indonesian thousands separator: with USE_THOUSAND_SEPARATOR, ``{{ 1405 }}``
renders "1.405", which breaks an id reference, a link's query or a posted value."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
MACHINE_NUMBER = re.compile(
    r"\{\{ ?[a-z_.]*\."
    r"(?:pk|id|(?!auto_)[a-z]+_id|year|number|next_page_number|previous_page_number)"
    r" ?\}\}"
)


def test_no_template_localizes_an_id_a_year_or_a_page_number():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for match in MACHINE_NUMBER.finditer(line)
    ]
    assert found == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_way_ids_are_written_keeps_every_digit(language):
    template = Template(
        '<a id="x-{{ pk|stringformat:"d" }}" href="?year={{ year|stringformat:"d" }}">'
    )
    with translation.override(language):
        html = template.render(Context({"pk": 123456, "year": 2026}))
        localized = Template("{{ pk }}").render(Context({"pk": 123456}))
    assert html == '<a id="x-123456" href="?year=2026">'
    if language == "id":
        # What the plain variable would have written.
        assert localized == "123.456"
