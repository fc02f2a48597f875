"""What a phone may keep for use without a signal (the service worker, ``/sw.js``).

A page is kept only when its view says so (``offline_page``) and a person is logged in; the
service worker files it under that person's account tag (``X-Offline-Account``: a keyed hash
of the account, not its id) and forgets every other account's pages when the tag changes or a
visitor's page arrives. Logging out wipes the phone's copies (``Clear-Site-Data``).
"""

import hashlib
import hmac
from functools import wraps

from django.conf import settings

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
