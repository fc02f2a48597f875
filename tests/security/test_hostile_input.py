"""Hostile input to every form: hypothesis posts dictionaries of the form's own fields (read from
the rendered pages) filled with very long strings, unicode, HTML and script, SQL fragments, NUL
bytes, negative and huge numbers, impossible dates, repeated values, missing and extra fields.

For every post: never a 500; a refused post leaves every table as it was; text that was stored
comes back escaped on the pages that show it."""

import logging
import re

import pytest
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtkeren.exports import all_exports
from rtkeren.models import User
from tests.security import forms as form_scan
from tests.security.crawler import Crawl
from tests.security.expectations import EXPECTATIONS
from tests.security.world import build_world, table_snapshot

pytestmark = pytest.mark.django_db

# Per form (URL name of a view that takes a POST), the account that may use it on the home
# object. A form missing here fails the test below: each new form is attacked from day one.
FORM_ACCOUNTS = {
    "language-set": "warga",
    "login": "visitor",
    "logout": "warga",
    "account-register": "visitor",
    "account-profile": "warga",
    "calendar-feed-create": "warga",
    "calendar-feed-revoke": "warga",
    "account-code-redeem": "visitor",
    "account-code-phone": "visitor",
    "account-code-issue": "ketua_rt",
    "verification-verify": "ketua_rt",
    "verification-reject": "ketua_rt",
    "verification-nik-check": "ketua_rt",
    "password_change": "warga",
    "password_reset": "visitor",
    "password_reset_confirm": "visitor",
    "resident-import": "petugas",
    "resident-import-run": "petugas",
    "resident-list": "petugas",
    "resident-nik-reveal": "petugas",
    "resident-status-change": "ketua_rt",
    "notification-read-all": "warga",
    "notification-read": "warga",
    "notification-preferences": "warga",
    "outbound-message-retry": "petugas",
    # Meta's delivery reports: refused without the signature, whatever is posted.
    "whatsapp-webhook": "visitor",
    "activity-transition": "petugas",
    "consent-change": "warga",
    "correction-request": "warga",
    "deletion-request-create": "warga",
    "deletion-request-complete": "petugas",
    "commissioning:potential-create": "warga",
    "commissioning:potential-update": "petugas",
    "commissioning:potential-endorse": "warga",
    "commissioning:potential-unendorse": "warga",
    "commissioning:potential-merge": "petugas",
    "commissioning:potential-archive": "petugas",
    "commissioning:forum-create": "petugas",
    "commissioning:forum-update": "petugas",
    "commissioning:forum-cancel": "petugas",
    "commissioning:forum-attendance": "petugas",
    "commissioning:forum-attendance-submit": "petugas",
    "commissioning:forum-minutes": "petugas",
    "commissioning:forum-priorities": "petugas",
    "designing:proposal-create": "ketua_rt",
    "designing:proposal-update": "ketua_rt",
    "designing:proposal-status": "ketua_rt",
    "designing:proposal-review": "petugas",
    "designing:comment-create": "warga",
    "designing:comment-hide": "petugas",
    "designing:comment-restore": "petugas",
    "designing:round-create": "petugas",
    "designing:vote-create": "warga",
    "designing:vote-delete": "warga",
    "designing:round-announce": "petugas",
    "designing:round-update": "petugas",
    "designing:round-cancel": "petugas",
    "designing:proposal-shares": "petugas",
    "delivery:activity-transition": "ketua_rt",
    "delivery:meeting-create": "ketua_rt",
    "delivery:implementer-list": "ketua_rt",
    "delivery:output-create": "ketua_rt",
    "delivery:committee": "ketua_rt",
    "delivery:spending-list": "ketua_rt",
    "delivery:meeting-update": "ketua_rt",
    "delivery:meeting-attendance": "ketua_rt",
    "delivery:meeting-attendance-submit": "ketua_rt",
    "delivery:meeting-checkin": "warga",
    "delivery:photo-create": "ketua_rt",
    "delivery:implementer-delete": "ketua_rt",
    "delivery:output-update": "ketua_rt",
    "delivery:task-done": "ketua_rt",
    "assessment:evaluation-edit": "warga",
    "assessment:evaluation-submit": "warga",
    "assessment:evaluation-record": "ketua_rt",
    "assessment:evaluation-update": "petugas",
    "assessment:followup-create": "petugas",
    "assessment:followup-update": "petugas",
    "assessment:round-create": "petugas",
    "assessment:round-attendance": "petugas",
    "assessment:round-close": "petugas",
    "assessment:scorecard-thresholds": "admin",
}
# Views whose successful answer is a page rather than a redirect, and which write while
# answering (an audited NIK reveal, a one-time code).
ANSWER_WITH_A_PAGE = {"resident-nik-reveal", "account-code-issue"}
# Where what a form stored is shown again, per kind of the object it was posted about.
SHOWN_ON = {
    "activity": ["activity-detail", "delivery:activity-detail"],
    "proposal": ["designing:proposal-detail", "activity-detail"],
    "wide_proposal": ["designing:proposal-detail", "activity-detail"],
    "delivered_activity": ["assessment:evaluation-summary"],
    "potential": ["commissioning:potential-detail"],
    "forum": ["commissioning:forum-detail"],
    "meeting": ["delivery:meeting-detail"],
    "voting_round": ["designing:round-detail"],
    "evaluation_round": ["assessment:round-detail"],
    "followup": ["assessment:followup-detail"],
    "output": [],
    "evaluation": [],
}
ALSO_SHOWN_ON = [
    "home",
    "account-profile",
    "commissioning:potential-list",
    "commissioning:forum-list",
    "designing:proposal-list",
    "designing:round-list",
    "delivery:task-list",
    "assessment:followup-list",
    "assessment:round-list",
    "notification-list",
    "data-saya",
    "own-data",
]

