"""Adapters that carry a message out of the portal: WhatsApp, SMS, and e-mail for digests.

Each adapter has one method, ``send(message) -> str``, which returns the provider's message id
(or an empty string) and raises ``TemporaryFailure`` when a later try may succeed (a timeout, a
5xx answer) or ``PermanentFailure`` when it will not (a 4xx answer, a number the provider
refuses). Which adapter serves a channel is set in ``settings.MESSAGE_ADAPTERS`` (a dotted path
per channel), from the environment (see README.md, "Environment").
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class TemporaryFailure(Exception):
    """The provider could not take the message now; the worker tries again later."""


class PermanentFailure(Exception):
    """The provider refused the message; trying again would not help."""


@cache
def _adapter_class(path: str):
    return import_string(path)


def channel_adapter(channel: str):
    """A fresh adapter for the channel, as the settings say."""
    return _adapter_class(settings.MESSAGE_ADAPTERS[channel])()
