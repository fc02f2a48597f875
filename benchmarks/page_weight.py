"""What a resident's phone downloads for a meeting page, and how long it takes on 3G.

    make page-weight          # or: .venv/bin/python benchmarks/page_weight.py [--profile ...]

Builds the demo data (``manage.py seed_demo``) in a SQLite database of a temporary folder,
collects the static files there with the production storage (hashed names, each with its
``.br`` and ``.gz``), starts gunicorn with the production settings (whitenoise serves the static
files, as in production; plain http on the loopback, so no redirect to https) and drives
Debian's Chromium (Playwright, as the browser tests do: never a downloaded browser) as the demo
resident ``warga`` on a 360 px phone, logged in through the login form.

For the demo meeting page it reports:

- the **first visit** (a phone that has never opened the portal, with the session cookie of the
  login alone): every byte the server sent (counted by a relay between Chromium and gunicorn:
  headers and bodies, compressed as sent; the page's requests, the web app manifest, the service
  worker's script and what the worker fetches to keep for use offline), and each request with
  the bytes Chromium received for it (CDP ``Network.loadingFinished`` ``encodedDataLength``);
- the **repeat visit** (the same phone opening the page again: HTTP cache and service worker);
- the load time (navigation start to the ``load`` event) of both under Chromium's network
  emulation (CDP ``Network.emulateNetworkConditions``), "Regular 3G" by default.
"""

import argparse
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# The browser, its flags and the phone's screen, as the browser tests have them.
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402

BUDGET = 100 * 1024
#: Chrome DevTools' throttling profiles: download and upload in kbit/s, latency in ms.
PROFILES = {
    "regular-3g": (750, 250, 100),
    "good-3g": (1500, 750, 40),
    "slow-3g": (400, 400, 2000),
}
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "rtkeren.settings.production",
    "SECRET_KEY": "rtkeren-page-weight-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "NIK_ENCRYPTION_KEYS": "Bh6N1CzBWQQ6ff_WI_f1Cbm4eTltYCGuWMiGoAFr75w=",
    "NIK_HASH_KEY": "rtkeren-development-nik-hash-key",
    # Plain http on the loopback: no redirect to https, no HSTS. Chromium keeps the Secure
    # session and CSRF cookies for http://localhost, a secure context.
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
}
MEETING_OF_WARGA = """
from django.contrib.auth import get_user_model
from delivery.models import Meeting
user = get_user_model().objects.get(username="warga")
meeting = next(m for m in Meeting.objects.order_by("date", "pk") if user.has_perm(
    "delivery.view_activity", m))
print(meeting.pk)
"""
WAIT_FOR_WORKER = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return registration.active.state;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


REQUEST_LINE = re.compile(rb"^(GET|HEAD|POST) (\S+) HTTP/1\.[01]\r$", re.MULTILINE)


class CountingRelay:
    """A TCP relay that counts the bytes the server sends to the browser and notes the paths
    the browser asks for (its own requests and its service worker's alike)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = 0
        self.asked: list[str] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            browser, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pipe, args=(browser, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, browser, True), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        try:
            while chunk := source.recv(65536):
                with self.lock:
                    if counted:
                        self.received += len(chunk)
                    else:
                        self.asked.extend(m[2].decode() for m in REQUEST_LINE.finditer(chunk))
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def take(self) -> tuple[int, list[str]]:
        """The bytes sent and the paths asked for since the last call."""
        with self.lock:
            received, self.received = self.received, 0
            asked, self.asked = self.asked, []
        return received, asked


@dataclass
class Visit:
    wire_bytes: int = 0
    asked: list[str] = field(default_factory=list)
    load_ms: float = 0.0
    requests: list[dict] = field(default_factory=list)


def prepare(folder: Path) -> tuple[dict, int]:
    env = {
        **os.environ,
        **ENVIRONMENT,
        "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    quiet = {"env": env, "check": True, "cwd": ROOT, "stdout": subprocess.DEVNULL}
    subprocess.run([*manage, "migrate", "--noinput", "--verbosity", "0"], **quiet)
    subprocess.run([*manage, "seed_demo", "--force"], **quiet)
    subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], **quiet)
    found = subprocess.run(
        [*manage, "shell", "--verbosity", "0", "-c", MEETING_OF_WARGA],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return env, int(found.stdout.strip().splitlines()[-1])


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "rtkeren.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer within a minute")


def session_cookies(browser, base: str) -> list[dict]:
    """Log in as the demo resident in a throwaway context; its cookies, for a fresh phone."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "warga")
    page.fill("input[name=password]", "rtkeren-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    cookies = [cookie for cookie in context.cookies() if cookie["name"] == "sessionid"]
    context.close()
    if not cookies:
        sys.exit("logging in as warga failed")
    return cookies


def open_phone(browser, cookies: list[dict]):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_cookies(cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    return context, page, cdp


def conditions(profile: str) -> dict:
    """The parameters of ``Network.emulateNetworkConditions`` (throughputs in bytes a second)."""
    down, up, latency = PROFILES[profile]
    return {
        "offline": False,
        "latency": latency,
        "downloadThroughput": down * 1000 / 8,
        "uploadThroughput": up * 1000 / 8,
    }


def throttle(cdp, profile: str | None) -> None:
    if profile is not None:
        cdp.send("Network.emulateNetworkConditions", conditions(profile))


def visit(page, cdp, relay: CountingRelay, url: str) -> Visit:
    """Open ``url`` and wait until the page, its service worker and the network are done."""
    seen: dict[str, dict] = {}

    def sent(event):
        seen[event["requestId"]] = {
            "url": event["request"]["url"],
            "type": event.get("type", ""),
            "bytes": 0,
        }

    def received(event):
        entry = seen.setdefault(event["requestId"], {"url": "?", "type": "", "bytes": 0})
        entry["from"] = (
            "service worker"
            if event["response"].get("fromServiceWorker")
            else "disk cache"
            if event["response"].get("fromDiskCache")
            else "network"
        )
        entry["encoding"] = {k.lower(): v for k, v in event["response"]["headers"].items()}.get(
            "content-encoding", ""
        )

    def finished(event):
        if event["requestId"] in seen:
            seen[event["requestId"]]["bytes"] = event["encodedDataLength"]

    listeners = {
        "Network.requestWillBeSent": sent,
        "Network.responseReceived": received,
        "Network.loadingFinished": finished,
    }
    for name, listener in listeners.items():
        cdp.on(name, listener)
    relay.take()
    page.goto(url, wait_until="load")
    load_ms = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"
    )
    page.evaluate(WAIT_FOR_WORKER)
    # Chrome on a phone reads the manifest and its icons to offer installing the portal.
    cdp.send("Page.getInstallabilityErrors")
    page.wait_for_load_state("networkidle")
    # The worker's own fetches finish outside the page's network events.
    page.wait_for_timeout(1500)
    for name, listener in listeners.items():
        cdp.remove_listener(name, listener)
    wire_bytes, asked = relay.take()
    requests = [r for r in seen.values() if not r["url"].startswith("data:")]
    return Visit(wire_bytes=wire_bytes, asked=asked, load_ms=load_ms, requests=requests)


def throttle_workers(browser, profile: str | None) -> None:
    """Throttle the service workers too: the page's emulation does not reach the pages the
    worker fetches for it on the repeat visit."""
    if profile is None:
        return
    session = browser.new_browser_cdp_session()
    for target in session.send("Target.getTargets")["targetInfos"]:
        if target["type"] != "service_worker":
            continue
        attached = session.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
        )
        # Playwright's sessions cannot address a worker's own session: the messages travel
        # wrapped, through the browser's session.
        commands = [
            ("Network.enable", {}),
            ("Network.emulateNetworkConditions", conditions(profile)),
        ]
        for number, (method, params) in enumerate(commands, start=1):
            message = json.dumps({"id": number, "method": method, "params": params})
            session.send(
                "Target.sendMessageToTarget",
                {"sessionId": attached["sessionId"], "message": message},
            )


