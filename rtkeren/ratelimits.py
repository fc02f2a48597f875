"""Rate limits: counted per account first, and per IP address only generously.

A whole village may reach the portal through one mobile carrier address, so the IP limit only
stops a flood; the account limit is the one a person meets. Counts live in the default cache,
which is Redis in production when several app servers run, so they share one count.

The rates are read from ``settings.RATE_LIMITS`` at each request, as ``{group: (per_account,
per_ip)}`` in django-ratelimit's notation ("30/m"); ``None`` means no limit on that side.
"""

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError

from rtkeren.auth_backends import account_name_for_login, normalize_email
from rtkeren.phone import normalize_phone

RATE_LIMITED_STATUS = 429
logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind ``TRUSTED_PROXY_COUNT`` proxies that each
    append to X-Forwarded-For, it is the entry the outermost trusted proxy wrote; anything to
    its left was written by the client and cannot be trusted."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def _account_key(group: str, request: HttpRequest) -> str:
    """Who is acting: the logged-in account; before logging in, the NIK a registration claims
    or the account a login form names."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    nik = "".join(char for char in request.POST.get("nik", "") if char.isdigit())
    if nik:
        return f"nik:{nik}"
    login = request.POST.get("username") or request.POST.get("login", "")
    return "login:" + account_name_for_login(login, request)


def email_key(group: str, request: HttpRequest) -> str:
    """The address a password reset is asked for, whoever asks: a logged-in account must not
    flood someone else's mailbox either."""
    return "email:" + normalize_email(request.POST.get("email", ""))


def phone_key(group: str, request: HttpRequest) -> str:
    """The phone number a one-time code is asked for, in E.164 whatever form was typed, and
    whoever asks: nobody may flood someone else's phone."""
    try:
        return "phone:" + normalize_phone(request.POST.get("phone", ""))
    except ValidationError:
        return "phone:"


def _ip_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _rates(group: str) -> tuple[str | None, str | None]:
    return settings.RATE_LIMITS[group]


def limit_exceeded(request: HttpRequest, group: str, *, account_key=_account_key) -> bool:
    """Count this request against the group's limits; True when one of them is exceeded.
    ``account_key`` names what the first limit counts per (the acting account by default).

    When the shared cache does not answer, the request goes through uncounted: a Redis
    outage must not stop residents from voting.
    """
    per_account, per_ip = _rates(group)
    exceeded = False
    for key, rate in ((account_key, per_account), (_ip_key, per_ip)):
        if rate is None:
            continue
        try:
            limited = is_ratelimited(
                request, group=f"{group}:{key.__name__}", key=key, rate=rate, increment=True
            )
        except (RedisError, OSError):
            logger.warning("Rate limit %s not counted: the cache does not answer.", group)
            limited = False
        exceeded = exceeded or limited
    return exceeded


def subject_limit_exceeded(request: HttpRequest, group: str, subject: str) -> bool:
    """Count this request against a limit on one object (``subject``, e.g. the registrant whose
    NIK is checked), whoever sends it: the group's first rate. Uncounted when the cache is down."""
    rate = _rates(group)[0]
    try:
        return is_ratelimited(
            request,
            group=f"{group}:subject",
            key=lambda _group, _request: subject,
            rate=rate,
            increment=True,
        )
    except (RedisError, OSError):
        logger.warning("Rate limit %s not counted: the cache does not answer.", group)
        return False


def too_many_requests(request: HttpRequest, *, message: str = "", retry_after: int = 60):
    """The page a limited request gets: nothing was saved, try again in a moment (or, with a
    ``message``, as it says)."""
    response = render(request, "429.html", {"message": message}, status=RATE_LIMITED_STATUS)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(
    group: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    counts: Callable[[HttpRequest], bool] | None = None,
    account_key=_account_key,
):
    """Decorate a view (function or ``dispatch``) so that requests with these methods (and, with
    ``counts``, only those it accepts) count against ``group``; over the limit the view is not
    called and nothing changes. ``account_key`` names what the first limit counts per."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            request = next(arg for arg in args if isinstance(arg, HttpRequest))
            if (
                request.method in methods
                and (counts is None or counts(request))
                and limit_exceeded(request, group, account_key=account_key)
            ):
                return too_many_requests(request)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def carries_a_file(request: HttpRequest) -> bool:
    return bool(request.FILES)


#: Every view that takes a photo, a receipt or a file: decoding and checking an upload costs the
#: server far more than any other form, so uploads have their own, per-account, count. A form
#: sent without a file (a potential without a photo) does not count.
upload_rate_limited = rate_limited("upload", counts=carries_a_file)
