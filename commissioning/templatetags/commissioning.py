from django import template
from django.utils.formats import localize
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def endorsement_text(count: int) -> str:
    """ "3 residents endorse this": the same words as a ``blocktranslate`` with ``count``, a
    function call a row instead of a template rendered a row."""
    return ngettext(
        "%(counter)s resident endorses this", "%(counter)s residents endorse this", count
    ) % {"counter": localize(count)}
