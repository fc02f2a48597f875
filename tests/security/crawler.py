"""The access-control crawler: every route x every demo account (and a visitor) x a home and a
foreign object, checked against the expectations table."""

import functools
import inspect
import io
import re
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security import expectations as ex
from tests.security.rebuild import Exposure
from tests.security.urlmap import Route
from tests.security.world import (
    ACCOUNTS,
    CITY_ACCOUNTS,
    PAKUNDEN_ACCOUNTS,
    VISITOR,
    World,
    table_snapshot,
)

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
# The same role on the other side: what petugas may do with a Blitar object, petugas2 may do
# with the Pakunden one; their outcome there is not a leak, so it is only checked for 500s.
MIRRORS = PAKUNDEN_ACCOUNTS


def outcome_of(response) -> str:
    status = response.status_code
    if status >= 500:
        return ex.ERROR
    if status in (401, 403, 404):
        return ex.DENIED
    if status == 405:
        return ex.NOT_ALLOWED
    if status in (400, 409, 429):
        return ex.REFUSED
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        if location.startswith(LOGIN_PATHS):
            return ex.LOGIN
        return ex.OK
    return ex.OK


def content_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def body_of(data: bytes) -> bytes:
    """The text a person would receive; an Excel workbook is unpacked to its XML."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as workbook:
            data = b"".join(workbook.read(name) for name in workbook.namelist())
    return data


def _voter_mentions(text: str, secret: dict[str, str]):
    """The table row or list item around each mention of the voter (or 500 characters either
    side when there is none): the choice named there would be their ballot."""
    pattern = rf"{re.escape(secret['name'])}|\b{re.escape(secret['username'])}\b"
    for match in re.finditer(pattern, text):
        start = max(text.rfind("<tr", 0, match.start()), text.rfind("<li", 0, match.start()))
        ends = [
            i for i in (text.find("</tr>", match.end()), text.find("</li>", match.end())) if i >= 0
        ]
        if start < 0 or not ends:
            start, end = match.start() - 500, match.end() + 500
        else:
            end = min(ends)
        yield text[max(start, 0) : end]


@functools.cache
def _module_reads_htmx(module_name: str) -> bool:
    module = sys.modules.get(module_name)
    try:
        return "HX-Request" in inspect.getsource(module)
    except (OSError, TypeError):
        return False


def answers_htmx(route: Route) -> bool:
    """Whether the route's view may answer an htmx request with a fragment of its own (its
    module reads the HX-Request header): the crawler then asks for that answer too."""
    view = route.view_class or route.callback
    return _module_reads_htmx(getattr(view, "__module__", ""))


@dataclass
class Finding:
    request: str
    problem: str

    def __str__(self):
        return f"{self.request}: {self.problem}"


@dataclass
class Crawl:
    world: World
    findings: list[Finding] = field(default_factory=list)
    figures: Counter = field(default_factory=Counter)
    routes_checked: set[str] = field(default_factory=set)
    clients: dict[str, Client] = field(default_factory=dict)
    observed: dict = field(default_factory=dict)
    scope_of: dict = field(default_factory=dict)
    seconds: Counter = field(default_factory=Counter)
    exposure: Exposure | None = None

    def __post_init__(self):
        self.exposure = Exposure(self.world)

    def client(self, account: str) -> Client:
        if account not in self.clients:
            client = Client(raise_request_exception=False)
            if account != VISITOR:
                client.force_login(self.world.users[account])
            self.clients[account] = client
        return self.clients[account]

    # What a response may show.

    def _leaks(self, label: str, account: str, body: bytes, *, revealed: int | None) -> None:
        own = self.world.own_resident.get(account)
        found = self.world.full_niks_in(body)
        shown = found - {own, revealed}
        self.figures["nik_checks"] += 1
        # Proof that the search sees a NIK where one may be shown.
        self.figures["own_nik_shown"] += own in found
        self.figures["revealed_nik_shown"] += revealed is not None and revealed in found
        if shown:
            self.findings.append(Finding(label, f"shows the full NIK of residents {sorted(shown)}"))
        secret = self.world.secret_vote
        if account == secret["username"]:
            return
        text = body.decode("utf-8", errors="replace")
        self.figures["ballot_checks"] += 1
        for where in _voter_mentions(text, secret):
            self.figures["voter_named"] += 1
            if label.split(" ")[1].startswith("designing:") or secret["choice"] in where:
                self.findings.append(
                    Finding(label, "names a voter on a page about what they voted for")
                )
                return

    def request(
        self, method: str, account: str, url: str, route_name: str, *, revealed=None, htmx=False
    ) -> str:
        label = f"{method.upper()} {route_name} {url} as {account}"
        client = self.client(account)
        self.figures["requests"] += 1
        started = time.perf_counter()
        response = client.get(url) if method == "get" else client.post(url, {})
        self.seconds[route_name] += time.perf_counter() - started
        result = outcome_of(response)
        if result == ex.ERROR:
            exc = getattr(response, "exc_info", None)
            detail = repr(exc[1]) if exc else ""
            self.findings.append(Finding(label, f"answered {response.status_code} {detail}"))
            return result
        # Error pages too: a refusal must not tell what it refuses.
        data = content_of(response)
        self._leaks(label, account, body_of(data), revealed=revealed)
        self.exposure.observe(account=account, label=label, url=url, data=data)
        if htmx and method == "get" and response.status_code == 200:
            # The same page asked for by htmx: some views answer with a fragment of their own.
            fragment = client.get(url, headers={"HX-Request": "true"})
            self.figures["requests"] += 1
            if fragment.status_code >= 500:
                self.findings.append(Finding(f"{label} (htmx)", f"answered {fragment.status_code}"))
            else:
                fragment_data = content_of(fragment)
                self._leaks(f"{label} (htmx)", account, body_of(fragment_data), revealed=revealed)
                self.exposure.observe(
                    account=account, label=f"{label} (htmx)", url=url, data=fragment_data
                )
        return result

    def post_unchanged(self, account: str, url: str, route_name: str, *, revealed=None) -> str:
        """POST an empty body and roll it back; a refused POST must leave every table as it was."""
        with transaction.atomic():
            before = table_snapshot()
            result = self.request("post", account, url, route_name, revealed=revealed)
            if result in (ex.DENIED, ex.LOGIN, ex.NOT_ALLOWED, ex.REFUSED):
                after = table_snapshot()
                changed = {k for k in before if before[k] != after[k]}
                if changed:
                    self.findings.append(
                        Finding(f"POST {url} as {account}", f"refused but changed {changed}")
                    )
            transaction.set_rollback(True)
        # A POST may end the session (logout) or start another one (login): log in again.
        user = self.world.users.get(account)
        session_user = self.clients[account].session.get("_auth_user_id")
        if session_user != (str(user.pk) if user else None):
            del self.clients[account]
        return result

    # The walk.

    def urls_for(self, expect: ex.Expect, name: str, scope: dict) -> list[str]:
        """The URLs of ``name`` for the objects of ``scope``; a kind holding a list (every
        export) gives one URL per item. Empty when the scope has no object of a needed kind."""
        urls = [("", {})]
        for kwarg, kind in expect.kwargs.items():
            if kind.startswith("="):
                values = [kind[1:]]
            elif kind in scope:
                value = scope[kind]
                values = value if isinstance(value, list) else [value]
            else:
                return []
            urls = [
                (q, {**kw, kwarg: v if isinstance(v, str) else v.pk})
                for q, kw in urls
                for v in values
            ]
        query = expect.query
        if query:
            kinds = re.findall(r"{(\w+)}", query)
            if any(kind not in scope for kind in kinds):
                return []
            query = query.format(**{kind: scope[kind].pk for kind in kinds})
        return [reverse(name, kwargs=kw) + query for _q, kw in urls]

    def expected(
        self, expect: ex.Expect, account: str, *, foreign: bool, method: str
    ) -> set[str] | None:
        """The outcomes allowed for ``account``; None when only a 500 or a leak would be wrong."""
        if account == VISITOR:
            return {expect.visitor} | expect.also
        allowed = expect.allowed
        if method == "post" and expect.writers is not None:
            allowed = expect.writers
        if foreign and expect.foreign_allowed is not None:
            allowed = expect.foreign_allowed
        elif foreign and not expect.unscoped:
            if account in MIRRORS:
                return None
            allowed = allowed & CITY_ACCOUNTS
        if account in allowed:
            return {ex.OK} | expect.also
        return {ex.DENIED} | expect.also

    def _has_foreign(self, expect: ex.Expect) -> bool:
        kinds = [k for k in expect.kwargs.values() if not k.startswith("=")]
        kinds += re.findall(r"{(\w+)}", expect.query)
        return any(kind in self.world.foreign for kind in kinds)

    def check(self, route: Route, expect: ex.Expect) -> None:
        self.routes_checked.add(route.name)
        scopes = [(self.world.home, False)]
        if self._has_foreign(expect):
            scopes.append((self.world.foreign, True))
        htmx = answers_htmx(route)
        for account in (*ACCOUNTS, VISITOR):
            for scope, foreign in scopes:
                revealed = scope["resident"].pk if route.name == "resident-nik-reveal" else None
                for url in self.urls_for(expect, route.name, scope):
                    self.figures["combinations"] += 1
                    label = f"{route.name} {url} as {account}"
                    self.scope_of[label] = "foreign" if foreign else "home"
                    got = self.request("get", account, url, route.name, htmx=htmx)
                    if expect.get:
                        wanted = self.expected(expect, account, foreign=foreign, method="get")
                        self._compare(label, "GET", got, wanted)
                    elif got not in (ex.NOT_ALLOWED, ex.LOGIN, ex.DENIED, ex.ERROR):
                        self.findings.append(
                            Finding(f"GET {label}", f"a POST-only view answered GET with {got}")
                        )
                    if expect.post:
                        got = self.post_unchanged(account, url, route.name, revealed=revealed)
                        wanted = self.expected(expect, account, foreign=foreign, method="post")
                        self._compare(label, "POST", got, wanted)

    def _compare(self, label, method, got, wanted) -> None:
        self.observed[(label, method)] = (self.scope_of.get(label), got)
        if got == ex.ERROR or wanted is None:
            return
        if got not in wanted:
            self.findings.append(
                Finding(f"{method} {label}", f"expected {'/'.join(sorted(wanted))}, got {got}")
            )


ADMIN_SITE_VIEWS = {
    "admin:index": (),
    "admin:login": (),
    "admin:logout": (),
    "admin:password_change": (),
    "admin:password_change_done": (),
    "admin:autocomplete": (),
    "admin:jsi18n": (),
    "admin:view_on_site": ("content_type", "object"),
    "admin:app_list": ("app_label",),
}
MODEL_ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history", "simple_history")
# Extra views a model admin adds.
MODEL_ADMIN_EXTRA = {"admin:auth_user_password_change": "rtkeren_user"}


def admin_models() -> dict[str, type]:
    from django.contrib import admin

    return {
        f"{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry
    }


def _model_admin_view(name: str) -> tuple[str, str]:
    """("rtkeren_resident", "simple_history") from "admin:rtkeren_resident_simple_history"."""
    short = name.removeprefix("admin:")
    for view in sorted(MODEL_ADMIN_VIEWS, key=len, reverse=True):
        if short.endswith(f"_{view}"):
            return short.removesuffix(f"_{view}"), view
    return short, ""


def has_admin_rule(route: Route) -> bool:
    """Whether the crawler knows what a pattern of the admin site is (without the database)."""
    models = admin_models()
    name = route.name
    if name in ADMIN_SITE_VIEWS or name in MODEL_ADMIN_EXTRA:
        return True
    if name.startswith("admin:"):
        key, view = _model_admin_view(name)
        return key in models and view in MODEL_ADMIN_VIEWS
    parts = route.route.split("/")
    return route.route == "admin/(?P<url>.*)$" or (
        route.route.endswith("<path:object_id>/") and f"{parts[1]}_{parts[2]}" in models
    )


def admin_urls(route: Route) -> list[str] | None:
    """The URLs to request for a pattern of the admin site, or None for a pattern the crawler
    has no rule for."""
    from django.contrib.contenttypes.models import ContentType

    models = admin_models()
    name = route.name
    if name in ADMIN_SITE_VIEWS:
        if name == "admin:app_list":
            labels = sorted({model._meta.app_label for model in models.values()})
            return [reverse(name, kwargs={"app_label": label}) for label in labels]
        if name == "admin:view_on_site":
            model = models["rtkeren_activity"]
            obj = model._default_manager.order_by("pk").first()
            content_type = ContentType.objects.get_for_model(model)
            return [reverse(name, args=[content_type.pk, obj.pk])]
        return [reverse(name)]
    if name.startswith("admin:"):
        if name in MODEL_ADMIN_EXTRA:
            key, view = MODEL_ADMIN_EXTRA[name], "change"
        else:
            key, view = _model_admin_view(name)
            if key not in models or view not in MODEL_ADMIN_VIEWS:
                return None
            if view in ("changelist", "add"):
                return [reverse(name)]
        obj = models[key]._default_manager.order_by("pk").first()
        if obj is None:
            return []
        if view == "simple_history":
            history = obj.history.order_by("pk").first()
            return [reverse(name, args=[obj.pk, history.history_id])]
        return [reverse(name, args=[obj.pk])]
    # Unnamed patterns: a model admin's old-style object URL (a redirect), and the catch-all.
    parts = route.route.split("/")
    if route.route.endswith("<path:object_id>/") and f"{parts[1]}_{parts[2]}" in models:
        obj = models[f"{parts[1]}_{parts[2]}"]._default_manager.order_by("pk").first()
        return [f"/admin/{parts[1]}/{parts[2]}/{obj.pk}/"] if obj else []
    if route.route == "admin/(?P<url>.*)$":
        return ["/admin/no-such-page/"]
    return None


def check_admin(crawl: Crawl, route: Route) -> bool:
    """Only the administrator passes; everyone else is sent to the admin's login page. False
    when the crawler has no rule for the pattern."""
    if not route.route.startswith("admin/") or not has_admin_rule(route):
        return False
    urls = admin_urls(route)
    crawl.routes_checked.add(route.name)
    for url in urls:
        for account in (*ACCOUNTS, VISITOR):
            crawl.figures["combinations"] += 1
            got = crawl.request("get", account, url, route.name)
            # The login and logout pages and the JavaScript catalogue show no data.
            if account == "admin" or url.endswith(("/login/", "/logout/", "/jsi18n/")):
                continue
            if got not in (ex.LOGIN, ex.NOT_ALLOWED, ex.DENIED):
                crawl.findings.append(
                    Finding(f"GET {url} as {account}", f"admin page answered {got}, not login")
                )
    return True
