"""The WhatsApp (Cloud API) and SMS gateway adapters against a fake provider on this machine:
what each sends, and how the queue takes each answer (sent, a later try, failed)."""

import datetime
import json
import time
from zoneinfo import ZoneInfo

import pytest
from werkzeug import Response

from rtkeren.channels.sms import gateway_number
from rtkeren.models import Channel, NotificationKind, OutboundMessage
from rtkeren.services.messages import message_queue, outbound_message_attempt
from rtkeren.services.privacy import consent_give
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "+6281234567890"
TOKEN = "token-uji-123"
NUMBER_ID = "1098765432"
SMS_KEY = "kunci-gateway"
# 10.00 WIB on a weekday: outside the quiet hours, and so are the retries 1, 6 and 36 minutes on.
MORNING = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
PARAMETERS = ["Musyawarah RT 002 besok pukul 19.00.", "https://rtkeren.example.go.id/notifikasi/"]
WHATSAPP_PATH = f"/v26.0/{NUMBER_ID}/messages"
SMS_PATH = "/api/kirim"


@pytest.fixture
def providers(settings, httpserver):
    settings.MESSAGE_ADAPTERS = {
        **settings.MESSAGE_ADAPTERS,
        "whatsapp": "rtkeren.channels.whatsapp.WhatsAppCloudAdapter",
        "sms": "rtkeren.channels.sms.HttpSmsGatewayAdapter",
    }
    settings.WHATSAPP_API_URL = httpserver.url_for("/")
    settings.WHATSAPP_API_VERSION = "v26.0"
    settings.WHATSAPP_PHONE_NUMBER_ID = NUMBER_ID
    settings.WHATSAPP_ACCESS_TOKEN = TOKEN
    settings.WHATSAPP_TIMEOUT = 2
    settings.SMS_GATEWAY_URL = httpserver.url_for(SMS_PATH)
    settings.SMS_GATEWAY_KEY = SMS_KEY
    settings.SMS_GATEWAY_KEY_FIELD = "key"
    settings.SMS_GATEWAY_NUMBER_FIELD = "to"
    settings.SMS_GATEWAY_TEXT_FIELD = "message"
    settings.SMS_GATEWAY_ID_FIELD = "id"
    settings.SMS_GATEWAY_NUMBER_FORMAT = "international"
    settings.SMS_GATEWAY_JSON = False
    settings.SMS_GATEWAY_TIMEOUT = 2
    return httpserver


def queued(channel: str) -> OutboundMessage:
    rt = factories.RTFactory()
    user, resident = factories.make_resident_user(rt, phone=PHONE)
    consent_give(resident=resident, purpose=channel, by=user)
    return message_queue(
        user=user,
        channel=channel,
        kind=NotificationKind.FORUM,
        address=PHONE,
        text=f"RT Keren: {PARAMETERS[0]}\n{PARAMETERS[1]}",
        template="rtkeren_pemberitahuan",
        parameters=PARAMETERS,
        now=MORNING,
    )


def attempt(message: OutboundMessage, at=MORNING) -> OutboundMessage:
    outbound_message_attempt(message.pk, at)
    message.refresh_from_db()
    return message


def whatsapp_accepts(httpserver, wamid="wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQ1"):
    httpserver.expect_oneshot_request(WHATSAPP_PATH, method="POST").respond_with_json(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": PHONE, "wa_id": PHONE[1:]}],
            "messages": [{"id": wamid}],
        }
    )


def meta_error(code: int, message: str, status: int):
    body = {"error": {"message": message, "type": "OAuthException", "code": code}}
    return Response(json.dumps(body), status=status, content_type="application/json")


def slow(request):
    time.sleep(0.6)
    return Response("{}", content_type="application/json")


def slow_answer_given(httpserver) -> None:
    """Wait until the fake provider has answered the request the adapter gave up on, so that
    its answer is not logged in the next test."""
    deadline = time.monotonic() + 5
    while not httpserver.log and time.monotonic() < deadline:
        time.sleep(0.05)


# WhatsApp.


