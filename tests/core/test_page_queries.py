"""Every main page (those ``make bench`` measures) takes a fixed number of queries, at most 15,
the same on the demo data and once the city's data is added around it: a page whose queries grow
with the rows it shows would fail here before it is slow in production.

The pages and their URLs are the benchmark's own (``benchmarks/bench.py``): the objects the
demo accounts see that carry the most. Each page is asked once first (per-process caches), then
counted with the shared caches emptied, as the first reader after a write would be.
"""

import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.bench import PAGES, page_urls
from rtkeren.models import User

MAX_QUERIES = 15
SCALE = "0.001"

#: Each page's queries, exactly, by the table each reads first. A logged-in page starts with the
#: session, the account and the account's roles (from the cache on a person's later requests),
#: and reads the notification bell's count.
PINNED = {
    # the resident's entry (who they act as, which also shows they have data of their own);
    # every count of the attention list in one query (upcoming forums first).
    "home: resident": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_notification",
        "rtkeren_resident",
        "commissioning_forum",
    ),
    # the same; the chair's counts start with the RT's registrations waiting for verification.
    "home: RT chair": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_notification",
        "rtkeren_resident",
        "rtkeren_resident",
    ),
    # every count of the attention list in one query, over the kelurahan (its registrations
    # waiting for verification first).
    "home: officer": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_notification",
        "rtkeren_resident",
    ),
    # the page of potentials with their count, endorsements and the list's length in one query
    # (an officer's one kelurahan is known from their roles); the RT filter.
    "potentials list": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "commissioning_endorsement",
        # the city's places the rows name (``rtkeren.places``: once after a change)
        "rtkeren_kelurahan",
        "rtkeren_notification",
        "rtkeren_rt",
    ),
    # the page of proposals with their fit, budget and the list's length in one query; the
    # city's places; the periods of the filter.
    "proposal list (by fit)": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_budgetline",
        "rtkeren_kelurahan",
        "rtkeren_notification",
        "rtkeren_period",
    ),
    # the proposal (its first FROM the budget's subquery), the city's places, budget lines (the
    # proposal's and the RT's committed), interests, origins, the round, comments (a page of
    # threads with their number, their replies).
    "proposal page": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_budgetline",
        "rtkeren_kelurahan",
        "rtkeren_budgetline",
        "rtkeren_interest",
        "designing_proposalorigin",
        "designing_votinground",
        "designing_comment",
        "designing_comment",
        "rtkeren_notification",
    ),
    # the round; a page of its proposals with fit, budget and their number in one query; the
    # city's places; the voter's entry, their votes.
    "voting round": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "designing_votinground",
        "rtkeren_budgetline",
        "rtkeren_kelurahan",
        "rtkeren_resident",
        "designing_vote",
        "rtkeren_notification",
    ),
    # the activity with its spending and budget added up; outputs; a page of meetings with their
    # attendance and their number; photos; implementers.
    "activity page (delivery)": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "delivery_spending",
        "delivery_output",
        "delivery_attendance",
        "delivery_meetingphoto",
        "delivery_implementer",
        "rtkeren_notification",
    ),
    # the activity, with when it was delivered (its first FROM, a subquery of the timeline);
    # evaluations (the comments' first FROM, their follow-ups counted per row), follow-ups,
    # scores and criteria; the unfinished outputs.
    "evaluation page": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_activitytransition",
        "assessment_followup",
        "assessment_followup",
        "assessment_score",
        "assessment_evaluation",
        "assessment_criterion",
        "assessment_evaluation",
        "assessment_followup",
        "delivery_output",
        "rtkeren_notification",
    ),
    # the kelurahan, the period, the base and the ledger (with the evaluations) counted once per
    # write, follow-ups, outputs.
    "scorecard: kelurahan": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_kelurahan",
        "rtkeren_period",
        "rtkeren_baseentry",
        # The ledger per stage and the evaluations per side, in one query.
        "rtkeren_participation",
        "assessment_followup",
        "delivery_output",
        "rtkeren_notification",
    ),
    # the period and kelurahan, base and ledger per kelurahan, movers counted twice, evaluations,
    # follow-ups, outputs.
    "scorecard: city": (
        "django_session",
        "rtkeren_user",
        "rtkeren_roleassignment",
        "rtkeren_period",
        "rtkeren_kelurahan",
        "rtkeren_baseentry",
        "rtkeren_participation",
        "assessment_evaluation",
        "rtkeren_baseentry",
        "assessment_followup",
        "delivery_output",
        "rtkeren_notification",
    ),
    # no account: the kelurahan, periods, and each stage's section (rounds and votes, outputs,
    # scorecard, follow-ups).
    "public page": (
        "rtkeren_kelurahan",
        "rtkeren_period",
        "rtkeren_activity",
        # the city's places the rows name (``rtkeren.places``: once after a change)
        "rtkeren_kelurahan",
        "rtkeren_activity",
        # A page of the closed rounds, its voters counted in a subquery (read first).
        "designing_vote",
        "rtkeren_activity",
        "designing_vote",
        "designing_votinground",
        # A page of the trainings with the outputs' totals over the whole year (their sums
        # per activity, in subqueries, read first), then the page's outputs.
        "delivery_output",
        "delivery_output",
        # The follow-ups (their owners' roles in a subquery, read first), then the residents'
        # names found in their text, to blank them.
        "rtkeren_roleassignment",
        "rtkeren_resident",
        "rtkeren_baseentry",
        # The ledger per stage and the evaluations per side, in one query.
        "rtkeren_participation",
    ),
}


def _table(sql: str) -> str:
    """The table a query reads first (its first FROM), or its verb for a write. A select read
    through a cursor (``iterator()`` on PostgreSQL) counts as the select, and so does a union
    (PostgreSQL's starts with a parenthesis)."""
    found = re.search(r'\bFROM "?(\w+)"?', sql)
    verb = sql.lstrip("(").split()[0].upper()
    if verb not in ("SELECT", "DECLARE"):
        return f"{verb} {found.group(1) if found else '?'}"
    return found.group(1) if found else sql[:40]


def _queries() -> dict[str, list[str]]:
    urls = page_urls()
    counts = {}
    for page in PAGES:
        if page.name == "bare view":
            continue
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        if page.persona:
            client.force_login(User.objects.get(username=page.persona))
        client.get(urls[page.name])
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls[page.name])
        assert response.status_code == 200, page.name
        counts[page.name] = [_table(query["sql"]) for query in queries]
    return counts


@pytest.fixture(scope="module")
def counted(django_db_setup, django_db_blocker):
    """The counts on the demo data, then with the city's data (a thousandth) added."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, stdout=io.StringIO())
        demo = _queries()
        call_command("seed_city", "--scale", SCALE, "--no-demo", "--force", stdout=io.StringIO())
        city = _queries()
        yield demo, city
        transaction.set_rollback(True)
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(PINNED))
def test_a_main_page_takes_its_pinned_queries_on_the_demo_and_the_city(counted, name):
    demo, city = counted

    assert (demo[name], city[name]) == (list(PINNED[name]), list(PINNED[name]))
    assert len(PINNED[name]) <= MAX_QUERIES


def test_every_main_page_is_pinned():
    assert set(PINNED) == {page.name for page in PAGES} - {"bare view"}
