"""Markup written in Python held to the template it replaced.

A tag that writes its HTML in Python (the scorecard's card, the public page's rows, the
pagination) keeps the template it replaced beside its test as the reference: for each shape
of its values, in each language, the tag must write what that template wrote, compared as HTML
(``parse_html``: attributes in any order, whitespace between tags ignored)."""

from collections.abc import Callable
from pathlib import Path

from django.template import Context, RequestContext, Template
from django.test.html import parse_html
from django.utils import timezone, translation


def tag(source: str, context: dict) -> Callable[[], str]:
    """What the template ``source`` (a ``{% load %}`` and a tag) writes for ``context``."""
    return lambda: Template(source).render(Context(context))


class Reference:
    """The template named ``name``, kept beside the test file ``test_file``."""

    def __init__(self, test_file: str, name: str):
        self.template = Template((Path(test_file).parent / name).read_text())

    def matches(
        self,
        write: Callable[[], str],
        context: dict,
        *,
        language: str = "id",
        within: str = "",
        request=None,
    ) -> bool:
        """Whether ``write()`` writes what the reference wrote for ``context``, both in
        ``language`` and in Jakarta's time; ``within``: the element the written markup is
        placed in (the reference's ``<tbody>`` around rows, say); ``request``: rendered with a
        ``RequestContext``, as a page is."""
        with translation.override(language), timezone.override("Asia/Jakarta"):
            if request is None:
                expected = self.template.render(Context(context))
            else:
                expected = self.template.render(RequestContext(request, context))
            written = write()
        if within:
            written = f"<{within}>{written}</{within}>"
        same = parse_html(written) == parse_html(expected)
        if not same:
            # Shown by pytest with a failing test: what differs, not only that it does.
            print(f"written:\n{written}\n\nthe reference wrote:\n{expected}")
        return same
