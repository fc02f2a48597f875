import http
import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.signals import setting_changed
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty
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
        if isinstance(user, SimpleLazyObject):
            # The account is read here on every request (its language is asked below). The
            # rest of the request reads it as it is, not through the lazy wrapper: a few
            # hundred reads a page (its scopes, its permissions, the templates).
            if user._wrapped is empty:
                user._setup()
            user = request.user = user._wrapped
        if user is not None and user.is_authenticated and user.language in self.supported:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in self.supported:
            return cookie
        return settings.LANGUAGE_CODE


class NulCharacterMiddleware:
    """A path holding a NUL character names no page: a 404, before a view gives it to the
    database (PostgreSQL refuses such a text, which would be a 500). Path converters such as
    ``<str:code>`` let it through; form fields refuse it themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404
        return self.get_response(request)


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


#: The policies built from the settings, for responses without a policy of their own.
_built_policies: dict[bool, str] = {}


def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built_policies.clear()


setting_changed.connect(_forget_policies)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the settings' policy built once per process.

    django-csp builds the header from the settings on every response: about 160 function calls,
    a third of what the bare view costs. The portal's policy never changes while it runs, so a
    response that brings no policy of its own (no ``csp_update``, ``csp_replace`` or
    ``csp_exempt``-style parts, no nonce used) gets the same header, built once. Any other
    response goes through django-csp unchanged. The conditions below are django-csp's own
    (4.0); ``tests/hardening/test_csp_header.py`` holds both side by side.
    """

    _PARTS = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    )

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self._PARTS
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (
            http.HTTPStatus.INTERNAL_SERVER_ERROR,
            http.HTTPStatus.NOT_FOUND,
        ):
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _built_policies.get(report_only)
            if policy is None:
                policy = _built_policies[report_only] = build_policy(report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
