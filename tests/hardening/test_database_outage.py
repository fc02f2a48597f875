"""With the database unreachable the portal answers a clear 503 page (and /healthz says so);
when the database is back it recovers by itself, without a restart.

The portal runs in gunicorn with the production settings, keeping its connections
(CONN_MAX_AGE with health checks), and reaches PostgreSQL through a TCP proxy the test cuts:
never the shared server's own availability.
"""

import json
import time

import pytest
from django.db import InterfaceError, OperationalError

from rtkeren.views import public
from tests.hardening import support

PAGES = ["/publik/", "/kegiatan/", "/accounts/profil/", "/"]
UNAVAILABLE = "Portal sedang tidak dapat diakses sementara"


@pytest.fixture
def portal_behind_proxy(demo_template):
    proxy = support.TcpProxy()
    with support.scratch_database("outage", template=demo_template) as name:
        env = support.portal_env(name, port=proxy.port, CONN_MAX_AGE="60")
        server = support.Gunicorn(env, workers=2)
        try:
            server.wait_until_up()
            yield server, proxy
        finally:
            server.stop()
            proxy.close()


def _logged_in(port: int) -> support.Browser:
    browser = support.Browser(port)
    assert browser.log_in("petugas", "rtkeren-demo").status == 302
    for page in PAGES:
        assert browser.get(page).status == 200, page
    return browser


def test_outage_gives_503_and_the_portal_recovers_without_restart(portal_behind_proxy):
    server, proxy = portal_behind_proxy
    officer = _logged_in(server.port)
    visitor = support.Browser(server.port)
    assert visitor.get("/healthz").status == 200
    login_token = visitor.csrf_token("/accounts/login/")

    proxy.cut()
    started = time.monotonic()
    answers = [officer.get(page) for page in PAGES * 4] + [visitor.get("/publik/")]
    attempt = visitor.request(
        "POST",
        "/accounts/login/",
        {"username": "warga", "password": "rtkeren-demo", "csrfmiddlewaretoken": login_token},
    )
    health = visitor.get("/healthz")
    slowest_outage_answer = time.monotonic() - started

    assert [answer.status for answer in answers] == [503] * len(answers)
    for answer in answers:
        assert UNAVAILABLE in answer.body
        assert "Silakan coba lagi beberapa menit lagi" in answer.body
        assert answer.headers["retry-after"] == "30"
        assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert attempt.status == 503
    assert UNAVAILABLE in attempt.body
    assert health.status == 503
    assert json.loads(health.body) == {"status": "error", "database": "unreachable"}
    assert slowest_outage_answer < 30
    assert "Internal Server Error" not in server.output()

    proxy.restore()
    restored = time.monotonic()
    while officer.get("/publik/").status != 200:
        assert time.monotonic() - restored < 30, "the portal did not recover within 30 s"
        time.sleep(0.1)
    recovery = time.monotonic() - restored

    after = [officer.get(page).status for page in PAGES * 6]
    assert after == [200] * len(after)
    assert support.Browser(server.port).get("/healthz").status == 200
    assert server.process.poll() is None
    print(
        f"\ndatabase outage: {len(answers) + 2} requests during the cut, all 503 "
        f"({slowest_outage_answer:.2f} s for all); recovered {recovery:.2f} s after the "
        f"database returned, then {len(after)} of {len(after)} requests 200, no restart"
    )


# The same answers in process, without a server: which errors become the 503 page.


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_connection_gives_the_503_page(client, monkeypatch, error):
    def fail(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(public.KelurahanPublicListView, "get", fail)
    client.raise_request_exception = False

    response = client.get("/publik/")

    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_other_errors_keep_the_500_page(client, monkeypatch):
    def fail(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(public.KelurahanPublicListView, "get", fail)
    client.raise_request_exception = False

    response = client.get("/publik/")

    assert response.status_code == 500
    assert UNAVAILABLE not in response.content.decode()
