"""How long the resident import takes for a large file: the check (dry run) and the import.

Run it against a database of its own (it migrates and seeds the core demo when missing):

    DATABASE_URL=sqlite:////tmp/rtkeren-import-bench.sqlite3 \\
        .venv/bin/python benchmarks/import_residents.py

    createdb -h 127.0.0.1 -U postgres rtkeren_import_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rtkeren_import_bench \\
        .venv/bin/python benchmarks/import_residents.py

It writes a CSV of ``--rows`` residents (10.000 by default) for the demo officer's kelurahan, up
to a tenth of them updates of residents already there, checks it and imports it, printing the
time and the number of queries of each step. The residents it adds are removed afterwards, so
every run measures the same work.
"""

import argparse
import csv
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path


def build_file(*, kelurahan, rows: int) -> bytes:
    from rtkeren.models import RT, Resident
    from rtkeren.services.imports import COLUMNS

    rts = list(RT.objects.filter(rw__kelurahan=kelurahan).select_related("rw"))
    existing = list(Resident.objects.in_kelurahan(kelurahan).verified()[: rows // 10])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in COLUMNS])
    for resident in existing:
        writer.writerow(
            [
                resident.reveal_nik(),
                resident.name,
                resident.birth_date.strftime("%d-%m-%Y"),
                resident.sex,
                resident.rt.rw.number,
                resident.rt.number,
                "",
                resident.address,
                "",
                "Wiraswasta" if resident.occupation != "Wiraswasta" else "Pedagang",
            ]
        )
    chooser = random.Random(7)
    born = datetime.date(1950, 1, 1)
    for serial in range(rows - len(existing)):
        # A kecamatan code no demo resident has, so every one of these rows is new.
        birth_date = born + datetime.timedelta(days=serial // 9000)
        sex = chooser.choice("LP")
        day = birth_date.day + (40 if sex == "P" else 0)
        nik = f"357299{day:02d}{birth_date:%m%y}{serial % 9000 + 1:04d}"
        rt = chooser.choice(rts)
        writer.writerow(
            [
                nik,
                f"Warga Impor {serial}",
                birth_date.strftime("%d-%m-%Y"),
                sex,
                rt.rw.number,
                rt.number,
                "",
                f"Jl. Mawar No. {serial % 200 + 1}",
                f"0812{serial:08d}",
                "Pedagang",
            ]
        )
    return buffer.getvalue().encode()


def timed(label: str, function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s, {len(queries)} queries")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    arguments = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtkeren.settings.development")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from rtkeren import demo
    from rtkeren.models import Period, Resident, User
    from rtkeren.services import imports as service

    call_command("migrate", verbosity=0)
    if not Period.objects.exists():
        with transaction.atomic():
            demo.seed_core(stdout=sys.stdout)
    officer = User.objects.get(username="petugas")
    kelurahan = officer.assignments.get().kelurahan
    content = build_file(kelurahan=kelurahan, rows=arguments.rows)
    print(f"{connection.vendor}, {arguments.rows} rows, {len(content) / 1e6:.1f} MB of CSV")
    # The worker's steps are called here directly, so the queue and its worker stay out of the
    # measurement (the tasks the upload and the confirmation queue are removed afterwards).
    job = service.import_job_create(
        officer=officer, kelurahan=kelurahan, file_name="bench.csv", content=content
    )
    timed("check (dry run)", lambda: service.import_job_check(job_id=job.pk))
    job.refresh_from_db()
    print(f"  plan: {job.plan['counts']}")
    started = Resident.objects.count()
    service.import_job_confirm(officer=officer, job=job, fingerprint=job.fingerprint)
    timed(
        "import (checked again, then written)",
        lambda: service.import_job_apply(job_id=job.pk, fingerprint=job.fingerprint),
    )
    job.refresh_from_db()
    print(f"  added {Resident.objects.count() - started}, updated {job.updated_count}")
    DBTaskResult.objects.filter(task_path__startswith="rtkeren.tasks.resident_import").delete()
    Resident.objects.filter(name__startswith="Warga Impor ").delete()
    job.delete()


if __name__ == "__main__":
    main()