def test_whatsapp_sends_the_template_with_its_parameters_in_order(providers):
    message = queued(Channel.WHATSAPP)
    whatsapp_accepts(providers, "wamid.satu")

    message = attempt(message)

    assert message.status == OutboundMessage.Status.SENT
    assert message.provider_id == "wamid.satu"
    assert message.sent_at == MORNING
    assert message.attempts == 1
    ((request, _response),) = providers.log
    assert request.path == f"/v26.0/{NUMBER_ID}/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.json == {
        "messaging_product": "whatsapp",
        # E.164 with its plus sign, as stored.
        "to": "+6281234567890",
        "type": "template",
        "template": {
            "name": "rtkeren_pemberitahuan",
            "language": {"code": "id"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Musyawarah RT 002 besok pukul 19.00."},
                        {"type": "text", "text": "https://rtkeren.example.go.id/notifikasi/"},
                    ],
                }
            ],
        },
    }


@pytest.mark.parametrize(
    "answer",
    [
        Response("upstream down", status=503),
        Response("{}", status=500),
        meta_error(130429, "Rate limit hit", 429),
        # Meta's throughput limit, answered with 400: worth a later try all the same.
        meta_error(130429, "Rate limit hit", 400),
    ],
    ids=["503", "500", "429", "400-rate-limit"],
)
def test_whatsapp_server_errors_and_rate_limits_are_tried_again_later(providers, answer):
    message = queued(Channel.WHATSAPP)
    providers.expect_oneshot_request(WHATSAPP_PATH, method="POST").respond_with_response(answer)

    message = attempt(message)

    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 1
    assert message.send_after == MORNING + datetime.timedelta(minutes=1)
    assert message.last_error.startswith(f"HTTP {answer.status_code}")
    assert message.provider_id == ""


def test_whatsapp_without_an_answer_in_time_is_tried_again_later(providers, settings):
    settings.WHATSAPP_TIMEOUT = 0.2
    message = queued(Channel.WHATSAPP)
    providers.expect_oneshot_request(WHATSAPP_PATH, method="POST").respond_with_handler(slow)

    message = attempt(message)
    slow_answer_given(providers)

    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 1
    assert message.send_after == MORNING + datetime.timedelta(minutes=1)
    assert message.last_error == "no answer within 0.2 s"


def test_whatsapp_unreachable_is_tried_again_later(providers, settings):
    settings.WHATSAPP_API_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    message = queued(Channel.WHATSAPP)

    message = attempt(message)

    assert message.status == OutboundMessage.Status.QUEUED
    assert message.last_error.startswith("connection failed")


def test_whatsapp_refusal_fails_at_once_with_the_providers_reason(providers):
    message = queued(Channel.WHATSAPP)
    providers.expect_oneshot_request(WHATSAPP_PATH, method="POST").respond_with_response(
        meta_error(131030, "Recipient phone number not in allowed list", 400)
    )

    message = attempt(message)
    # Nothing is tried again, however long the worker waits.
    outbound_message_attempt(message.pk, MORNING + datetime.timedelta(hours=1))
    message.refresh_from_db()

    assert message.status == OutboundMessage.Status.FAILED
    assert message.attempts == 1
    assert len(providers.log) == 1
    assert message.last_error == "HTTP 400: (131030) Recipient phone number not in allowed list"


def test_a_long_provider_error_is_shortened(providers):
    message = queued(Channel.WHATSAPP)
    providers.expect_oneshot_request(WHATSAPP_PATH, method="POST").respond_with_response(
        meta_error(100, "Invalid parameter " * 100, 400)
    )

    message = attempt(message)

    assert message.status == OutboundMessage.Status.FAILED
    assert len(message.last_error) == 200
    assert message.last_error.endswith("…")


def test_whatsapp_fails_after_the_last_retry(providers):
    message = queued(Channel.WHATSAPP)
    providers.expect_request(WHATSAPP_PATH, method="POST").respond_with_data("down", status=502)

    moments = [MORNING]
    for delay in (1, 5, 30):
        message = attempt(message, moments[-1])
        assert message.status == OutboundMessage.Status.QUEUED
        assert message.send_after == moments[-1] + datetime.timedelta(minutes=delay)
        # Not before its time: the worker's sweep leaves it waiting.
        assert (
            outbound_message_attempt(message.pk, message.send_after - datetime.timedelta(1)) == ""
        )
        moments.append(message.send_after)
    message = attempt(message, moments[-1])

    assert message.status == OutboundMessage.Status.FAILED
    assert message.attempts == 4
    assert len(providers.log) == 4
    assert message.last_error == "HTTP 502: down"


