"""How fast the city's co-production scorecard answers over a city-sized register.

Run it against a database of its own (it migrates first, and seeds only what is missing, so a
second run goes straight to the timings), for example:

    DATABASE_URL=sqlite:////tmp/rtkeren-scorecard-bench.sqlite3 \\
        .venv/bin/python benchmarks/scorecard.py

    createdb -h 127.0.0.1 -U postgres rtkeren_assessment_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rtkeren_assessment_bench \\
        .venv/bin/python benchmarks/scorecard.py

It seeds the core demo, ``--residents`` residents over the 21 kelurahan (150.000 by default) and
``--rows`` participation ledger rows (300.000) spread over the four stages, then times the city
scorecard, the kelurahan comparison, the city across periods, and each view of the city page
(a whole request, with its Excel export), each the best of ``--repeat`` runs, with the number of
queries each takes.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

BATCH = 5000


def seed(residents: int, rows: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from rtkeren import demo
    from rtkeren.models import RT, Participation, Period, Resident, Stage

    if not Period.objects.exists():
        started = time.perf_counter()
        with transaction.atomic():
            demo.seed_core(stdout=sys.stdout)
        print(f"core demo: {time.perf_counter() - started:.1f} s")
    missing = residents - Resident.objects.count()
    if missing > 0:
        added, seconds = demo.residents_add(count=missing)
        print(f"residents: {added} added in {seconds:.1f} s")
    missing = rows - Participation.objects.count()
    if missing <= 0:
        return
    started = time.perf_counter()
    period = Period.objects.containing(timezone.localdate()).get()
    rt_type = ContentType.objects.get_for_model(RT)
    kelurahan_of = dict(RT.objects.values_list("pk", "rw__kelurahan_id"))
    people = list(Resident.objects.values_list("pk", "rt_id"))
    chance = random.Random(f"scorecard benchmark {len(people)}")
    # Early stages draw more residents than evaluation does, as in the study.
    stages = [Stage.COMMISSIONING] * 4 + [Stage.DESIGNING] * 3 + [Stage.DELIVERY] * 2
    stages += [Stage.ASSESSMENT]
    first = Participation.objects.count()
    batch = []
    for index in range(first, first + missing):
        resident_id, rt_id = chance.choice(people)
        stage = chance.choice(stages)
        batch.append(
            Participation(
                resident_id=resident_id,
                stage=stage,
                kind=f"benchmark_{stage}",
                content_type=rt_type,
                object_id=index,
                period=period,
                rt_id=rt_id,
                kelurahan_id=kelurahan_of[rt_id],
                occurred_on=period.starts_on,
            )
        )
        if len(batch) == BATCH:
            Participation.objects.bulk_create(batch)
            batch = []
    Participation.objects.bulk_create(batch)
    print(f"ledger: {missing} rows added in {time.perf_counter() - started:.1f} s")


def timed(label: str, function, repeat: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    best, queries = float("inf"), 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            best = min(best, time.perf_counter() - started)
        queries = len(captured)
    print(f"{label}: {best * 1000:.0f} ms, {queries} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=150_000)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtkeren.settings.development")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from assessment import scorecard
    from rtkeren.models import Participation, Period, Resident, User

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    seed(arguments.residents, arguments.rows)
    print(
        f"data: {Resident.objects.count()} residents, "
        f"{Participation.objects.count()} ledger rows, {Period.objects.count()} periods"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    period = Period.objects.containing(timezone.localdate()).get()
    periods = list(Period.objects.all())
    city = scorecard.Scope()
    card = scorecard.scorecard(scope=city, period=period)
    print("city:", ", ".join(f"{r.stage.value} {r.participants} ({r.rate}%)" for r in card.stages))
    print(f"base: {card.base} active residents aged 17+")

    repeat = arguments.repeat
    timed("city scorecard", lambda: scorecard.scorecard(scope=city, period=period), repeat)
    timed("kelurahan side by side", lambda: scorecard.compare_kelurahan(period=period), repeat)
    timed("city across periods", lambda: scorecard.across_periods(scope=city, periods=periods), 3)

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username="kota"))
    url = reverse("assessment:scorecard-city")

    def page(query):
        return lambda: client.get(f"{url}?{query}").status_code == 200 or sys.exit(query)

    timed("city page: the scorecard", page("view=card"), repeat)
    timed("city page: kelurahan side by side", page("view=compare"), repeat)
    timed("city page: across periods", page("view=periods"), repeat)
    timed("city page: the scorecard as Excel", page("view=card&export=xlsx"), repeat)
    timed("city page: side by side as Excel", page("view=compare&export=xlsx"), repeat)


if __name__ == "__main__":
    main()
