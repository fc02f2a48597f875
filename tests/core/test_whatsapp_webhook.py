"""WhatsApp's delivery statuses: Meta's handshake, signed reports recorded and moving messages
forward only, and anything unsigned, forged or malformed refused with nothing recorded."""

import datetime
import hashlib
import hmac
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import Channel, DeliveryReport, NotificationKind, OutboundMessage
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "rahasia-aplikasi-meta"
VERIFY_TOKEN = "token-verifikasi-rt-keren"
URL = "/webhook/whatsapp/"


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN


def sent_message(provider_id="wamid.satu", status=OutboundMessage.Status.SENT, **fields):
    return OutboundMessage.objects.create(
        user=factories.UserFactory(),
        channel=Channel.WHATSAPP,
        kind=NotificationKind.FORUM,
        address="+6281234567890",
        text="RT Keren: musyawarah besok.",
        status=status,
        provider_id=provider_id,
        sent_at=timezone.now(),
        attempts=1,
        **fields,
    )


def status(provider_id, name, timestamp=1_780_000_000, errors=None):
    report = {
        "id": provider_id,
        "status": name,
        "timestamp": str(timestamp),
        "recipient_id": "6281234567890",
    }
    if errors:
        report["errors"] = errors
    return report


def payload(*statuses) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "102290129340398",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "1098765432"},
                                "statuses": list(statuses),
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, body: bytes, sign: str | None = "valid"):
    headers = {}
    if sign == "valid":
        headers["X-Hub-Signature-256"] = signature(body)
    elif sign is not None:
        headers["X-Hub-Signature-256"] = sign
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_the_url_is_named():
    assert reverse("whatsapp-webhook") == URL


# Meta's handshake.


def test_the_handshake_answers_the_challenge(client):
    response = client.get(
        URL,
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
        {},
    ],
    ids=["wrong-token", "wrong-mode", "no-token", "nothing"],
)
def test_the_handshake_is_refused_without_the_token(client, query):
    response = client.get(URL, query)

    assert response.status_code == 403
    assert b"1" not in response.content


def test_no_verify_token_configured_refuses_every_handshake(client, settings):
    settings.WHATSAPP_VERIFY_TOKEN = ""

    response = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    )

    assert response.status_code == 403


# Signed reports.


def test_a_signed_report_is_recorded_and_moves_the_message_forward(client):
    message = sent_message()
    body = payload(status("wamid.satu", "delivered", timestamp=1_780_000_000))

    response = post(client, body)

    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DELIVERED
    report = DeliveryReport.objects.get()
    assert report.message == message
    assert report.channel == Channel.WHATSAPP
    assert report.provider_id == "wamid.satu"
    assert report.status == "delivered"
    assert report.reported_at == datetime.datetime.fromtimestamp(1_780_000_000, tz=datetime.UTC)


def test_read_after_delivered_in_one_call(client):
    message = sent_message()

    post(client, payload(status("wamid.satu", "delivered"), status("wamid.satu", "read")))

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.READ
    assert DeliveryReport.objects.filter(message=message).count() == 2


@pytest.mark.parametrize(
    ("current", "reported"),
    [
        (OutboundMessage.Status.READ, "delivered"),
        (OutboundMessage.Status.READ, "sent"),
        (OutboundMessage.Status.DELIVERED, "sent"),
        (OutboundMessage.Status.READ, "failed"),
        (OutboundMessage.Status.DELIVERED, "failed"),
        (OutboundMessage.Status.FAILED, "delivered"),
    ],
)
def test_a_status_never_moves_backwards(client, current, reported):
    message = sent_message(status=current)

    response = post(client, payload(status("wamid.satu", reported)))

    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == current
    # Kept as received all the same.
    assert DeliveryReport.objects.get().status == reported


