"""SMS through an HTTP gateway, in the shape Indonesian gateways share: one POST to the
gateway's address with a key, the number and the text. The names of those three fields, the way
the number is written and whether the body is a form or JSON are settings (README.md,
"Environment"; docs/notifications.md has examples).

A gateway that answers 200 to a message it then refuses in its body is not understood here: the
message counts as sent. Such gateways usually also answer 4xx when asked for JSON.
"""

from django.conf import settings

from .http import json_of, provider_post

#: How the number is written: as stored, without the plus, or as dialled within Indonesia.
NUMBER_FORMATS = ("e164", "international", "national")
#: ``SMS_GATEWAY_KEY_FIELD = "header:Authorization"`` sends the key in that header instead.
HEADER_PREFIX = "header:"


def gateway_number(address: str, number_format: str) -> str:
    """``+6281234567890`` as ``+6281234567890``, ``6281234567890`` or ``081234567890``."""
    if number_format == "e164":
        return address
    digits = address.removeprefix("+")
    if number_format == "national" and digits.startswith("62"):
        return "0" + digits.removeprefix("62")
    return digits


class HttpSmsGatewayAdapter:
    """Sends ``message.text``; returns the gateway's id (``SMS_GATEWAY_ID_FIELD`` of its JSON
    answer) or an empty string."""

    def send(self, message) -> str:
        fields = {
            settings.SMS_GATEWAY_NUMBER_FIELD: gateway_number(
                message.address, settings.SMS_GATEWAY_NUMBER_FORMAT
            ),
            settings.SMS_GATEWAY_TEXT_FIELD: message.text,
        }
        headers = {}
        key_field = settings.SMS_GATEWAY_KEY_FIELD
        if key_field.startswith(HEADER_PREFIX):
            headers[key_field.removeprefix(HEADER_PREFIX)] = settings.SMS_GATEWAY_KEY
        elif key_field:
            fields[key_field] = settings.SMS_GATEWAY_KEY
        body = {"json": fields} if settings.SMS_GATEWAY_JSON else {"data": fields}
        response = provider_post(
            settings.SMS_GATEWAY_URL, timeout=settings.SMS_GATEWAY_TIMEOUT, headers=headers, **body
        )
        provider_id = json_of(response).get(settings.SMS_GATEWAY_ID_FIELD)
        return str(provider_id) if isinstance(provider_id, str | int) else ""
