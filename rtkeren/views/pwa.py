"""The installable portal: its manifest, its service worker and the page shown offline."""

import functools
import hashlib

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from rtkeren.offline import offline_page

THEME_COLOUR = "#146c43"


# The manifest and the worker are compressed here, unlike the pages: they hold nothing secret
# (the same text for everyone), so their compressed size tells an attacker nothing (BREACH).
# The phone asks for the worker again on every page it opens, to see whether it changed.
@require_GET
@gzip_page
@cache_control(max_age=3600, public=True)
def manifest(request):
    """The web app manifest (W3C Web Application Manifest), in the person's language."""
    icons = [
        {
            "src": static(f"img/icons/{name}-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for name, purpose in (("icon", "any"), ("maskable", "maskable"))
        for size in (192, 512)
    ]
    data = {
        "id": "/",
        "name": _("RT Keren portal, Kota Blitar"),
        "short_name": "RT Keren",
        "description": _(
            "Plan, vote on, deliver and evaluate the RT Keren activities of your neighbourhood."
        ),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@functools.lru_cache(maxsize=4)
def _worker_text(static_url: str, offline_url: str, queue_url: str) -> str:
    """The worker's text, made once per process: browsers ask for it on many navigations to
    see whether it changed, and it changes only with a deployment (the static files' names)."""
    body = render_to_string(
        "rtkeren/pwa/sw.js", {"offline_url": offline_url, "queue_url": queue_url}
    )
    return body.replace("__VERSION__", hashlib.sha256(body.encode()).hexdigest()[:12])


@require_GET
@gzip_page
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, served from the root so that its scope is the whole portal. Its
    text names the static files by their versioned names, so a deployment that changes one
    changes the worker, which browsers then install without a manual refresh."""
    if settings.DEBUG:  # templates edited while developing show at once
        _worker_text.cache_clear()
    body = _worker_text(settings.STATIC_URL, reverse("offline"), reverse("offline-queue"))
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(max_age=3600, public=True)
def offline(request):
    """What a page not kept on the phone shows without a signal: the same for everyone, with no
    personal data, so the service worker may keep it for visitors too."""
    return render(request, "rtkeren/offline.html")


@require_GET
@cache_control(no_cache=True)
@offline_page
def offline_queue(request):
    """What the phone keeps waiting to be sent, and what the portal did not accept: read from
    the phone itself (static/js/offline-queue.js). The page holds no personal data, so the
    service worker keeps it for use without a signal from the start."""
    return render(request, "rtkeren/offline_queue.html")
