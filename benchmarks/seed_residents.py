"""How long ``seed_demo --residents N`` takes, and where the time goes.

Run it against a database of its own (it migrates first), for example:

    DATABASE_URL=sqlite:////tmp/rtkeren-bench.sqlite3 \\
        .venv/bin/python benchmarks/seed_residents.py 150000

    createdb -h 127.0.0.1 -U postgres rtkeren_demo_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rtkeren_demo_bench \\
        .venv/bin/python benchmarks/seed_residents.py 150000

It prints the time of the base demo, of drawing N residents in memory, of encrypting N NIKs, and
of the whole ``--residents N`` run (drawing, encrypting and inserting with history rows).
"""

import argparse
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("residents", type=int, nargs="?", default=150_000)
    arguments = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtkeren.settings.development")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from rtkeren import demo, nik
    from rtkeren.models import RT, Resident

    count = arguments.residents
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    call_command("seed_demo", "--force")
    print(f"base demo: {time.perf_counter() - started:.1f} s")

    rts = list(RT.objects.select_related("rw__kelurahan")[:30])
    population = demo.Population("benchmark")
    started = time.perf_counter()
    people = []
    while len(people) < count:
        people.extend(population.household(rts[len(people) % len(rts)], "357202"))
    drawing = time.perf_counter() - started
    print(f"drawing {len(people)} residents in memory: {drawing:.1f} s")

    started = time.perf_counter()
    for person in people[:count]:
        nik.encrypt_nik(person.nik)
    encrypting = time.perf_counter() - started
    print(f"encrypting {count} NIKs: {encrypting:.1f} s ({encrypting / count * 1e6:.0f} µs each)")
    del people

    before = Resident.objects.count()
    started = time.perf_counter()
    call_command("seed_demo", "--force", "--residents", str(count))
    total = time.perf_counter() - started
    added = Resident.objects.count() - before
    print(
        f"seed_demo --residents {count}: {total:.1f} s for {added} residents "
        f"({added / total:.0f} per second); {Resident.objects.count()} residents in all"
    )


if __name__ == "__main__":
    main()
