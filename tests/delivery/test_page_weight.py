"""The meeting page stays light on 3G: what a phone downloads on its first visit, compressed as
production serves it, is under 100 KB (docs/performance.md, "Page weight on 3G").

Counted from the files themselves, not timed: the page as a resident gets it, every static file
it references (stylesheets, scripts, icons), the web app manifest and the first of its icons,
the service worker and what the worker keeps for use offline, each URL once (the worker fetches
the files the page already fetched from the HTTP cache: ``benchmarks/page_weight.py`` counts
the bytes on the wire). Static files count at their
Brotli size (whitenoise sends the .br copy that collectstatic writes), the portal's own answers
as they are (the portal does not compress them), each with an allowance for its headers.
"""

import re
from html.parser import HTMLParser

import brotli
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

BUDGET = 100 * 1024
#: Response headers, per request (Chromium counted 250 to 450 bytes on the static files).
HEADERS = 500
#: Resources a browser fetches by the page's tags (<link rel="preload"> and the like aside).
FETCHED = {("link", "stylesheet"), ("link", "icon"), ("link", "manifest"), ("script", None)}


class References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and (tag, attributes.get("rel")) in FETCHED:
            self.urls.append(attributes["href"])
        elif tag in {"script", "img"} and attributes.get("src"):
            self.urls.append(attributes["src"])


def static_weight(url: str) -> int:
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    assert path, f"{url} is not a static file"
    with open(path, "rb") as source:
        data = source.read()
    return min(len(data), len(brotli.compress(data)))


def kept_offline(worker: str) -> list[str]:
    """The URLs the service worker fetches when it installs (``SHELL_FILES`` of sw.js)."""
    shell = re.search(r"const SHELL_FILES = \[(.*?)\];", worker, re.DOTALL)
    assert shell, "the service worker names no SHELL_FILES"
    offline = re.search(r'const OFFLINE_URL = "([^"]+)";', worker)[1]
    return [
        offline if name == "OFFLINE_URL" else url
        for url, name in re.findall(r'"([^"]+)"|(OFFLINE_URL)', shell[1])
    ]


def first_visit(client, page_url: str) -> dict[str, int]:
    """Every URL a phone's first visit downloads, with its bytes on the wire."""
    page = client.get(page_url)
    assert page.status_code == 200
    weights = {page_url: len(page.content)}
    references = References()
    references.feed(page.text)
    fetched = list(references.urls)
    manifest = client.get(reverse("web-manifest"))
    fetched.append(manifest.json()["icons"][0]["src"])
    # pwa.js registers the worker; the worker then fetches what it keeps.
    worker = client.get(reverse("service-worker"))
    fetched.append(reverse("service-worker"))
    fetched.extend(kept_offline(worker.text))
    for url in dict.fromkeys(fetched):
        if url.startswith(settings.STATIC_URL):
            weights[url] = static_weight(url)
        elif url == reverse("service-worker"):
            weights[url] = len(worker.content)
        elif url == reverse("web-manifest"):
            weights[url] = len(manifest.content)
        elif url.startswith("/"):
            response = client.get(url)
            assert response.status_code == 200, url
            weights[url] = len(response.content)
    return {url: size + HEADERS for url, size in weights.items()}


@pytest.mark.django_db
def test_a_residents_first_visit_to_a_meeting_page_is_under_100_kb(client, resident_user, meeting):
    client.force_login(resident_user)

    weights = first_visit(client, reverse("delivery:meeting-detail", args=[meeting.pk]))

    listing = "\n".join(f"{size:>7} {url}" for url, size in weights.items())
    assert sum(weights.values()) < BUDGET, f"{sum(weights.values())} bytes:\n{listing}"
    # What it counted: the page, Bootstrap, htmx, the service worker and the offline page.
    assert {
        "/static/js-lib-bootstrap5/css/bootstrap.min.css",
        "/static/htmx/htmx.min.js",
        reverse("service-worker"),
        reverse("offline"),
    } <= set(weights)
