"""Every page of the demo, as a visitor, a resident, an RT chair and an officer reach it, is valid
HTML by the Nu HTML checker; so are forms shown again with their errors, and the error pages. The
same pages serve the checks on scrolling tables.

The pages are found by following each persona's links from the home page, a few pages per view,
so a new page is checked as soon as something links to it. Pages no link leads to (forms shown
again with errors, error pages, pages reached through a form) are listed by hand, and a floor of
views that must be reached keeps a broken link from quietly shrinking the check.
"""

import re
from collections import Counter
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.views.defaults import server_error

from assessment.demo import TITLE as EVALUATED_ACTIVITY
from commissioning.demo import HELD_FORUM
from commissioning.models import Forum
from delivery.models import Meeting
from designing.demo import OPEN_ROUND
from designing.models import VotingRound
from rtkeren.models import Activity, ActivityStatus, Kelurahan, Period, User
from tests.core.test_form_errors import FormErrors
from tests.core.test_imports import csv_file, nik, row
from tests.html_check import describe, html_errors

pytestmark = pytest.mark.django_db

CRAWLING = [None, "warga", "ketua_rt", "petugas"]
PAGES_PER_VIEW = 3
# Links out of the HTML pages (admin, downloads, images), that only switch the language, or end
# the session.
NOT_FOLLOWED = {
    "admin",
    "logout",
    "language-set",
    "export-download",
    "designing:budgetplan-download",
    "resident-import-template",
    "delivery:meeting-qr",
}
# The crawl must reach at least these views: a shrinking crawl fails here, not silently.
REACHED = {
    "home",
    "login",
    "account-register",
    "password_reset",
    "public-kelurahan",
    "public-spending",
    "privacy-notice",
    "notification-list",
    "notification-preferences",
    "data-saya",
    "own-data",
    "account-profile",
    "resident-list",
    "resident-detail",
    "verification-list",
    "activity-list",
    "activity-detail",
    "report-rt",
    "report-activity",
    "commissioning:potential-list",
    "commissioning:potential-detail",
    "commissioning:potential-create",
    "commissioning:forum-list",
    "commissioning:forum-detail",
    "designing:proposal-list",
    "designing:proposal-detail",
    "designing:proposal-create",
    "designing:round-list",
    "designing:round-detail",
    "designing:budgetplan-list",
    "delivery:activity-list",
    "delivery:activity-detail",
    "delivery:meeting-detail",
    "delivery:task-list",
    "assessment:evaluation-list",
    "assessment:evaluation-summary",
    "assessment:evaluation-edit",
    "assessment:followup-list",
    "assessment:followup-detail",
    "assessment:scorecard-kelurahan",
    "assessment:scorecard-rt",
    "audit-nik-reveals",
    "audit-exports",
    "resident-import-detail",
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return "admin" if "admin" in match.namespaces else match.view_name


def _client(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def _crawl(username: str | None, pages: dict[str, str], views: Counter) -> None:
    """Follow the links of ``username`` from the home page, ``PAGES_PER_VIEW`` pages per view."""
    client = _client(username)
    who = username or "visitor"
    queue, queued, per_view = ["/"], {"/"}, Counter()
    while queue:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        # Links a persona may follow but not open are other tests' business.
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        landed = response.wsgi_request.get_full_path()
        pages[f"{who} GET {landed}"] = html = response.content.decode()
        views[_view_name(response.wsgi_request.path)] += 1
        parser = _Links()
        parser.feed(html)
        for href in parser.hrefs:
            parts = urlsplit(urljoin(url, href))
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.scheme or parts.netloc or path in queued:
                continue
            view = _view_name(parts.path)
            if view is None or view in NOT_FOLLOWED or per_view[view] >= PAGES_PER_VIEW:
                continue
            per_view[view] += 1
            queued.add(path)
            queue.append(path)


def _by_hand() -> list[tuple[str | None, str, str, dict | None, int]]:
    """(who, method, url, posted data, expected status) of the pages no link leads to."""
    blitar = Kelurahan.objects.get(code="35.72.02.1002")
    evaluated = Activity.objects.get(title=EVALUATED_ACTIVITY)
    held = Forum.objects.get(title=HELD_FORUM)
    proposed = Activity.objects.filter(kelurahan=blitar, status=ActivityStatus.PROPOSED).first()
    open_round = VotingRound.objects.get(title=OPEN_ROUND)
    meeting = Meeting.objects.filter(activity__kelurahan=blitar).first()
    period = Period.objects.filter(is_open=True).order_by("-year").first()
    pages = [
        (None, "GET", "/tidak-ada/", None, 404),
        (None, "GET", reverse("password_reset_done"), None, 200),
        (None, "GET", reverse("password_reset_complete"), None, 200),
        (None, "GET", reverse("password_reset_confirm", args=["MQ", "set-password"]), None, 200),
        (None, "POST", reverse("login"), {"username": "warga", "password": "salah"}, 200),
        (None, "POST", reverse("account-register"), {"nik": "123"}, 200),
        (None, "POST", reverse("account-code-redeem"), {"code": "x"}, 200),
        (None, "POST", reverse("account-code-phone"), {"phone": "x"}, 200),
        ("warga", "GET", reverse("audit-nik-reveals"), None, 403),
        ("warga", "GET", reverse("designing:round-detail", args=[open_round.pk]), None, 200),
        (
            "warga",
            "GET",
            reverse("delivery:meeting-checkin", args=[meeting.pk, "bukan-kode"]),
            None,
            400,
        ),
        ("warga", "POST", reverse("designing:proposal-create"), {"title": ""}, 200),
        ("warga", "POST", reverse("commissioning:potential-create"), {"title": ""}, 200),
        ("warga", "POST", reverse("assessment:evaluation-edit", args=[evaluated.pk]), {}, 200),
        ("warga", "POST", reverse("password_change"), {"old_password": "x"}, 200),
        # WhatsApp chosen without its consent: refused, the boxes shown as ticked.
        (
            "warga",
            "POST",
            reverse("notification-preferences"),
            {"enabled": ["forum:bell", "forum:whatsapp"]},
            200,
        ),
        ("petugas", "GET", reverse("deletion-request-list"), None, 200),
        ("admin", "GET", reverse("assessment:scorecard-thresholds", args=[period.pk]), None, 200),
        ("petugas", "POST", reverse("commissioning:forum-create"), {"title": ""}, 200),
        ("petugas", "POST", reverse("designing:round-create"), {"title": ""}, 200),
        ("petugas", "POST", reverse("assessment:round-create"), {}, 200),
        ("petugas", "POST", reverse("assessment:followup-create", args=[evaluated.pk]), {}, 200),
        (
            "admin",
            "POST",
            reverse("assessment:scorecard-thresholds", args=[period.pk]),
            {"commissioning": "200"},
            200,
        ),
        ("kota", "GET", reverse("assessment:scorecard-city"), None, 200),
        # A file checked before its import: one row that will do, one that will not.
        (
            "petugas",
            "POST",
            reverse("resident-import"),
            {"kelurahan": blitar.pk, "file": csv_file([row(nik(9001)), row("123")])},
            200,
        ),
    ]
    for name in ["forum-attendance", "forum-minutes", "forum-priorities", "forum-print-minutes"]:
        pages.append(
            ("petugas", "GET", reverse(f"commissioning:{name}", args=[held.pk]), None, 200)
        )
    pages.append(
        ("petugas", "GET", reverse("designing:proposal-detail", args=[proposed.pk]), None, 200)
    )
    return pages


@pytest.fixture(scope="module")
def pages(seeded, django_db_blocker) -> tuple[dict[str, str], Counter]:
    """The HTML of every page checked, by "who METHOD url", and how many pages each view gave."""
    documents: dict[str, str] = {}
    views: Counter = Counter()
    with django_db_blocker.unblock():
        for username in CRAWLING:
            _crawl(username, documents, views)
        clients = {}
        for who, method, url, data, status in _by_hand():
            client = clients.setdefault(who, _client(who))
            send = partial(client.post, data=data, follow=True) if method == "POST" else client.get
            response = send(url)
            assert response.status_code == status, f"{who} {method} {url}"
            documents[f"{who or 'visitor'} {method} {url}"] = response.content.decode()
            views[_view_name(response.wsgi_request.path)] += 1
        request = Client().get("/").wsgi_request
        documents["server error"] = server_error(request).content.decode()
    return documents, views


def test_the_pages_cover_every_stage_and_persona(pages):
    documents, views = pages

    assert set(views) >= REACHED, sorted(REACHED - set(views))
    assert len(documents) > 150
    for who in ["visitor", "warga", "ketua_rt", "petugas"]:
        assert sum(name.startswith(f"{who} ") for name in documents) >= 5, who


def test_every_page_is_valid_html(pages):
    documents, _views = pages

    errors = html_errors(documents)

    assert not errors, describe(errors)


class _ScrollingTables(HTMLParser):
    """The attributes of every ``.table-responsive`` wrapper, and every id of the document."""

    def __init__(self):
        super().__init__()
        self.wrappers: list[dict[str, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if "table-responsive" in (attributes.get("class") or "").split():
            self.wrappers.append(attributes)


def test_every_scrolling_table_takes_keyboard_focus_and_has_a_name(pages):
    documents, _views = pages
    problems, wrappers = [], 0

    for name, html in documents.items():
        parser = _ScrollingTables()
        parser.feed(html)
        for wrapper in parser.wrappers:
            wrappers += 1
            labelled_by = (wrapper.get("aria-labelledby") or "").split()
            named = bool((wrapper.get("aria-label") or "").strip()) or (
                bool(labelled_by) and all(ref in parser.ids for ref in labelled_by)
            )
            if wrapper.get("tabindex") != "0" or wrapper.get("role") != "region" or not named:
                problems.append(f"{name}: {wrapper}")

    assert wrappers > 50
    assert not problems, "\n".join(problems)


def test_every_invalid_field_of_the_forms_shown_again_is_described(pages):
    documents, _views = pages
    invalid, problems = 0, []

    for name, html in documents.items():
        page = FormErrors(html)
        invalid += len(page.invalid)
        problems += [f"{name}: {problem}" for problem in page.problems()]

    assert invalid >= 20
    assert not problems, "\n".join(problems)


BAR_CHART = re.compile(r'<ul class="bar-chart"([^>]*)>(.*?)</ul>', re.DOTALL)
BAR_VALUE = re.compile(r'<span class="bar-value">([^<]*)</span>')
TABLE = re.compile(r"<table.*?</table>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def test_every_chart_is_hidden_behind_a_table_of_its_numbers(pages):
    """Bars are drawn for the eye only; a screen reader gets the same numbers from a table."""
    documents, _views = pages
    charts, problems = 0, []

    for name, html in documents.items():
        tables = " ".join(TAG.sub(" ", table) for table in TABLE.findall(html))
        for attributes, chart in BAR_CHART.findall(html):
            charts += 1
            if 'aria-hidden="true"' not in attributes:
                problems.append(f"{name}: a chart is not hidden from screen readers")
            values = [value.strip() for value in BAR_VALUE.findall(chart)]
            missing = [value for value in values if value != "–" and value not in tables]
            if not values or missing:
                problems.append(f"{name}: no table gives {missing or 'the chart'}")

    assert charts >= 5
    assert not problems, "\n".join(problems)
