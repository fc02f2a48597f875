"""What a phone may keep for use without a signal (the service worker, ``/sw.js``).

A page is kept only when its view says so (``offline_page``) and a person is logged in; the
service worker files it under that person's account tag (``X-Offline-Account``: a keyed hash
of the account, not its id) and forgets every other account's pages when the tag changes or a
visitor's page arrives. Logging out wipes the phone's copies (``Clear-Site-Data``).
"""

import hashlib
import hmac
import json
import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from rtkeren.permissions import can
from rtkeren.ratelimits import limit_exceeded
from rtkeren.services.offline import offline_submission_apply

#: The header a view sets to let the service worker keep its page for use offline.
OFFLINE_HEADER = "X-Offline"
#: The header naming whose pages these are; "-" for a visitor.
ACCOUNT_HEADER = "X-Offline-Account"
VISITOR = "-"


def account_tag(user) -> str:
    """A stable tag per account that tells nothing about it without the secret key."""
    if not user.is_authenticated:
        return VISITOR
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"offline:{user.pk}".encode(), hashlib.sha256).hexdigest()[:24]


def offline_page(view):
    """Mark a view's successful GET answers as pages a logged-in person may use offline."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if (
            request.method == "GET"
            and request.user.is_authenticated
            and response.status_code == 200
        ):
            response[OFFLINE_HEADER] = "keep"
        return response

    return wrapped


class OfflineAccountMiddleware:
    """Tell the service worker whose page every HTML answer is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response[ACCOUNT_HEADER] = account_tag(request.user)
        return response


#: The most residents one attendance submission may name (a page of the list holds 50).
MAX_IDS = 1000
#: The largest id a database key holds: a larger number would fail in the query, not match.
MAX_ID = 2**63 - 1


def id_list(value, *, name: str) -> list[int]:
    """A list of object ids from a submission's JSON, or a ValidationError that says so."""
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise ValidationError(_("The list %(name)s is missing or too long.") % {"name": name})
    if not all(
        isinstance(item, int) and not isinstance(item, bool) and 0 < item <= MAX_ID
        for item in value
    ):
        raise ValidationError(
            _("The list %(name)s holds something other than ids.") % {"name": name}
        )
    return value


class OfflineSubmissionView(LoginRequiredMixin, View):
    """An endpoint a phone sends a kept submission to, as JSON: ``key`` (a UUID the phone made),
    ``account`` (the account tag of the page it was made on) and the form's fields. A stage
    subclasses it with ``get_subject`` (the object, from the user's reach: 404 otherwise),
    ``clean`` (the fields, or a ValidationError: 400) and ``apply`` (calls the stage's service,
    returns what to tell the person). The answer is JSON with ``status``, ``message`` and
    ``retry`` (see ``rtkeren.services.offline``); with ``flash`` in the body, an applied
    submission's message is also shown on the next page, as after the form."""

    http_method_names = ["post"]
    kind = ""
    permission = ""
    rate_limit_group = None

    def get_subject(self):
        raise NotImplementedError

    def clean(self, data: dict, subject):
        raise NotImplementedError

    def apply(self, subject, cleaned) -> str:
        raise NotImplementedError

    @staticmethod
    def answer(status: int, code: str, message: str, *, retry: bool = False) -> JsonResponse:
        body = {"status": code, "message": message, "retry": retry, "repeated": False}
        return JsonResponse(body, status=status)

    def post(self, request, *args, **kwargs):
        user = request.user
        try:
            subject = self.get_subject()
        except Http404:
            return self.answer(
                404,
                "not_found",
                _(
                    "This is not, or no longer, among what you may record here: it was not "
                    "sent. Ask the committee if it should still be recorded."
                ),
            )
        try:
            data = json.loads(request.body)
            if not isinstance(data, dict):
                raise ValueError
            key = uuid.UUID(str(data.get("key", "")))
        except ValueError:
            return self.refuse_malformed(
                subject,
                _("This submission could not be read. Fill in the form again."),
            )
        try:
            cleaned = self.clean(data, subject)
        except ValidationError as error:
            return self.refuse_malformed(subject, " ".join(error.messages))
        if data.get("account") != account_tag(user):
            return self.answer(
                409,
                "other_account",
                _(
                    "This was saved on this phone by another account. Log in with that "
                    "account to send it."
                ),
                retry=True,
            )
        if self.rate_limit_group and limit_exceeded(request, self.rate_limit_group):
            return self.answer(
                429,
                "rate_limited",
                _("Too many submissions in a short time. It will be sent again in a minute."),
                retry=True,
            )

        def apply():
            if not can(user, self.permission, subject):
                raise PermissionDenied(_("You may not do this here."))
            return self.apply(subject, cleaned)

        content = {name: value for name, value in data.items() if name not in UNHASHED}
        result = offline_submission_apply(
            key=key, user=user, kind=self.kind, subject=subject, payload=content, apply=apply
        )
        if result.status == 200 and data.get("flash") is True:
            messages.success(request, result.body["message"])
        return JsonResponse(result.body, status=result.status)

    def refuse_malformed(self, subject, message: str) -> JsonResponse:
        """400 with the reason; 403 to whoever may not send this at all."""
        if not can(self.request.user, self.permission, subject):
            return self.answer(403, "forbidden", _("You may not do this here."))
        return self.answer(400, "invalid", message)


# What a submission carries besides its content: a try made from the form and the same
# submission sent later from the queue are one submission.
UNHASHED = {"key", "account", "flash"}
