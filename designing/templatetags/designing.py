from django import template
from django.utils.formats import localize
from django.utils.translation import ngettext

register = template.Library()

# The words of a proposal row, as a function call a row rather than a ``blocktranslate`` (the
# same messages, so the same translations).


@register.filter
def fit_text(fit: int) -> str:
    return ngettext(
        "fits the interests of %(counter)s resident",
        "fits the interests of %(counter)s residents",
        fit,
    ) % {"counter": localize(fit)}


@register.filter
def comment_text(count: int) -> str:
    return ngettext("%(counter)s comment", "%(counter)s comments", count) % {
        "counter": localize(count)
    }