def test_a_retry_that_succeeds_is_sent(providers):
    message = queued(Channel.WHATSAPP)
    providers.expect_oneshot_request(WHATSAPP_PATH, method="POST").respond_with_data("", status=503)
    whatsapp_accepts(providers, "wamid.dua")

    message = attempt(message)
    message = attempt(message, message.send_after)

    assert message.status == OutboundMessage.Status.SENT
    assert message.provider_id == "wamid.dua"
    assert message.attempts == 2
    assert message.last_error == ""


def test_whatsapp_parameters_lose_the_line_breaks_meta_refuses(providers):
    message = queued(Channel.WHATSAPP)
    OutboundMessage.objects.filter(pk=message.pk).update(
        parameters=["Rapat RT\nbesok\tpukul     19.00", "https://rtkeren.example.go.id/"]
    )
    whatsapp_accepts(providers)

    attempt(message)

    ((request, _response),) = providers.log
    parameters = request.json["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == [
        "Rapat RT besok pukul 19.00",
        "https://rtkeren.example.go.id/",
    ]


# SMS.


def test_sms_posts_key_number_and_text_as_a_form(providers):
    message = queued(Channel.SMS)
    providers.expect_oneshot_request(SMS_PATH, method="POST").respond_with_json(
        {"status": "ok", "id": 4711}
    )

    message = attempt(message)

    assert message.status == OutboundMessage.Status.SENT
    assert message.provider_id == "4711"
    ((request, _response),) = providers.log
    assert request.form.to_dict() == {
        "key": SMS_KEY,
        "to": "6281234567890",
        "message": f"RT Keren: {PARAMETERS[0]}\n{PARAMETERS[1]}",
    }


def test_sms_field_names_number_format_json_and_key_header_follow_the_settings(providers, settings):
    settings.SMS_GATEWAY_JSON = True
    settings.SMS_GATEWAY_KEY_FIELD = "header:Authorization"
    settings.SMS_GATEWAY_NUMBER_FIELD = "phone"
    settings.SMS_GATEWAY_TEXT_FIELD = "text"
    settings.SMS_GATEWAY_NUMBER_FORMAT = "national"
    settings.SMS_GATEWAY_ID_FIELD = "msg_uid"
    message = queued(Channel.SMS)
    providers.expect_oneshot_request(SMS_PATH, method="POST").respond_with_json(
        {"status": "sent", "msg_uid": "d3a925"}
    )

    message = attempt(message)

    assert message.provider_id == "d3a925"
    ((request, _response),) = providers.log
    assert request.headers["Authorization"] == SMS_KEY
    assert request.json == {"phone": "081234567890", "text": message.text}


def test_sms_gateway_numbers():
    assert gateway_number(PHONE, "e164") == "+6281234567890"
    assert gateway_number(PHONE, "international") == "6281234567890"
    assert gateway_number(PHONE, "national") == "081234567890"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_sms_server_errors_are_tried_again_later(providers, status):
    message = queued(Channel.SMS)
    providers.expect_oneshot_request(SMS_PATH, method="POST").respond_with_data(
        "gangguan", status=status
    )

    message = attempt(message)

    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 1
    assert message.send_after == MORNING + datetime.timedelta(minutes=1)
    assert message.last_error == f"HTTP {status}: gangguan"


def test_sms_without_an_answer_in_time_is_tried_again_later(providers, settings):
    settings.SMS_GATEWAY_TIMEOUT = 0.2
    message = queued(Channel.SMS)
    providers.expect_oneshot_request(SMS_PATH, method="POST").respond_with_handler(slow)

    message = attempt(message)
    slow_answer_given(providers)

    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 1


def test_sms_refusal_fails_at_once(providers):
    message = queued(Channel.SMS)
    providers.expect_oneshot_request(SMS_PATH, method="POST").respond_with_data(
        "nomor tidak valid", status=400
    )

    message = attempt(message)
    outbound_message_attempt(message.pk, MORNING + datetime.timedelta(hours=1))

    assert message.status == OutboundMessage.Status.FAILED
    assert message.last_error == "HTTP 400: nomor tidak valid"
    assert len(providers.log) == 1


def test_sms_fails_after_the_last_retry(providers):
    message = queued(Channel.SMS)
    providers.expect_request(SMS_PATH, method="POST").respond_with_data("", status=500)

    for _try in range(3):
        message = attempt(message, message.send_after)
        assert message.status == OutboundMessage.Status.QUEUED
    message = attempt(message, message.send_after)

    assert message.status == OutboundMessage.Status.FAILED
    assert message.attempts == 4
    assert len(providers.log) == 4
