"""The browser policy: a Content Security Policy without inline script or style, which the
pages honour, and the production settings for cookies, HSTS and the referrer."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories as core
from tests.core.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_page_carries_a_strict_policy(client):
    policy = _policy(client.get("/"))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_error_pages_carry_it_too(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert _policy(response)["script-src"] == ["'self'"]


class InlineFinder(HTMLParser):
    """Collects what a strict policy would block: inline scripts, style elements and
    attributes, event-handler attributes and javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"<{tag} style=...>")
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action"} and (value or "").lower().startswith("javas"):
                self.found.append(f"<{tag} {name}=javascript:...>")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def _inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_finds_what_it_looks_for():
    html = (
        '<p style="color:red">x</p><script>alert(1)</script><button onclick="x()">b</button>'
        '<style>p{}</style><a href="javascript:void(0)">a</a><script src="/s.js"></script>'
    )
    assert len(_inline_parts(html)) == 5


def _simple_paths(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every URL without parameters, outside the admin."""
    paths = []
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(" in route or route.startswith("admin/"):
            continue
        if isinstance(entry, URLPattern):
            paths.append("/" + prefix + route.lstrip("^").rstrip("$"))
        elif isinstance(entry, URLResolver):
            paths.extend(_simple_paths(entry, prefix + route))
    return paths


@pytest.fixture
def people(rt, officer, rt_chair, resident_user):
    return {"anonymous": None, "officer": officer, "rt_chair": rt_chair, "resident": resident_user}


def test_pages_have_no_inline_script_or_style(client, people, rt, period):
    core.ActivityFactory(rt=rt, period=period)
    paths = _simple_paths(get_resolver())
    checked = set()
    problems = []
    for who, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for path in paths:
            if path in {"/accounts/logout/", "/healthz"}:
                continue
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            checked.add(path)
            html = b"".join(response).decode() if response.streaming else response.content.decode()
            problems += [f"{who} {path}: {found}" for found in _inline_parts(html)]

    assert len(checked) > 30
    assert problems == []


def test_templates_have_no_inline_script_or_style():
    problems = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        if "email" in template.parts:
            continue
        text = template.read_text()
        for found in _inline_parts(re.sub(r"{%.*?%}|{{.*?}}", "", text, flags=re.DOTALL)):
            problems.append(f"{template.relative_to(TEMPLATES)}: {found}")
    assert problems == []


def test_htmx_adds_no_style_and_evaluates_nothing():
    base = (TEMPLATES / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
    assert "hx-on" not in "".join(path.read_text() for path in TEMPLATES.rglob("*.html"))


def test_production_sends_secure_cookies_hsts_and_a_referrer_policy():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_REFERRER_POLICY, s.TRUSTED_PROXY_COUNT,"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = manage("shell", "--verbosity=0", "-c", code, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "same-origin",
        "1",
        "[\"'self'\"]",
    ]


def test_production_with_redis_passes_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        REDIS_URL="redis://127.0.0.1:6379/9",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNING" not in result.stderr + result.stdout
