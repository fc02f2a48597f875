"""Which adapter serves each phone channel follows the environment (fresh interpreters)."""

import json

from tests.core.test_settings import manage

ADAPTERS = (
    "from django.conf import settings as s; import json; print(json.dumps(s.MESSAGE_ADAPTERS))"
)


def adapters(**env: str) -> dict:
    result = manage("shell", "-v0", "-c", ADAPTERS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_providers_the_worker_prints_phone_messages():
    found = adapters(WHATSAPP_ACCESS_TOKEN="", WHATSAPP_PHONE_NUMBER_ID="", SMS_GATEWAY_URL="")

    assert found["whatsapp"] == "rtkeren.channels.console.ConsoleAdapter"
    assert found["sms"] == "rtkeren.channels.console.ConsoleAdapter"


def test_configured_providers_serve_their_channels():
    found = adapters(
        WHATSAPP_ACCESS_TOKEN="token",
        WHATSAPP_PHONE_NUMBER_ID="1098765432",
        SMS_GATEWAY_URL="https://sms.example.co.id/api/kirim",
    )

    assert found["whatsapp"] == "rtkeren.channels.whatsapp.WhatsAppCloudAdapter"
    assert found["sms"] == "rtkeren.channels.sms.HttpSmsGatewayAdapter"


def test_a_token_without_a_sending_number_is_not_enough_for_whatsapp():
    found = adapters(WHATSAPP_ACCESS_TOKEN="token", WHATSAPP_PHONE_NUMBER_ID="")

    assert found["whatsapp"] == "rtkeren.channels.console.ConsoleAdapter"


def test_an_unknown_sms_number_format_fails_loudly():
    result = manage("check", SMS_GATEWAY_NUMBER_FORMAT="lokal")

    assert result.returncode != 0
    assert "SMS_GATEWAY_NUMBER_FORMAT must be" in result.stderr
