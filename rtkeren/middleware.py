import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _


class PreferredLanguageMiddleware:
    """Speak Indonesian unless the person chose English.

    The choice is stored on the account (or in a cookie before logging in). The browser's
    Accept-Language header is deliberately ignored: many phones in Blitar are set to English
    while their owners read Indonesian.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = self.chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    def chosen_language(self, request) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in self.supported:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in self.supported:
            return cookie
        return settings.LANGUAGE_CODE


class SessionIdleTimeoutMiddleware:
    """Log out a session that has had no request for ``SESSION_IDLE_TIMEOUT`` seconds.

    The last request's time is written at most once every few minutes, so that reading a page
    does not cost a session write each time.
    """

    KEY = "rtkeren_last_seen"
    WRITE_EVERY_SECONDS = 300

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("You were logged out after a long time without use."))
            elif last_seen is None or now - last_seen >= self.WRITE_EVERY_SECONDS:
                request.session[self.KEY] = now
        return self.get_response(request)


def session_started(sender, request, user, **kwargs):
    """Logging in counts as use; the session is written then anyway."""
    request.session[SessionIdleTimeoutMiddleware.KEY] = int(time.time())


class RequestBodyLimitMiddleware:
    """Refuse a request whose body is larger than ``REQUEST_BODY_MAX_BYTES`` before a byte of
    it is read, with a page that says what to do.

    Django caps the form fields it keeps in memory, but a file it writes to a temporary file of
    any size. The proxy in front refuses such bodies first (nginx ``client_max_body_size``);
    this keeps the same limit where no proxy does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return render(
                request,
                "413.html",
                {"limit": settings.REQUEST_BODY_MAX_BYTES, "file_limit": settings.UPLOAD_MAX_BYTES},
                status=413,
            )
        return self.get_response(request)
