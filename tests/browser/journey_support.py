"""What the journey test keeps from every page it visits: a screenshot, the HTML, axe-core's
serious and critical findings, whether a phone page scrolls sideways, and what a first visit of
the page transfers.

HTML is kept twice: ``html/<step>.html`` is the page as the browser holds it after load and any
htmx swap (``page.content()``); ``source/<step>.html`` is what the server sends for the page's
URL at that moment. The HTML checker reads the served source, where a parse error still shows
(the browser's DOM has repaired it), plus the browser's copy of pages that htmx changed.

Transfer weight is measured on a first visit: a page per kind of device with the browser cache
turned off loads the URL with the person's cookies. The test server compresses nothing, so a
response without ``Content-Encoding`` is counted gzipped (level 6, as a reverse proxy or
WhiteNoise's precompressed files send it) when it is text (HTML, CSS, JS, SVG), and as it is
when already compressed (PNG, JPEG). Response headers count too.
"""

import datetime
import gzip
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import timezone

from rtkeren.models import Role
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import sideways_scrollers

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "journey"
WEIGHT_LIMIT = 200 * 1024
BLOCKING_IMPACTS = {"serious", "critical"}
TEXT_TYPES = ("text/", "javascript", "json", "svg", "xml")
PASSWORD = "rahasia-123"


@dataclass
class Weight:
    step: str
    path: str
    total: int
    parts: list[tuple[str, int]] = field(default_factory=list)

    def line(self) -> str:
        path = self.path if len(self.path) <= 44 else self.path[:43] + "…"
        detail = ", ".join(f"{name} {size / 1024:.1f}" for name, size in self.parts)
        return f"{self.step:<32} {path:<44} {self.total / 1024:6.1f} KB  ({detail})"


def person(rt, username: str, name: str, sex: str, *roles: str):
    """A verified adult resident of ``rt`` with an account, its resident role, and ``roles``."""
    first_name, _space, last_name = name.partition(" ")
    user = factories.UserFactory(username=username, first_name=first_name, last_name=last_name)
    for role in (Role.RESIDENT, *roles):
        factories.RoleAssignmentFactory(user=user, role=role, rt=rt)
    factories.ResidentFactory(rt=rt, user=user, name=name, sex=sex)
    return user


def local_now() -> datetime.datetime:
    """Now in Asia/Jakarta, to the minute: what a person types into a time field."""
    return timezone.localtime().replace(second=0, microsecond=0)


def transferred(response) -> int:
    """Headers plus the body as it would travel compressed (see the module's docstring)."""
    sizes = response.request.sizes()
    if 300 <= response.status < 400:
        return sizes["responseHeadersSize"]
    headers = response.all_headers()
    if headers.get("content-encoding"):
        body = sizes["responseBodySize"]
    else:
        raw = response.body()
        text = any(kind in headers.get("content-type", "") for kind in TEXT_TYPES)
        body = len(gzip.compress(raw, compresslevel=6)) if text else len(raw)
    return sizes["responseHeadersSize"] + body


