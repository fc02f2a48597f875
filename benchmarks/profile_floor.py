"""What every page pays before its own work: "the floor" (docs/performance.md).

    .venv/bin/python benchmarks/profile_floor.py [--requests 200] [--rounds 5] [--top 30]

Asks the privacy notice (``/privasi/``: the base template, the middleware and the context
processors around three small queries) and the bare view (``/bench/ok``: the middleware alone)
through Django's test client with the production settings on ``rtkeren_city`` (run ``make
bench`` once), sessions and caches in Redis (``--redis``), as the resident ``warga`` and as a
visitor. Each person's browser holds what a real one would: a session made directly in the
session store (nothing else is written to the database) and the CSRF cookie.

For each path and person, ``--rounds`` rounds of ``--requests`` requests: the time per request
(the median of the rounds), its SQL queries, and then, profiled apart (cProfile's own cost
would blur the times), the function calls per request and the functions with the most time of
their own and in all.
"""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402

PATHS = ["/privasi/", "/bench/ok"]
PERSONAS = ["warga", ""]


def measure(requests: int, rounds: int, top: int, paths: list[str], dump: str) -> dict:
    import django

    django.setup()
    from importlib import import_module

    import traffic
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from rtkeren.models import User

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    found = []
    for persona in PERSONAS:
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="10.0.0.1")
        if persona:
            user = User.objects.get(username=persona)
            client.cookies[settings.SESSION_COOKIE_NAME] = traffic.session_for(user, store_class)
        for path in paths:
            # The first requests fill the per-process caches and give the browser its cookies.
            for _ in range(3):
                response = client.get(path)
                assert response.status_code == 200, (path, persona, response.status_code)
            times, queries = [], 0

            def count(execute, sql, params, many, context):
                nonlocal queries
                queries += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                for _ in range(rounds):
                    started = time.perf_counter()
                    for _ in range(requests):
                        client.get(path)
                    times.append((time.perf_counter() - started) * 1000 / requests)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                client.get(path)
            profiler.disable()
            if dump:
                name = f"{path.strip('/').replace('/', '_')}-{persona or 'visitor'}.prof"
                profiler.dump_stats(Path(dump) / name)
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("tottime").print_stats(top)
            stats.sort_stats("cumulative").print_stats(top)
            found.append(
                {
                    "path": path,
                    "persona": persona or "visitor",
                    "ms": statistics.median(times),
                    "rounds": times,
                    "queries": queries / (requests * rounds),
                    "calls": stats.total_calls / requests,
                    "profile": text.getvalue(),
                }
            )
    return {"rows": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=30, help="Functions listed per profile.")
    parser.add_argument("--path", action="append", help="Paths to ask (default: both).")
    parser.add_argument("--profiles", action="store_true", help="Print the profiles too.")
    parser.add_argument("--dump", default="", help="A folder to write the cProfile files to.")
    arguments, result = bench.measured_inside_city(
        __file__,
        parser,
        lambda given: measure(
            given.requests, given.rounds, given.top, given.path or PATHS, given.dump
        ),
    )
    rows = result["rows"]
    print(
        f"{arguments.rounds} rounds of {arguments.requests} requests, Django's test client, "
        "production settings, rtkeren_city\n"
    )
    print("| path | as | ms a request (median) | rounds | calls a request | queries |")
    print("|---|---|---:|---|---:|---:|")
    for row in rows:
        rounds = " ".join(f"{ms:.2f}" for ms in row["rounds"])
        print(
            f"| {row['path']} | {row['persona']} | {row['ms']:.2f} | {rounds} "
            f"| {row['calls']:.0f} | {row['queries']:g} |"
        )
    if arguments.profiles:
        for row in rows:
            print(f"\n## {row['path']} as {row['persona']}\n\n{row['profile']}")


if __name__ == "__main__":
    main()
