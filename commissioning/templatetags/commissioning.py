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


#: The colour of a forum's status badge: held green, cancelled grey, scheduled blue.
_FORUM_BADGES = {"held": "text-bg-success", "cancelled": "text-bg-secondary"}


@register.filter
def forum_badge_class(status: str) -> str:
    return _FORUM_BADGES.get(str(status), "text-bg-primary")


@register.filter
def present_text(count: int) -> str:
    """ "12 residents present" under a held forum, as ``endorsement_text``."""
    return ngettext("%(counter)s resident present", "%(counter)s residents present", count) % {
        "counter": localize(count)
    }
