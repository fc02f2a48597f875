from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import ngettext

register = template.Library()

# The words of a proposal row, as a function call a row rather than a ``blocktranslate`` (the
# same messages, so the same translations).


@register.filter
def fit_badge(fit: int | None) -> str:
    """How many residents' interests a proposal fits, as a badge; nothing when not counted."""
    if fit is None:
        return ""
    return format_html(
        '<span class="badge text-bg-light border fit-badge">{}</span>',
        ngettext(
            "fits the interests of %(counter)s resident",
            "fits the interests of %(counter)s residents",
            fit,
        )
        % {"counter": localize(fit)},
    )


@register.filter
def comment_text(count: int) -> str:
    return ngettext("%(counter)s comment", "%(counter)s comments", count) % {
        "counter": localize(count)
    }
