"""The resident import runs in the background worker: the upload and the confirmation only
store and queue, the page shows how far the worker got and reloads itself until it is done."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rtkeren.models import ImportJob, Resident
from rtkeren.services import imports as service
from rtkeren.services.imports import read as reading
from rtkeren.services.imports import write as writing
from tests.core.test_email_notifications import DATABASE_TASKS, run_worker
from tests.core.test_imports import HEADERS, csv_file, last_job, nik, row

pytestmark = pytest.mark.django_db


def post(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def test_the_upload_returns_before_the_file_is_read_and_the_worker_checks_it(
    client, officer, kelurahan, rt, settings, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    read = []
    real_read = service.import_file_read
    monkeypatch.setattr(
        writing, "import_file_read", lambda **kwargs: read.append(1) or real_read(**kwargs)
    )
    client.force_login(officer)

    response = post(
        client,
        reverse("resident-import"),
        {"kelurahan": kelurahan.pk, "file": csv_file([row(nik(1)), row(nik(2))])},
    )

    job = last_job()
    assert response.status_code == 302
    assert read == [], "the request read the file"
    assert job.status == ImportJob.Status.WAITING
    assert job.plan == {}
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "rtkeren.tasks.resident_import_check"
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}
    page = client.get(response["Location"]).content.decode()
    assert "Menunggu pemeriksaan" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert f'href="{reverse("resident-import-detail", args=[job.pk])}"' in page
    assert "Impor sekarang" not in page

    run_worker()

    job.refresh_from_db()
    assert read == [1]
    assert job.status == ImportJob.Status.CHECKED
    assert job.plan["counts"]["create"] == 2
    assert job.rows_read == 3
    page = client.get(response["Location"]).content.decode()
    assert "http-equiv" not in page
    assert "Impor sekarang" in page

    response = post(
        client, reverse("resident-import-run", args=[job.pk]), {"fingerprint": job.fingerprint}
    )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING
    assert not Resident.objects.exists()
    applying = DBTaskResult.objects.get(task_path="rtkeren.tasks.resident_import_apply")
    assert applying.args_kwargs == {"args": [job.pk, job.fingerprint], "kwargs": {}}
    page = client.get(response["Location"]).content.decode()
    assert "Sedang diimpor" in page
    assert "http-equiv" in page
    assert (
        post(
            client, reverse("resident-import-run", args=[job.pk]), {"fingerprint": job.fingerprint}
        ).status_code
        == 302
    )
    assert DBTaskResult.objects.filter(task_path__endswith="apply").count() == 1

    run_worker()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert Resident.objects.count() == 2
    assert {r.status for r in DBTaskResult.objects.all()} == {"SUCCESSFUL"}


def test_the_page_tells_how_many_lines_the_worker_has_read(client, officer, kelurahan, rt):
    client.force_login(officer)
    job = ImportJob.objects.create(
        officer=officer,
        kelurahan=kelurahan,
        file_name="warga.csv",
        file_format="csv",
        content=b"",
        status=ImportJob.Status.CHECKING,
        rows_read=1_500,
    )

    page = client.get(reverse("resident-import-detail", args=[job.pk])).content.decode()

    assert "1.500 baris" in page
    assert '<meta http-equiv="refresh"' in page


def test_the_reading_reports_its_progress(monkeypatch):
    monkeypatch.setattr(reading, "PROGRESS_EVERY", 2)
    content = csv_file([row(nik(n)) for n in range(1, 6)]).read()
    seen = []

    rows = service.import_file_read(content=content, file_format="csv", on_progress=seen.append)

    assert len(rows) == 5
    assert seen == [2, 4, 6]


def test_a_job_left_unfinished_for_hours_stops_refreshing_and_says_so(client, officer, kelurahan):
    client.force_login(officer)
    job = ImportJob.objects.create(
        officer=officer,
        kelurahan=kelurahan,
        file_name="warga.csv",
        file_format="csv",
        content=b"",
        created_at=timezone.now() - service.JOB_MAX_AGE,
    )

    page = client.get(reverse("resident-import-detail", args=[job.pk])).content.decode()

    assert "http-equiv" not in page
    assert "dalam dua jam" in page


def test_a_check_the_worker_could_not_finish_keeps_no_file(client, officer, kelurahan, rt):
    client.force_login(officer)
    # A cell larger than any CSV reader accepts.
    broken = ",".join(HEADERS).encode() + b'\n"' + b"x" * 200_000 + b'"\n'

    response = post(
        client,
        reverse("resident-import"),
        {"kelurahan": kelurahan.pk, "file": SimpleUploadedFile("rusak.csv", broken)},
    )

    job = last_job()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.FAILED
    assert bytes(job.content) == b""
    assert "tidak dapat dibaca" in job.error
