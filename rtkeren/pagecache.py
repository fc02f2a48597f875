"""Whole pages, cached for the person who asked, under the data version.

The main pages are read far more often than anything on them changes, and rendering them costs
20 to 60 times what Django itself costs for a request. ``cached_page`` keeps a page's HTML for
``PAGE_CACHE_SECONDS`` under a key made of the data version (``rtkeren.versions``: it changes
with every write to the portal's tables), the person, the address, the language and the CSRF
cookie the page's forms were signed for. A page is therefore never older than the data; what
the clock alone changes (a round that closes at its hour, "2 jam lalu") may lag by the cache's
lifetime, and the services refuse what has become too late whatever a page still shows.

Not cached: anything but a plain GET (htmx requests render fragments), a request with messages
waiting to be shown, a response other than 200, and a page that had to invent a CSRF cookie
(its token would be for a cookie the browser does not hold yet).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from rtkeren import versions

#: Headers the view set that a copy from the cache carries too; the middleware adds the rest.
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Vary", "Content-Disposition")


def _key(request, version: str) -> str:
    parts = [
        request.resolver_match.view_name if request.resolver_match else "",
        request.get_full_path(),
        request.get_host(),
        request.scheme,
        str(request.user.pk or ""),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        get_language() or "",
    ]
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()
    return f"page:{version}:{digest}"


def _may_use_cache(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and "HX-Request" not in request.headers
        and not len(messages.get_messages(request))
    )


def _store(request, key: str, response) -> None:
    invented_cookie = settings.CSRF_COOKIE_NAME not in request.COOKIES and request.META.get(
        "CSRF_COOKIE_NEEDS_UPDATE"
    )
    if response.status_code != 200 or response.streaming or response.cookies or invented_cookie:
        return
    headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)


def cached_page(view):
    """Serve ``view`` from the page cache where it may be (see the module)."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _may_use_cache(request) or (version := versions.current(request)) is None:
            return view(request, *args, **kwargs)
        key = _key(request, version)
        found = cache.get(key)
        if found is not None:
            content, headers = found
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response.add_post_render_callback(lambda rendered: _store(request, key, rendered))
        else:
            _store(request, key, response)
        return response

    return cached_view