def test_a_failure_marks_the_message_failed_with_the_error(client):
    message = sent_message()
    errors = [
        {
            "code": 131026,
            "title": "Message undeliverable",
            "error_data": {"details": "Receiver is not a WhatsApp user"},
        }
    ]

    post(client, payload(status("wamid.satu", "failed", errors=errors)))

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED
    assert message.last_error == "(131026) Message undeliverable – Receiver is not a WhatsApp user"
    assert DeliveryReport.objects.get().error == message.last_error


def test_a_report_about_an_unknown_message_is_kept_without_one(client):
    other = sent_message(provider_id="wamid.lain")

    response = post(client, payload(status("wamid.tidak-dikenal", "delivered")))

    assert response.status_code == 200
    report = DeliveryReport.objects.get()
    assert report.message is None
    other.refresh_from_db()
    assert other.status == OutboundMessage.Status.SENT


def test_only_whatsapp_messages_are_matched(client):
    sms = sent_message(provider_id="wamid.satu")
    OutboundMessage.objects.filter(pk=sms.pk).update(channel=Channel.SMS)

    post(client, payload(status("wamid.satu", "read")))

    sms.refresh_from_db()
    assert sms.status == OutboundMessage.Status.SENT


def test_a_call_without_statuses_is_accepted_and_records_nothing(client):
    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {}}]}]}
    ).encode()

    response = post(client, body)

    assert response.status_code == 200
    assert not DeliveryReport.objects.exists()


# Refused: nothing recorded, nothing moved.


@pytest.mark.parametrize(
    "sign",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        signature(b"another body"),
        signature(payload(status("wamid.satu", "read")), secret="rahasia-lain"),
        "sha1=" + "0" * 40,
    ],
    ids=["missing", "empty", "zeros", "other-body", "other-secret", "sha1"],
)
def test_unsigned_or_forged_reports_are_refused(client, sign):
    message = sent_message()

    response = post(client, payload(status("wamid.satu", "read")), sign=sign)

    assert response.status_code == 403
    assert not DeliveryReport.objects.exists()
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT


def test_without_an_app_secret_every_report_is_refused(client, settings):
    settings.WHATSAPP_APP_SECRET = ""
    message = sent_message()
    body = payload(status("wamid.satu", "read"))

    response = client.post(
        URL,
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature(body, secret="")},
    )

    assert response.status_code == 403
    assert not DeliveryReport.objects.exists()
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'"statuses"',
        b'{"entry": "not a list"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["broken", "not-utf8", "list", "string", "entry-not-a-list", "deep"],
)
def test_a_malformed_signed_body_is_a_bad_request(client, body):
    response = post(client, body)

    assert response.status_code == 400
    assert not DeliveryReport.objects.exists()


def test_odd_statuses_inside_a_valid_call_are_left_out(client):
    message = sent_message()
    body = json.dumps(
        {
            "entry": [
                "not an entry",
                {"changes": ["not a change", {"value": {"statuses": ["x", {"id": "wamid.satu"}]}}]},
                {
                    "changes": [
                        {"value": {"statuses": [status("wamid.satu", "delivered", "kemarin")]}}
                    ]
                },
            ]
        }
    ).encode()

    response = post(client, body)

    assert response.status_code == 200
    report = DeliveryReport.objects.get()
    assert report.reported_at is None
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DELIVERED


def test_a_body_over_the_limit_is_refused_unread(client):
    body = payload(status("wamid.satu", "read")) + b" " * 300_000

    response = post(client, body)

    assert response.status_code == 413
    assert not DeliveryReport.objects.exists()


def test_no_session_or_csrf_token_is_needed(settings):
    from django.test import Client

    body = payload(status("wamid.satu", "delivered"))
    sent_message()

    response = post(Client(enforce_csrf_checks=True), body)

    assert response.status_code == 200


def test_reports_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "whatsapp_webhook": (None, "2/m")}
    body = payload(status("wamid.satu", "delivered"))

    answers = [post(client, body).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert DeliveryReport.objects.count() == 2


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_not_allowed(client, method):
    assert getattr(client, method)(URL).status_code == 405
