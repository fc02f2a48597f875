"""One POST to a provider's HTTP API, its failures sorted into those worth a later try and those
not: the rule every HTTP adapter shares."""

from collections.abc import Callable

import requests

from . import PermanentFailure, TemporaryFailure

#: How much of a provider's error the message keeps (``OutboundMessage.last_error``); officers
#: read it on the outgoing messages page.
ERROR_LENGTH = 200


def _shorten(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def _body_text(response: requests.Response) -> str:
    try:
        return response.text
    except (UnicodeDecodeError, requests.RequestException):
        return ""


def provider_post(
    url: str,
    *,
    timeout: float,
    error_of: Callable[[requests.Response], str] = _body_text,
    is_temporary: Callable[[requests.Response], bool] = lambda response: False,
    **kwargs,
) -> requests.Response:
    """POST to ``url`` and return the answer when it is a success (2xx).

    Raises ``TemporaryFailure`` on a timeout, a connection that fails, a 5xx or a 429 answer
    (or an answer ``is_temporary`` says is one), and ``PermanentFailure`` on any other answer,
    each with the status and the provider's error (``error_of``), shortened.
    """
    try:
        response = requests.post(url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.Timeout as error:
        raise TemporaryFailure(f"no answer within {timeout} s") from error
    except requests.RequestException as error:
        # The class only: the error's text may repeat the address, and with it a key.
        raise TemporaryFailure(f"connection failed: {error.__class__.__name__}") from error
    if 200 <= response.status_code < 300:
        return response
    detail = _shorten(f"HTTP {response.status_code}: {error_of(response)}".rstrip(": "))
    if response.status_code >= 500 or response.status_code == 429 or is_temporary(response):
        raise TemporaryFailure(detail)
    raise PermanentFailure(detail)


def json_of(response: requests.Response) -> dict:
    """The answer's JSON object, or an empty one when it has none."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