MARKUP = [
    "<script>alert('rtkeren-xss')</script>",
    '"><img src=x onerror=alert("rtkeren-xss")>',
    "<svg/onload=alert('rtkeren-xss')>",
    "</textarea><script>alert('rtkeren-xss')</script>",
    "javascript:alert('rtkeren-xss')//",
    "{{ request.user.password }}{% debug %}",
]
RAW_MARKUP = re.compile(
    r"<script>alert\('rtkeren-xss'\)|<img src=x onerror|<svg/onload|href=\"javascript:"
)
SQL = [
    "' OR '1'='1",
    "1; DROP TABLE rtkeren_resident; --",
    '" OR 1=1 --',
    "%' AND 1=0 UNION SELECT username, password FROM rtkeren_user --",
    "\\",
    "%_%",
]
ODD = [
    "",
    " ",
    "\x00",
    "nul\x00byte",
    "\u202eevil",
    "\ufeff",
    "😀" * 50,
    "ꦧꦭꦶꦠꦂ",
    "-1",
    "0",
    "-9223372036854775809",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "0x1F",
    "1,5",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "25:61",
    "true",
    "null",
    "[]",
    "{}",
]

hostile_text = st.one_of(
    st.sampled_from(MARKUP + SQL + ODD),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=80),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=1_000, max_value=120_000).map(lambda n: "Ǳ<" * (n // 2)),
)


def field_values(options: set[str]):
    """A legit value now and then, so that hostile ones also reach the deeper checks."""
    hostile = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
    if options:
        return st.one_of(st.sampled_from(sorted(options)), hostile)
    return hostile


def payloads(fields: dict[str, set[str]]):
    """A POST body: each field present or missing, plus a few fields the form does not have."""
    present = {
        name: st.one_of(st.none(), field_values(options)) for name, options in fields.items()
    }
    extra = st.dictionaries(
        st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), min_size=1, max_size=12),
        hostile_text,
        max_size=2,
    )
    return st.tuples(st.fixed_dictionaries(present), extra).map(
        lambda both: {
            **{k: v for k, v in both[1].items() if k not in fields},
            **{k: v for k, v in both[0].items() if v is not None},
        }
    )


@pytest.fixture(scope="module")
def setting(seeded, django_db_blocker):
    """The world, the crawler's URL building and every form found on the pages of the home
    scope, read once for the module."""
    with django_db_blocker.unblock():
        world = build_world()
        names = [export.name for export in all_exports()]
        world.home["export_name"] = world.foreign["export_name"] = names
        crawl = Crawl(world)
        found: dict = {}
        # Forms live on HTML pages: files, codes and print-outs hold none.
        pages = [
            name
            for name, expect in EXPECTATIONS.items()
            if expect.get and not re.search(r"export|print|qr|template|lpj|healthz", name)
        ]
        for account in sorted(set(FORM_ACCOUNTS.values())):
            client = crawl.client(account)
            for name in pages:
                for url in crawl.urls_for(EXPECTATIONS[name], name, world.home)[:1]:
                    response = client.get(url)
                    if response.status_code == 200 and "html" in response.get("Content-Type"):
                        form_scan.merge(found, form_scan.forms_on(url, response.text))
        yield world, crawl, found


