"""Resident import: template, check (dry run), all-or-nothing import, permissions, bad files."""

import csv
import datetime
import io
import re
import tracemalloc
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import BaseEntry, ImportJob, Resident
from rtkeren.services import imports as service
from rtkeren.services.base import base_differences
from rtkeren.services.imports import read as reading
from rtkeren.services.imports import write as writing
from tests import factories
from tests.assessment.factories import FollowUpFactory

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in service.COLUMNS]
BORN = datetime.date(1985, 8, 17)


def row(nik, name="Budi Santoso", born="17-08-1985", sex="L", rw=7, rt=2, **extra):
    values = {
        "NIK": nik,
        "Nama": name,
        "Tanggal lahir": born,
        "Jenis kelamin": sex,
        "RW": rw,
        "RT": rt,
        "No. KK": extra.get("kk", ""),
        "Alamat": extra.get("address", ""),
        "Telepon": extra.get("phone", ""),
        "Pekerjaan": extra.get("occupation", ""),
    }
    return [values[header] for header in HEADERS]


def csv_file(rows, name="warga.csv", headers=HEADERS, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


def nik(serial, born=BORN, sex="L"):
    return factories.make_nik(born, sex, serial)


def upload(client, file, kelurahan):
    """Upload, and let the worker (run at once in tests) check the file once the upload
    commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("resident-import"), {"kelurahan": kelurahan.pk, "file": file})


def last_job():
    return ImportJob.objects.order_by("-pk").first()


def by_line(job):
    return {entry["line"]: entry for entry in job.plan["rows"]}


def last_message(response):
    return str(list(response.wsgi_request._messages)[-1])


def confirm(client, job, fingerprint=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("resident-import-run", args=[job.pk]),
            {"fingerprint": job.fingerprint if fingerprint is None else fingerprint},
        )


def job_error(job):
    """What the worker said when it refused to import the file."""
    job.refresh_from_db()
    return job.error


# The template.


def test_officer_downloads_the_excel_template(client, officer):
    client.force_login(officer)
    response = client.get(reverse("resident-import-template", args=["xlsx"]))
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert list(rows[1]) == [column.example for column in service.COLUMNS]
    # Excel would otherwise turn a typed NIK into 3.57202E+15 and lose its last digit.
    assert sheet["A3"].number_format == "@"


def test_officer_downloads_the_csv_template(client, officer):
    client.force_login(officer)
    response = client.get(reverse("resident-import-template", args=["csv"]))
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == HEADERS
    assert lines[1].startswith(service.EXAMPLE_NIK)
    assert client.get("/warga/impor/templat.pdf").status_code == 404


def test_the_untouched_template_is_checked_without_importing_the_example(
    client, officer, kelurahan, rt
):
    client.force_login(officer)
    template = client.get(reverse("resident-import-template", args=["xlsx"])).content
    upload(client, SimpleUploadedFile("templat.xlsx", template), kelurahan)
    [entry] = last_job().plan["rows"]
    assert entry["action"] == "reject"
    assert "baris contoh" in entry["messages"][0]


# The check.


def test_check_gives_each_row_its_outcome_and_writes_nothing(
    client, officer, kelurahan, rt, other_rt, foreign_rt
):
    existing = factories.ResidentFactory(
        rt=rt, nik=nik(1), name="Budi Santoso", birth_date=BORN, sex="L"
    )
    same = factories.ResidentFactory(
        rt=other_rt, nik=nik(2), name="Sri Wahyuni", birth_date=BORN, sex="L", address="Jl. A"
    )
    factories.ResidentFactory(rt=foreign_rt, nik=nik(3), birth_date=BORN, sex="L")
    before = Resident.objects.count()
    rows = [
        row(nik(1), name="Budi Santosa", rt=1, rw=8, phone="0812-3456-7890"),  # 2 update
        row(nik(2), name="Sri Wahyuni", rw=8, rt=1),  # 3 unchanged
        row(nik(3)),  # 4 in another kelurahan
        row("3572021708"),  # 5 too short
        row("35720217O8850004"),  # 6 a letter O
        row(nik(5), rw=9, rt=9),  # 7 unknown RT
        row(nik(6), born="18-08-1985"),  # 8 birth date against the NIK
        row(nik(7)),  # 9 and 10: twice in the file
        row(nik(7)),
        row(nik(8), phone="12"),  # 11 bad phone
        row(nik(9), name="Dewi Lestari", kk="3572020101090001", address="Jl. Melati 3"),  # 12 new
    ]
    client.force_login(officer)
    response = upload(client, csv_file(rows), kelurahan)
    job = last_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("resident-import-detail", args=[job.pk])
    assert Resident.objects.count() == before
    lines = by_line(job)
    assert lines[2]["action"] == "update"
    assert lines[2]["changes"] == ["nama", "RT", "nomor HP"]
    assert lines[2]["nik"] is True
    assert existing.reveal_nik()[12:] not in str(lines[2])
    assert lines[3]["action"] == "unchanged"
    assert "kelurahan lain" in lines[4]["messages"][0]
    assert lines[5]["messages"] == ["NIK harus terdiri dari tepat 16 angka."]
    assert lines[6]["messages"] == ["NIK hanya berisi angka 0-9."]
    assert f"Kelurahan {kelurahan.name} tidak memiliki RT 009 / RW 009." in lines[7]["messages"]
    assert "17 Agustus 1985" in lines[8]["messages"][0]
    assert "(9, 10)" in lines[9]["messages"][0]
    assert lines[10]["action"] == lines[9]["action"] == "reject"
    assert lines[11]["messages"][0].startswith("Nomor HP: ")
    assert lines[12]["action"] == "create"
    assert job.plan["counts"] == {"create": 1, "update": 1, "unchanged": 1, "reject": 8}
    assert same.address == "Jl. A"

    page = client.get(reverse("resident-import-detail", args=[job.pk]))
    assert page.status_code == 200
    assert "Impor sekarang" in page.content.decode()
    rejected = client.get(reverse("resident-import-detail", args=[job.pk]), {"tampil": "reject"})
    assert len(rejected.context["page_obj"].object_list) == 8


def test_excel_file_with_numbers_and_dates_in_cells(client, officer, kelurahan, rt):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(
        [int(nik(11)), "Ani", datetime.datetime(1985, 8, 17), "", 7, 2, "", "", 81234567890, ""]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(officer)
    upload(client, SimpleUploadedFile("warga.xlsx", buffer.getvalue()), kelurahan)
    [entry] = last_job().plan["rows"]
    assert entry["action"] == "create", entry["messages"]
    assert entry["place"] == "RT 002 / RW 007"


def test_semicolon_csv_from_indonesian_excel(client, officer, kelurahan, rt):
    client.force_login(officer)
    upload(client, csv_file([row(nik(12))], delimiter=";"), kelurahan)
    assert last_job().plan["counts"]["create"] == 1


# The import.


def test_import_writes_through_the_resident_services(client, officer, kelurahan, rt, other_rt):
    existing = factories.ResidentFactory(rt=rt, nik=nik(1), birth_date=BORN, sex="L")
    client.force_login(officer)
    upload(
        client,
        csv_file(
            [
                row(nik(1), name="Budi Baru", rw=8, rt=1),
                row(nik(2, sex="P"), name="Siti", sex="", phone="0812-3456-7890"),
                row("123"),
            ]
        ),
        kelurahan,
    )
    job = last_job()
    response = confirm(client, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert (job.created_count, job.updated_count) == (1, 1)
    assert bytes(job.content) == b""
    existing.refresh_from_db()
    assert (existing.name, existing.rt) == ("Budi Baru", other_rt)
    assert existing.history.first().history_user == officer
    siti = Resident.objects.with_nik(nik(2, sex="P")).get()
    assert siti.reveal_nik() == nik(2, sex="P")
    assert siti.nik_ciphertext != nik(2, sex="P")
    assert (siti.sex, siti.phone, siti.verification) == ("P", "+6281234567890", "verified")
    page = client.get(response["Location"]).content.decode()
    assert ": 1 warga ditambahkan, 1 diperbarui." in page
    assert "http-equiv" not in page
    assert "Berkas ini sudah diimpor." in [
        str(m) for m in confirm(client, job).wsgi_request._messages
    ]
    assert Resident.objects.count() == 2


def test_an_import_brings_the_scorecard_base_up_to_date(
    client, officer, kelurahan, rt, other_rt, period
):
    existing = factories.ResidentFactory(rt=rt, nik=nik(1), birth_date=BORN, sex="L")
    client.force_login(officer)
    upload(
        client,
        csv_file([row(nik(1), name="Budi Baru", rw=8, rt=1), row(nik(2, sex="P"), sex="P")]),
        kelurahan,
    )

    confirm(client, last_job())

    siti = Resident.objects.with_nik(nik(2, sex="P")).get()
    entries = BaseEntry.objects.filter(period=period)
    assert set(entries.values_list("resident_id", "rt_id")) == {
        (existing.pk, other_rt.pk),
        (siti.pk, rt.pk),
    }
    assert not base_differences()


def test_an_import_blanks_its_new_names_on_every_public_page_from_the_next_request(
    client, officer, kelurahan, rt, foreign_rt, period
):
    # Names are blanked wherever they are written: here in another kelurahan's follow-up.
    activity = factories.ActivityFactory(rt=foreign_rt, period=period, status="delivered")
    FollowUpFactory(activity=activity, action="Hubungi Bu Sumarni Lestari")
    public = reverse("public-kelurahan", args=[foreign_rt.rw.kelurahan.code])
    assert "Sumarni Lestari" in Client().get(public).text
    client.force_login(officer)
    upload(client, csv_file([row(nik(2, sex="P"), name="Sumarni Lestari", sex="P")]), kelurahan)

    confirm(client, last_job())

    assert "Sumarni Lestari" not in Client().get(public).text


def test_a_failure_while_writing_leaves_nothing_written(
    client, officer, kelurahan, rt, foreign_rt, monkeypatch
):
    existing = factories.ResidentFactory(rt=rt, nik=nik(1), name="Lama", birth_date=BORN)
    client.force_login(officer)
    upload(client, csv_file([row(nik(1), name="Baru"), row(nik(2)), row(nik(3))]), kelurahan)
    job = last_job()
    real_plan = service.import_plan

    def plan_then_race(**kwargs):
        # Someone registers one of the new residents elsewhere after the check: the database's
        # unique constraint refuses the write.
        plan = real_plan(**kwargs)
        factories.ResidentFactory(rt=foreign_rt, nik=nik(3), birth_date=BORN, sex="L")
        return plan

    monkeypatch.setattr(writing, "import_plan", plan_then_race)
    response = confirm(client, job)
    assert Resident.objects.with_nik(nik(2)).count() == 0
    existing.refresh_from_db()
    assert existing.name == "Lama"
    assert existing.history.count() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job_error(job).startswith("Data warga menolak warga baru")
    assert job_error(job).count("Tidak ada data yang diimpor") == 1
    assert job.error in client.get(response["Location"]).content.decode()


def test_a_refused_update_leaves_nothing_written(client, officer, kelurahan, rt, monkeypatch):
    first = factories.ResidentFactory(rt=rt, nik=nik(1), name="Satu", birth_date=BORN)
    factories.ResidentFactory(rt=rt, nik=nik(2), name="Dua", birth_date=BORN)
    client.force_login(officer)
    rows = [row(nik(1), name="Satu Baru"), row(nik(2), name="Dua Baru"), row(nik(3))]
    upload(client, csv_file(rows), kelurahan)
    job = last_job()
    real_update = writing.resident_update
    calls = []

    def update_then_fail(**kwargs):
        calls.append(kwargs["resident"].pk)
        if len(calls) == 2:
            raise ValidationError({"name": "Nama ditolak."})
        return real_update(**kwargs)

    monkeypatch.setattr(writing, "resident_update", update_then_fail)
    confirm(client, job)
    assert len(calls) == 2
    first.refresh_from_db()
    assert first.name == "Satu"
    assert not Resident.objects.with_nik(nik(3)).exists()
    assert job_error(job) == (
        "Baris 3 tidak dapat disimpan: Nama ditolak. Tidak ada data yang diimpor."
    )


def test_a_register_change_after_the_check_is_refused_and_rechecked(
    client, officer, kelurahan, rt, foreign_rt
):
    client.force_login(officer)
    upload(client, csv_file([row(nik(1)), row(nik(2))]), kelurahan)
    job = last_job()
    old_fingerprint = job.fingerprint
    factories.ResidentFactory(rt=foreign_rt, nik=nik(2), birth_date=BORN, sex="L")
    confirm(client, job)
    assert "telah berubah" in job_error(job)
    assert Resident.objects.with_nik(nik(1)).count() == 0
    job.refresh_from_db()
    assert job.fingerprint != old_fingerprint
    assert job.plan["counts"]["reject"] == 1
    confirm(client, job)
    assert Resident.objects.with_nik(nik(1)).count() == 1


def test_a_tampered_confirmation_or_stale_check_is_refused(client, officer, kelurahan, rt):
    client.force_login(officer)
    upload(client, csv_file([row(nik(1))]), kelurahan)
    job = last_job()
    response = confirm(client, job, fingerprint="0" * 64)
    assert "telah berubah" in last_message(response)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - service.JOB_MAX_AGE)
    response = confirm(client, job)
    assert "lebih dari dua jam" in last_message(response)
    assert not Resident.objects.exists()


def test_altered_stored_file_is_refused(client, officer, kelurahan, rt):
    client.force_login(officer)
    upload(client, csv_file([row(nik(1))]), kelurahan)
    job = last_job()
    ImportJob.objects.filter(pk=job.pk).update(content_sha256="f" * 64)
    confirm(client, job)
    assert "Berkas yang tersimpan telah berubah" in job_error(job)
    assert not Resident.objects.exists()


def test_a_stored_file_that_no_longer_decrypts_is_refused(client, officer, kelurahan, rt):
    """Kept under a key since rotated out, or its ciphertext damaged: a new upload, not a 500."""
    client.force_login(officer)
    upload(client, csv_file([row(nik(1))]), kelurahan)
    job = last_job()
    ImportJob.objects.filter(pk=job.pk).update(content=b"not a fernet token")
    response = confirm(client, job)
    assert response.status_code in (200, 302)
    assert "Berkas yang tersimpan telah berubah" in job_error(job)
    assert not Resident.objects.exists()


# Permissions.


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 200),
        ("foreign_officer", 200),
        ("facilitator", 403),
        ("rw_chair", 403),
        ("rt_chair", 403),
        ("resident_user", 403),
        ("city_viewer", 403),
        ("admin_user", 403),
    ],
)
def test_who_may_open_the_import_pages(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("resident-import")).status_code == status
    assert client.get(reverse("resident-import-template", args=["csv"])).status_code == status


def test_anonymous_is_sent_to_log_in(client, kelurahan):
    for url in (reverse("resident-import"), reverse("resident-import-template", args=["xlsx"])):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_an_officer_cannot_import_into_another_kelurahan(client, foreign_officer, kelurahan, rt):
    client.force_login(foreign_officer)
    response = upload(client, csv_file([row(nik(1))]), kelurahan)
    assert response.status_code == 200
    assert "kelurahan" in response.context["form"].errors
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ["foreign_officer", "rt_chair", "resident_user"])
def test_nobody_else_opens_or_confirms_an_officers_job(
    client, request, officer, kelurahan, rt, persona
):
    client.force_login(officer)
    upload(client, csv_file([row(nik(1))]), kelurahan)
    job = last_job()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("resident-import-detail", args=[job.pk])).status_code == 404
    assert confirm(client, job).status_code == 404
    client.logout()
    assert confirm(client, job).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert not Resident.objects.with_nik(nik(1)).exists()


def test_the_resident_list_links_to_the_import_for_officers_only(client, officer, rt_chair):
    client.force_login(officer)
    assert reverse("resident-import") in client.get(reverse("resident-list")).content.decode()
    client.force_login(rt_chair)
    assert reverse("resident-import") not in client.get(reverse("resident-list")).content.decode()


# Query counts.


def test_check_and_result_page_queries_do_not_grow_with_rows(client, officer, kelurahan, rt):
    client.force_login(officer)
    counts = []
    for size in (1, 40):
        factories.ResidentFactory(rt=rt, nik=nik(900 + size), birth_date=BORN, sex="L")
        rows = [row(nik(900 + size))] + [row(nik(100 * size + n)) for n in range(size)]
        with CaptureQueriesContext(connection) as check:
            upload(client, csv_file(rows), kelurahan)
        job = last_job()
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("resident-import-detail", args=[job.pk]))
        assert job.plan["counts"]["update"] + job.plan["counts"]["unchanged"] == 1
        counts.append((len(check), len(page)))
    # The check: session, user, assignments, RTs, one lookup per LOOKUP_CHUNK NIKs, the purge
    # of stale jobs and the new job; the page: session, user, the job, assignments.
    assert counts[0] == counts[1]


# Bad files.


def refusal(response) -> str:
    """Why a file was refused: by the upload form (its type, its size) or by the check."""
    if response.status_code == 200:
        return response.context["form"].errors["file"][0]
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert bytes(job.content) == b"", "a file that cannot be checked is not kept"
    return job.error


def test_a_file_that_is_not_a_spreadsheet(client, officer, kelurahan):
    client.force_login(officer)
    response = upload(client, SimpleUploadedFile("warga.xlsx", b"%PDF-1.4 not a sheet"), kelurahan)
    assert "tidak dapat dibaca" in refusal(response)
    page = client.get(response["Location"]).content.decode()
    assert "tidak dapat dibaca" in page
    assert "Impor sekarang" not in page
    ImportJob.objects.all().delete()
    response = upload(client, SimpleUploadedFile("warga.pdf", b"%PDF-1.4"), kelurahan)
    assert "Unggah berkas Excel (.xlsx) atau CSV" in refusal(response)
    response = upload(client, SimpleUploadedFile("warga.xls", b"\xd0\xcf"), kelurahan)
    assert ".xls" in refusal(response)
    assert not ImportJob.objects.exists()
    response = upload(client, SimpleUploadedFile("warga.csv", b"\xff\xfe\x00\x00"), kelurahan)
    assert "NIK" in refusal(response)


def test_a_file_too_large_or_with_too_many_rows(client, officer, kelurahan, rt, monkeypatch):
    client.force_login(officer)
    big = SimpleUploadedFile("warga.csv", b"x" * (service.MAX_FILE_BYTES + 1))
    response = upload(client, big, kelurahan)
    assert "lebih dari 5 MB" in refusal(response)
    assert not ImportJob.objects.exists()
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    response = upload(client, csv_file([row(nik(n)) for n in (1, 2, 3)]), kelurahan)
    assert "lebih dari 2 warga" in refusal(response)


def test_a_file_missing_columns(client, officer, kelurahan):
    client.force_login(officer)
    response = upload(client, csv_file([["Budi", "7"]], headers=["Nama", "RW"]), kelurahan)
    assert "NIK, Tanggal lahir, RT" in refusal(response)
    response = upload(client, csv_file([]), kelurahan)
    assert "tidak berisi baris data" in refusal(response)


# Hostile spreadsheets: small files that claim, or hold, far more than they carry.


def xlsx_bytes(rows, *, far_cell_row=None, dimension=None):
    """An Excel file of the template's columns. ``far_cell_row`` puts a cell in the sheet's
    last column (XFD) of that row; ``dimension`` replaces what the sheet says it spans."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for values in rows:
        sheet.append(values)
    if far_cell_row is not None:
        sheet.cell(row=far_cell_row, column=16_384, value="catatan")
    buffer = io.BytesIO()
    workbook.save(buffer)
    if dimension is None:
        return buffer.getvalue()
    source, output = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(rb'<dimension ref="[^"]*"', dimension, data)
                assert replaced == 1
            target.writestr(member, data)
    return output.getvalue()


def read_with_peak_memory(content, file_format="xlsx"):
    """The rows read, or the refusal, and the peak of memory the reading took."""
    tracemalloc.start()
    try:
        result = service.import_file_read(content=content, file_format=file_format)
    except ValidationError as error:
        result = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


PEAK_LIMIT = 50 * 1024 * 1024


def test_a_sheet_claiming_a_huge_dimension_is_read_row_by_row():
    """A few kilobytes that say ``A1:XFD20000``, with a cell at XFD20000 to back the claim,
    once took 2,6 GB and 97 seconds to read: every row up to it was filled to 16.384 cells."""
    content = xlsx_bytes(
        [row(nik(1)), row(nik(2), name="Sri Wahyuni")],
        far_cell_row=20_000,
        dimension=b'<dimension ref="A1:XFD20000"',
    )
    assert len(content) < 10_000

    rows, peak = read_with_peak_memory(content)

    assert peak < PEAK_LIMIT, f"{peak / 2**20:.0f} MB"
    assert [(r.line, r.cells["name"]) for r in rows] == [(2, "Budi Santoso"), (3, "Sri Wahyuni")]
    assert rows[0].cells["nik"] == nik(1)


def test_a_hostile_sheet_with_too_many_rows_gets_the_clear_message(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    content = xlsx_bytes(
        [row(nik(n)) for n in range(1, 7)],
        far_cell_row=20_000,
        dimension=b'<dimension ref="A1:XFD20000"',
    )

    refusal, peak = read_with_peak_memory(content)

    assert peak < PEAK_LIMIT, f"{peak / 2**20:.0f} MB"
    assert refusal.messages == [
        "Berkas berisi lebih dari 5 warga. Bagilah menjadi beberapa berkas yang lebih kecil."
    ]


def test_more_than_max_rows_residents_are_refused_once_the_limit_is_passed():
    lines = [",".join(HEADERS)] + [",".join(map(str, row(nik(1)))) for _ in range(20_001)]
    content = "\n".join(lines).encode()
    assert service.MAX_ROWS == 20_000

    refusal, peak = read_with_peak_memory(content, "csv")

    assert peak < PEAK_LIMIT, f"{peak / 2**20:.0f} MB"
    assert refusal.messages == [
        "Berkas berisi lebih dari 20.000 warga. Bagilah menjadi beberapa berkas yang lebih kecil."
    ]


def test_a_cell_on_the_last_row_of_a_sheet_does_not_make_a_million_empty_lines_read():
    content = xlsx_bytes([row(nik(1))])
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    workbook.active.cell(row=1_048_576, column=1, value="akhir")
    buffer = io.BytesIO()
    workbook.save(buffer)

    refusal, peak = read_with_peak_memory(buffer.getvalue())

    assert peak < PEAK_LIMIT, f"{peak / 2**20:.0f} MB"
    assert "lebih dari 40.000 baris" in refusal.messages[0]


def test_an_archive_that_unpacks_to_too_much_is_refused_before_it_is_parsed(monkeypatch):
    content = xlsx_bytes([row(nik(1))])
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 4_000)
    monkeypatch.setattr(
        reading, "load_workbook", lambda *args, **kwargs: pytest.fail("the file was parsed")
    )

    with pytest.raises(ValidationError) as refusal:
        service.import_file_read(content=content, file_format="xlsx")

    assert "lebih dari 0 MB" in refusal.value.messages[0]


def test_only_the_columns_up_to_the_last_known_one_are_read():
    """The template's own file is read at its width; extra columns before the known ones (a
    number column officers like to add) still work."""
    widths = []
    real_table = reading._xlsx_table

    def spy(content):
        headers, lines = real_table(content)
        return headers, lambda width: (widths.append(width), lines(width))[1]

    content = xlsx_bytes([row(nik(1))], far_cell_row=2)
    with mock.patch.object(reading, "_xlsx_table", spy):
        [only] = service.import_file_read(content=content, file_format="xlsx")
    assert widths == [len(service.COLUMNS)]
    assert "catatan" not in only.cells.values()

    workbook = openpyxl.Workbook()
    workbook.active.append(["No.", *HEADERS, "Keterangan"])
    workbook.active.append([1, *row(nik(2), occupation="Guru"), "pindahan"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [numbered] = service.import_file_read(content=buffer.getvalue(), file_format="xlsx")
    assert (numbered.cells["nik"], numbered.cells["occupation"]) == (nik(2), "Guru")
