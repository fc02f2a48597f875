from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

register = template.Library()


@register.filter
def stage_rate(rate) -> str:
    """A stage's rate as a percentage ("12,5%"), or, where nobody is in the base, that there is
    no one yet to count: never a "0,0%" that reads as nobody taking part."""
    if rate is None:
        return gettext("no residents yet")
    return f"{floatformat(rate, 1)}%"