def test_every_form_has_a_legit_account():
    forms = {name for name, expect in EXPECTATIONS.items() if expect.post}
    unknown = sorted(forms - set(FORM_ACCOUNTS))
    assert not unknown, "\n".join(f"no hostile-input entry for form {name}" for name in unknown)
    assert not set(FORM_ACCOUNTS) - forms, "entries for forms that no longer exist"


def _refused(response) -> bool:
    if response.status_code not in (301, 302, 303):
        return True
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    levels = {message.level for message in queued}
    return message_levels.ERROR in levels and message_levels.SUCCESS not in levels


FIGURES = {"posts": 0, "forms": 0, "accepted": 0, "pages_checked": 0}


@pytest.mark.parametrize("name", sorted(FORM_ACCOUNTS))
def test_hostile_posts_are_absorbed(setting, name, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    world, crawl, found = setting
    expect = EXPECTATIONS[name]
    account = FORM_ACCOUNTS[name]
    [url, *_others] = crawl.urls_for(expect, name, world.home)
    fields = found.get(url.split("?")[0], {})
    FIGURES["forms"] += 1
    shown_on = [
        reverse(route, kwargs={"pk": world.home[kind].pk})
        for kind in expect.kwargs.values()
        for route in SHOWN_ON.get(kind, [])
    ] + [reverse(route) for route in ALSO_SHOWN_ON]

    def attack(body):
        client = Client(raise_request_exception=False)
        if account != "visitor":
            client.force_login(world.users[account])
        with transaction.atomic():
            before = table_snapshot()
            response = client.post(url, body)
            FIGURES["posts"] += 1
            assert response.status_code != 500, f"500 for {body!r}: {response.exc_info}"
            after = table_snapshot()
            changed = {table for table in before if before[table] != after[table]}
            if _refused(response) and name not in ANSWER_WITH_A_PAGE:
                assert not changed, f"a refused post changed {changed}: {body!r}"
            if response.status_code == 200:
                assert not RAW_MARKUP.search(response.text), "markup echoed unescaped"
            if changed:
                FIGURES["accepted"] += 1
                location = response.headers.get("Location", "")
                pages = [location] if location.startswith("/") else []
                for page in pages + shown_on:
                    shown = client.get(page)
                    FIGURES["pages_checked"] += 1
                    assert shown.status_code != 500, f"{page} answered 500 after {body!r}"
                    if shown.status_code == 200 and not getattr(shown, "streaming", False):
                        assert not RAW_MARKUP.search(shown.content.decode()), (
                            f"{page} shows stored markup unescaped after {body!r}"
                        )
            transaction.set_rollback(True)

    # First a few bodies every form gets: markup in every free field with legit choices
    # elsewhere (accepted by any form that takes text), then the same hostile value in every
    # field; then what hypothesis draws.
    attack({name: sorted(options)[0] if options else MARKUP[0] for name, options in fields.items()})
    for value in ("nul\x00byte", "9223372036854775808", "-1", ["1", "2"]):
        attack(dict.fromkeys(fields, value))
    settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])(
        given(body=payloads(fields))(attack)
    )()


@pytest.mark.parametrize(
    ("name", "field", "username"),
    [
        ("designing:proposal-create", "interests", "ketua_rt"),
        ("commissioning:potential-create", "interests", "warga"),
        ("designing:round-create", "proposals", "petugas"),
    ],
)
def test_an_id_too_large_for_any_database_column_is_a_form_error(
    seeded, client, name, field, username
):
    """SQLite cannot bind a number beyond 64 bits in the list of chosen ids."""
    client.force_login(User.objects.get(username=username))

    response = client.post(reverse(name), {field: ["1", "9223372036854775808"]})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        "“9223372036854775808” bukan nilai yang valid."
    ]


def test_report_the_figures(capsys):
    with capsys.disabled():
        print(
            f"\nhostile input: {FIGURES['posts']} posts to {FIGURES['forms']} forms, "
            f"{FIGURES['accepted']} accepted, {FIGURES['pages_checked']} pages re-read"
        )
