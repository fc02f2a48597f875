"""Real parts for the hardening tests: scratch PostgreSQL databases on the local server, the
portal served by gunicorn, and a TCP proxy in front of PostgreSQL that a test can cut.

These tests always use the PostgreSQL server at 127.0.0.1:5432 (also when the rest of the suite
runs on SQLite), each in databases of its own that it drops at the end; never the suite's
database. CI always has that server; elsewhere the tests skip, loudly, when it is missing.
"""

import contextlib
import http.client
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import pytest
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
HOST = "rtkeren.test"
ORIGIN = f"https://{HOST}"


def pg_admin():
    """A connection to the server's maintenance database, or a skip (a failure on CI)."""
    try:
        connection = psycopg2.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
        )
    except psycopg2.OperationalError as error:
        message = f"POSTGRESQL NOT REACHABLE at {PG_HOST}:{PG_PORT}: {error}".strip()
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    connection.autocommit = True
    return connection


def database_url(name: str, *, port: int = PG_PORT) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{port}/{name}"


def create_database(name: str, *, template: str | None = None) -> None:
    with contextlib.closing(pg_admin()) as admin, admin.cursor() as cursor:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        cursor.execute(statement)


def drop_database(name: str) -> None:
    with contextlib.closing(pg_admin()) as admin, admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def scratch_name(purpose: str) -> str:
    return f"rtkeren_hardening_{purpose}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


@contextlib.contextmanager
def scratch_database(purpose: str, *, template: str | None = None):
    name = scratch_name(purpose)
    create_database(name, template=template)
    try:
        yield name
    finally:
        drop_database(name)


def portal_env(database: str, *, port: int = PG_PORT, **extra: str) -> dict[str, str]:
    """The environment of a production deployment (see README), on a scratch database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.hardening.served_settings",
            "SECRET_KEY": "hardening-test-secret-key-that-is-long-enough-for-the-check-50",
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": ORIGIN,
            "NIK_ENCRYPTION_KEYS": "Bh6N1CzBWQQ6ff_WI_f1Cbm4eTltYCGuWMiGoAFr75w=",
            "NIK_HASH_KEY": "hardening-test-nik-hash-key",
            "DATABASE_URL": database_url(database, port=port),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The portal, served.


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Browser:
    """A minimal client as a phone behind the TLS proxy would be: keeps its cookies (which are
    Secure, so a cookie jar would not send them over the test's plain HTTP) and sends the
    headers the proxy adds."""

    port: int
    address: str = "203.0.113.10"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Response:
        headers = {
            **(headers or {}),
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Origin": ORIGIN,
            "Referer": ORIGIN + path,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if "expires=Thu, 01 Jan 1970" in value or cookie_value in {"", '""'}:
                        self.cookies.pop(cookie_name, None)
                    else:
                        self.cookies[cookie_name] = cookie_value
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, text)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert found, f"no CSRF token on {path} ({page.status})"
        return found.group(1)

    def post(self, path: str, form: dict | None = None, *, token_from: str | None = None):
        token = self.csrf_token(token_from or path)
        return self.request("POST", path, {**(form or {}), "csrfmiddlewaretoken": token})

    def log_in(self, username: str, password: str) -> Response:
        return self.post("/accounts/login/", {"username": username, "password": password})


class Gunicorn:
    """``gunicorn rtkeren.wsgi`` as the README deploys it, on a port of its own."""

    def __init__(self, env: dict[str, str], *, port: int | None = None, workers: int = 2):
        self.port = port or free_port()
        self.log = open(  # noqa: SIM115 (closed in stop)
            f"/tmp/rtkeren-hardening-gunicorn-{self.port}.log", "w"
        )
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "rtkeren.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            with contextlib.suppress(OSError):
                Browser(self.port, timeout=5).get("/healthz")
                return
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer on {self.port}:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()[-5000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# A proxy in front of PostgreSQL that a test can cut.


class TcpProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL. ``cut()`` drops every open connection and
    refuses new ones, as a database host that went away; ``restore()`` lets them through."""

    def __init__(self, upstream: tuple[str, int] = (PG_HOST, PG_PORT)):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while self.running:
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _events in selector.select(timeout=1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for end in (client, server):
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self) -> None:
        self.open = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    end.close()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.running = False
        self.cut()
        self.listener.close()
        self.thread.join(timeout=5)
