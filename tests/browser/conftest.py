"""Playwright for Python driving Debian's Chromium against pytest-django's live server.

The browser is never downloaded: it must be at /usr/bin/chromium (``apt-get install chromium``),
or at ``CHROMIUM_PATH``. Without it the browser tests are skipped and the run says so; on CI
(``CI`` set) a missing browser is an error instead.
"""

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, answering one request at a time when it shares the test's
    SQLite database in memory: that is one connection for every thread, so two requests at once
    (a page's own requests, a service worker syncing by itself) would interleave their
    transactions, and one's rollback or commit would take the other's savepoints with it. On
    PostgreSQL each request has its own connection, as in production, and nothing is held."""
    if live_server.thread.connections_override:
        httpd = live_server.thread.httpd
        httpd.set_app(one_request_at_a_time(httpd.get_app()))
    return live_server


def one_request_at_a_time(app):
    """``app`` run under a lock, its response read and closed inside it (a streamed export
    reads the database while it is sent)."""
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            response = app(environ, start_response)
            try:
                return list(response)
            finally:
                if hasattr(response, "close"):
                    response.close()

    return serialised


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def phone_page(browser, live_server):
    """A page on a 360x740 phone whose browser asks for English (the portal must not follow)."""
    context, page = _page(browser, PHONE, locale="en-US", is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, live_server):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a screenshot under test-artifacts/screenshots/<test name>/<step>.png."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, step: str) -> Path:
        path = folder / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def installed_phone(browser, live_server, tmp_path):
    """A phone with a profile of its own: Chromium does not offer to install a web app in an
    incognito context, which a new browser context is."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()
