"""Where each main page's time goes, on the city data set (``make profile``).

    .venv/bin/python benchmarks/profile_pages.py [--requests 30] [--only <text>] [--top 25]

Needs the databases ``benchmarks/bench.py`` builds (run ``make bench`` once). Each page of
``bench.PAGES`` is asked ``--requests`` times through Django's test client with the production
settings (no server, no network), as the demo account it is for, after one request that fills
the per-process caches. For each page it prints the time per request, split into the time spent
waiting for PostgreSQL, the time rendering templates (outside the queries they run), and the
rest (views, forms, middleware); the number of queries; and, for the slowest page (or each page
``--only`` names), the functions with the most time of their own, from cProfile (in a second
round of requests: its own cost would blur the times).

``--fresh-scorecard`` times instead the city's scorecard read right after a write in one
kelurahan, against the whole city counted in one pass (``--requests`` rounds).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402


class Clock:
    """Time spent in SQL and in template rendering, the latter without the SQL it runs."""

    def __init__(self):
        self.sql = 0.0
        self.templates = 0.0
        self.queries = 0
        self._depth = 0
        self._sql_in_templates = 0.0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.sql += spent
            self.queries += 1
            if self._depth:
                self._sql_in_templates += spent

    @contextmanager
    def rendering(self):
        self._depth += 1
        started = time.perf_counter()
        sql_before = self._sql_in_templates
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                sql = self._sql_in_templates - sql_before
                self.templates += time.perf_counter() - started - sql


def profile(requests: int, only: str, top: int) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.template.backends.django import Template
    from django.test import Client

    from rtkeren.models import User

    clock = Clock()
    render = Template.render

    def timed_render(self, *args, **kwargs):
        with clock.rendering():
            return render(self, *args, **kwargs)

    Template.render = timed_render
    urls = bench.page_urls()
    pages = [page for page in bench.PAGES if page.name != "bare view" and only in page.name]
    rows, profiles = [], {}
    for page in pages:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        if page.persona:
            client.force_login(User.objects.get(username=page.persona))
        url = urls[page.name]
        client.get(url)
        cache.clear()
        client.get(url)
        clock.__init__()
        with connection.execute_wrapper(clock.execute):
            started = time.perf_counter()
            for _ in range(requests):
                response = client.get(url)
                assert response.status_code == 200, (page.name, response.status_code)
            total = time.perf_counter() - started
        each = 1000 / requests
        rows.append(
            {
                "page": page.name,
                "ms": total * each,
                "sql": clock.sql * each,
                "templates": clock.templates * each,
                "other": (total - clock.sql - clock.templates) * each,
                "queries": clock.queries / requests,
            }
        )
        # Profiled apart: cProfile's own cost would blur the times above.
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(url)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
        profiles[page.name] = text.getvalue()
    print(json.dumps({"rows": rows, "profiles": profiles}))


def fresh_scorecard(rounds: int) -> None:
    """The city's scorecard read right after a write in one kelurahan (its version changed:
    that kelurahan's figures are counted again, the others' come from the cache), against the
    whole city counted in one pass; milliseconds, the median and the slowest of ``rounds``."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from assessment import scorecard
    from rtkeren.models import Kelurahan, Period
    from rtkeren.scopecache import _bump, _kelurahan_key

    period = Period.objects.containing(timezone.localdate()).get()
    city = scorecard.Scope()
    kelurahan_ids = list(Kelurahan.objects.order_by("pk").values_list("pk", flat=True))
    scorecard.scorecard(scope=city, period=period)
    fresh, one_pass, queries = [], [], 0
    for index in range(rounds):
        _bump([_kelurahan_key(kelurahan_ids[index % len(kelurahan_ids)])])
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            scorecard.scorecard(scope=city, period=period)
        fresh.append((time.perf_counter() - started) * 1000)
        queries = max(queries, len(captured))
        started = time.perf_counter()
        scorecard._card_figures(city, period)
        one_pass.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "fresh": sorted(fresh),
                "one_pass": sorted(one_pass),
                "queries": queries,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", default="", help="Only the pages whose name holds this text.")
    parser.add_argument("--top", type=int, default=25, help="Functions listed per profile.")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--fresh-scorecard",
        action="store_true",
        help="Time the city's scorecard right after a write in one kelurahan instead.",
    )
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inside and arguments.fresh_scorecard:
        return fresh_scorecard(arguments.requests)
    if arguments.inside:
        return profile(arguments.requests, arguments.only, arguments.top)
    found = bench.run_inside_city(__file__, arguments.redis)
    if arguments.fresh_scorecard:
        for name, label in (
            ("fresh", "after a write, from the kelurahan's"),
            ("one_pass", "in one pass"),
        ):
            times = found[name]
            print(
                f"city scorecard {label}: median {times[len(times) // 2]:.1f} ms, "
                f"slowest {times[-1]:.1f} ms ({len(times)} rounds)"
            )
        print(f"queries after a write: {found['queries']}")
        return
    print(f"{arguments.requests} requests a page, Django's test client, {os.cpu_count()} CPUs\n")
    print("| page | ms a request | SQL ms | templates ms | other ms | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in found["rows"]:
        print(
            f"| {row['page']} | {row['ms']:.1f} | {row['sql']:.1f} | {row['templates']:.1f} "
            f"| {row['other']:.1f} | {row['queries']:g} |"
        )
    shown = (
        found["profiles"]
        if arguments.only
        else {
            slowest["page"]: found["profiles"][slowest["page"]]
            for slowest in [max(found["rows"], key=lambda row: row["ms"])]
        }
    )
    for name, text in shown.items():
        print(f"\n## {name}\n\n{text}")


if __name__ == "__main__":
    main()
