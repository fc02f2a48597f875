"""Calls from providers: WhatsApp's delivery statuses (docs/notifications.md, "Webhook").

No session or CSRF token: Meta proves each call with the app secret's signature, and a call
without a valid one changes nothing.
"""

import hmac
import json
import logging

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rtkeren.channels.whatsapp import signature_valid, status_reports
from rtkeren.models import Channel
from rtkeren.ratelimits import rate_limited
from rtkeren.services.messages import delivery_reports_record

#: Meta sends a few statuses per call; anything far larger is not one of its calls.
WEBHOOK_BODY_MAX_BYTES = 256 * 1024
logger = logging.getLogger(__name__)


def _verification(request: HttpRequest) -> HttpResponse:
    """Meta's handshake when the webhook is set up: the challenge back, as plain text, to a
    caller who knows the verify token."""
    token = settings.WHATSAPP_VERIFY_TOKEN
    if (
        token
        and request.GET.get("hub.mode") == "subscribe"
        and hmac.compare_digest(request.GET.get("hub.verify_token", ""), token)
    ):
        return HttpResponse(request.GET.get("hub.challenge", "")[:128], content_type="text/plain")
    return HttpResponseForbidden()


def _statuses(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponseBadRequest()
    if length > WEBHOOK_BODY_MAX_BYTES:
        return HttpResponse(status=413)
    body = request.read(WEBHOOK_BODY_MAX_BYTES + 1)
    if len(body) > WEBHOOK_BODY_MAX_BYTES:
        return HttpResponse(status=413)
    if not settings.WHATSAPP_APP_SECRET:
        logger.warning("WhatsApp delivery report refused: WHATSAPP_APP_SECRET is not set.")
        return HttpResponseForbidden()
    if not signature_valid(body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponseForbidden()
    try:
        reports = status_reports(json.loads(body))
    except (ValueError, RecursionError):
        return HttpResponseBadRequest()
    delivery_reports_record(channel=Channel.WHATSAPP, reports=reports)
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("whatsapp_webhook", methods=("GET", "POST"))
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verification(request)
    return _statuses(request)


urlpatterns = [
    path("whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
]
