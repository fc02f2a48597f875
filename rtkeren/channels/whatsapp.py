"""WhatsApp through Meta's WhatsApp Business Platform (Cloud API): approved templates out,
delivery statuses in (the webhook, ``rtkeren.views.webhooks``). See docs/notifications.md.

The number goes out in E.164 with its plus sign (``+6281234567890``), as the portal stores it:
Meta recommends the plus sign and the country code, and would read a number without the plus
as one in the country of the sending business number.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from .http import json_of, provider_post

#: The language the templates are approved in (docs/notifications.md lists them).
TEMPLATE_LANGUAGE = "id"
#: Meta's rate limits, which it answers with HTTP 400 rather than 429: throughput (130429),
#: messages to one number (131056), calls of the app (4) and of the business account (80007).
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})


def _error(response) -> dict:
    error = json_of(response).get("error")
    return error if isinstance(error, dict) else {}


def _error_text(response) -> str:
    error = _error(response)
    if not error:
        return response.text
    details = (error.get("error_data") or {}).get("details", "")
    code = error.get("code")
    text = error.get("message", "")
    if code is not None:
        text = f"({code}) {text}"
    return f"{text} – {details}" if details else text


def _rate_limited(response) -> bool:
    return _error(response).get("code") in RATE_LIMIT_CODES


def template_text(parameter) -> str:
    """A parameter as Meta takes it: no new lines or tabs, no long runs of spaces (it refuses
    such a message outright)."""
    return " ".join(str(parameter).split())


class WhatsAppCloudAdapter:
    """Sends the message's template with its body parameters, in order."""

    def send(self, message) -> str:
        url = (
            f"{settings.WHATSAPP_API_URL.rstrip('/')}/{settings.WHATSAPP_API_VERSION}/"
            f"{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        )
        body = {
            "messaging_product": "whatsapp",
            "to": message.address,
            "type": "template",
            "template": {
                "name": message.template,
                "language": {"code": TEMPLATE_LANGUAGE},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": template_text(parameter)}
                            for parameter in message.parameters
                        ],
                    }
                ],
            },
        }
        response = provider_post(
            url,
            timeout=settings.WHATSAPP_TIMEOUT,
            headers={"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"},
            json=body,
            error_of=_error_text,
            is_temporary=_rate_limited,
        )
        messages = json_of(response).get("messages") or [{}]
        return str(messages[0].get("id", "")) if isinstance(messages[0], dict) else ""


# The webhook.


def signature_valid(body: bytes, header: str) -> bool:
    """Whether ``header`` (X-Hub-Signature-256) is ``sha256=`` and the HMAC-SHA256 of the raw
    body with the app secret. Without a secret configured nothing is valid."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


@dataclass(frozen=True)
class StatusReport:
    provider_id: str
    status: str
    reported_at: datetime | None
    error: str


def _moment(timestamp) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _status_error(errors) -> str:
    if not isinstance(errors, list):
        return ""
    texts = []
    for error in errors:
        if isinstance(error, dict):
            details = (error.get("error_data") or {}).get("details", "")
            title = error.get("title") or error.get("message") or ""
            text = f"({error.get('code', '?')}) {title}"
            texts.append(f"{text} – {details}" if details else text)
    return "; ".join(texts)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def status_reports(payload) -> list[StatusReport]:
    """Every status in a webhook call (``entry[].changes[].value.statuses[]``). Raises
    ValueError when the payload is not shaped like one; other changes (incoming messages, which
    the portal does not read) are left out."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry", []), list):
        raise ValueError("not a WhatsApp webhook payload")
    reports = []
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            for status in _list(value.get("statuses") if isinstance(value, dict) else None):
                if not isinstance(status, dict) or not status.get("id") or not status.get("status"):
                    continue
                reports.append(
                    StatusReport(
                        provider_id=str(status["id"]),
                        status=str(status["status"]),
                        reported_at=_moment(status.get("timestamp")),
                        error=_status_error(status.get("errors")),
                    )
                )
    return reports
