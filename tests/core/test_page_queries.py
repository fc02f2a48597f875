"""Every main page (those ``make bench`` measures) takes a fixed number of queries, at most 15,
the same on the demo data and once the city's data is added around it: a page whose queries grow
with the rows it shows would fail here before it is slow in production.

The pages and their URLs are the benchmark's own (``benchmarks/bench.py``): the objects the
demo accounts see that carry the most. Each page is asked once first (per-process caches), then
counted with the shared caches emptied, as the first reader after a write would be.
"""

import io

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

#: Each page's queries, exactly.
PINNED = {
    "home: resident": 13,
    "home: RT chair": 15,
    "home: officer": 14,
    "potentials list": 9,
    "proposal list (by fit)": 7,
    "proposal page": 13,
    "voting round": 9,
    "activity page (delivery)": 11,
    "evaluation page": 14,
    "scorecard: kelurahan": 11,
    "scorecard: city": 12,
    "public page": 15,
}


def _queries() -> dict[str, int]:
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
        counts[page.name] = len(queries)
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

    assert (demo[name], city[name]) == (PINNED[name], PINNED[name])
    assert PINNED[name] <= MAX_QUERIES


def test_every_main_page_is_pinned():
    assert set(PINNED) == {page.name for page in PAGES} - {"bare view"}