def measure(browser, base: str, meeting_url: str, relay: CountingRelay, profile: str | None):
    cookies = session_cookies(browser, base)
    context, page, cdp = open_phone(browser, cookies)
    throttle(cdp, profile)
    first = visit(page, cdp, relay, meeting_url)
    throttle_workers(browser, profile)
    repeat = visit(page, cdp, relay, meeting_url)
    context.close()
    return first, repeat


def kb(count: float) -> str:
    return f"{count / 1024:.1f} KB"


def report(first: Visit, repeat: Visit, timed: tuple[Visit, Visit], profile: str) -> dict:
    def page_bytes(v: Visit) -> int:
        return sum(r["bytes"] for r in v.requests)

    for name, v in (("first visit", first), ("repeat visit", repeat)):
        print(f"\n{name}: {kb(v.wire_bytes)} sent by the server for {len(v.asked)} requests:")
        print("  " + " ".join(v.asked))
        received = kb(page_bytes(v))
        print(f"  the page's {len(v.requests)} requests, as Chromium received them: {received}")
        for r in v.requests:
            path = "/" + r["url"].split("/", 3)[-1]
            source, encoding = r.get("from", "?"), r.get("encoding") or "-"
            print(f"  {r['bytes']:>8} B  {source:<14} {encoding:<5} {path}")
    down, up, latency = PROFILES[profile]
    print(f"\nload event under {profile} ({down} kbit/s down, {up} up, {latency} ms latency):")
    print(f"  first visit {timed[0].load_ms:.0f} ms, repeat visit {timed[1].load_ms:.0f} ms")
    verdict = "met" if first.wire_bytes < BUDGET else "NOT met"
    print(f"budget {kb(BUDGET)} for the first visit: {verdict}")
    return {
        "first_visit_bytes": first.wire_bytes,
        "first_visit_page_bytes": page_bytes(first),
        "first_visit_requests": len(first.asked),
        "first_visit_page_requests": len(first.requests),
        "repeat_visit_bytes": repeat.wire_bytes,
        "repeat_visit_page_bytes": page_bytes(repeat),
        "repeat_visit_requests": len(repeat.asked),
        "repeat_visit_page_requests": len(repeat.requests),
        "profile": profile,
        "first_visit_load_ms": round(timed[0].load_ms),
        "repeat_visit_load_ms": round(timed[1].load_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="regular-3g")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    arguments = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="rtkeren-weight-") as folder:
        print("building the demo data and the static files ...", file=sys.stderr, flush=True)
        env, meeting = prepare(Path(folder))
        port = free_port()
        server = start_gunicorn(env, port)
        try:
            relay = CountingRelay(port)
            base = f"http://localhost:{relay.port}"
            meeting_url = f"{base}/pelaksanaan/pertemuan/{meeting}/"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                first, repeat = measure(browser, base, meeting_url, relay, None)
                timed = measure(browser, base, meeting_url, relay, arguments.profile)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = report(first, repeat, timed, arguments.profile)
    if arguments.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