class Journey:
    """The people of the journey (a browser context each) and what their pages showed."""

    def __init__(self, browser, live_server, screenshot, screenshot_folder: Path):
        self.browser = browser
        self.live_server = live_server
        self.screenshot = screenshot
        self.axe = Axe()
        self.options = {}
        self.contexts = []
        self.swapped = {}
        self.meters = {}
        self.measured = set()
        self.step_count = 0
        self.documents = {}
        self.violations = []
        self.too_wide = []
        self.weights = []
        self.foreign_requests = []
        for folder in (ARTIFACTS / "html", ARTIFACTS / "source", screenshot_folder):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)

    def url(self, path: str) -> str:
        return self.live_server.url + path

    def _is_ours(self, url: str) -> bool:
        return url.startswith(self.live_server.url) or url.startswith("data:")

    def _page(self, options):
        # Without transitions axe-core sees each control as it settles, not halfway through the
        # colour change of a button that htmx has just swapped in under the pointer.
        options = {**options, "reduced_motion": "reduce"}
        context = self.browser.new_context(**options)
        context.set_default_timeout(15_000)
        context.on(
            "request",
            lambda request: (
                None if self._is_ours(request.url) else self.foreign_requests.append(request.url)
            ),
        )
        # axe-core is loaded into every document once, rather than sent again for each check.
        context.add_init_script(script=self.axe.axe_script)
        self.contexts.append(context)
        page = context.new_page()
        self.options[page] = options
        # Whether htmx has changed the page since it was loaded.
        page.on(
            "request",
            lambda request: (
                self.swapped.__setitem__(page, True)
                if request.headers.get("hx-request") == "true"
                else None
            ),
        )
        page.on(
            "framenavigated",
            lambda frame: (
                self.swapped.__setitem__(page, False) if frame == page.main_frame else None
            ),
        )
        return page

    def phone(self):
        """A 360x740 phone whose browser asks for English (the portal must not follow)."""
        return self._page(
            {"viewport": PHONE, "locale": "en-US", "is_mobile": True, "has_touch": True}
        )

    def desktop(self):
        return self._page({"viewport": DESKTOP})

    def close(self, *, failed: bool = False):
        """Close every context; after a failure, first keep what each person's page showed."""
        for meter in self.meters.values():
            meter.context.close()
        for number, context in enumerate(self.contexts, start=1):
            if failed:
                for page in context.pages:
                    self.screenshot(page, f"failed-person-{number}")
                    (ARTIFACTS / "html" / f"failed-person-{number}.html").write_text(
                        page.content(), encoding="utf-8"
                    )
            context.close()

    def record(self, page, step: str) -> None:
        """Keep what the page shows now, under ``step`` (numbered in the order of the story)."""
        page.wait_for_load_state("load")
        self.step_count += 1
        name = f"{self.step_count:02d}-{step}"
        self.screenshot(page, name)
        dom = page.content()
        (ARTIFACTS / "html" / f"{name}.html").write_text(dom, encoding="utf-8")
        served = page.context.request.get(page.url, max_redirects=0)
        assert served.status == 200, f"{name}: GET {page.url} answered {served.status}"
        (ARTIFACTS / "source" / f"{name}.html").write_text(served.text(), encoding="utf-8")
        self.documents[f"{name} (served)"] = served.text()
        if self.swapped.get(page):
            self.documents[f"{name} (after htmx)"] = dom

        for violation in page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
                self.violations.append(
                    f"{name} {urlsplit(page.url).path}: {violation['id']} "
                    f"({violation['impact']}) at {targets}"
                )
        if self.options[page].get("is_mobile"):
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > self.options[page]["viewport"]["width"]:
                self.too_wide.append(f"{name}: {width} px wide")
            for hidden in sideways_scrollers(page):
                self.too_wide.append(f"{name}: sideways scroll inside the page at “{hidden}”")
        self._weigh(page, name)

    def _meter(self, options):
        """A page per kind of device that never caches: each load is a first visit."""
        kind = "phone" if options.get("is_mobile") else "desktop"
        if kind not in self.meters:
            context = self.browser.new_context(**options)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            self.meters[kind] = page
        return self.meters[kind]

    def _weigh(self, page, name: str) -> None:
        """Weigh each page once per path, for a visitor and for someone logged in."""
        cookies = page.context.cookies()
        logged_in = any(cookie["name"] == settings.SESSION_COOKIE_NAME for cookie in cookies)
        path = urlsplit(page.url).path
        if (path, logged_in) in self.measured:
            return
        self.measured.add((path, logged_in))
        meter = self._meter(self.options[page])
        meter.context.clear_cookies()
        meter.context.add_cookies(cookies)
        requests = []

        def collect(request):
            requests.append(request)

        meter.on("request", collect)
        try:
            meter.goto(page.url, wait_until="load")
        finally:
            meter.remove_listener("request", collect)
        parts = []
        for request in requests:
            response = request.response()
            # The browser asks for a favicon on its own; the page does not link one.
            if response is None or urlsplit(request.url).path == "/favicon.ico":
                continue
            response.finished()
            label = request.resource_type
            if label != "document":
                label = urlsplit(request.url).path.rsplit("/", 1)[-1]
            parts.append((label, transferred(response)))
        self.weights.append(Weight(name, path, sum(size for _label, size in parts), parts))

    def write_weights(self) -> Path:
        report = ARTIFACTS / "weights.txt"
        lines = [
            "First visit of each page of the journey: bytes transferred, text gzipped at level 6,",
            "headers included; KB = 1024 bytes. Each path once for a visitor, once logged in.",
            "",
            *(weight.line() for weight in self.weights),
        ]
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return report
