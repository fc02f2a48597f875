"""Resident import from OpenSID's resident export: its columns and codes, the check, the import
of the whole file or nothing, and a village-sized file.

The files are built here, with OpenSID's column names and codes and made-up residents."""

import csv
import datetime
import io
import resource
import time

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from faker import Faker

from rtkeren.models import RT, RW, ImportJob, Resident
from rtkeren.services import imports as service
from tests import factories
from tests.core.test_imports import by_line, confirm, csv_file, job_error, last_job, upload
from tests.core.test_imports import row as template_row

pytestmark = pytest.mark.django_db

# The columns of OpenSID's "Ekspor Penduduk", in its order (Impor_model::daftar_kolom).
OPENSID_HEADERS = [
    "alamat",
    "dusun",
    "rw",
    "rt",
    "nama",
    "no_kk",
    "nik",
    "sex",
    "tempatlahir",
    "tanggallahir",
    "agama_id",
    "pendidikan_kk_id",
    "pendidikan_sedang_id",
    "pekerjaan_id",
    "status_kawin",
    "kk_level",
    "warganegara_id",
    "ayah_nik",
    "nama_ayah",
    "ibu_nik",
    "nama_ibu",
    "golongan_darah_id",
    "akta_lahir",
    "dokumen_pasport",
    "tanggal_akhir_paspor",
    "dokumen_kitas",
    "akta_perkawinan",
    "tanggalperkawinan",
    "akta_perceraian",
    "tanggalperceraian",
    "cacat_id",
    "cara_kb_id",
    "hamil",
    "ktp_el",
    "status_rekam",
    "alamat_sekarang",
    "status_dasar",
    "suku",
    "tag_id_card",
    "id_asuransi",
    "no_asuransi",
    "lat",
    "lng",
]
BORN = datetime.date(1985, 8, 17)
fake = Faker("id_ID")


def nik(serial, born=BORN, sex="L"):
    return factories.make_nik(born, sex, serial)


def opensid_row(serial, *, born=BORN, sex="L", rw="007", rt="002", **cells):
    """A row as OpenSID exports it: codes as text, RT and RW padded, dates as year-month-day."""
    values = dict.fromkeys(OPENSID_HEADERS, "")
    values.update(
        alamat=fake.street_address(),
        dusun="-",
        rw=rw,
        rt=rt,
        nama=fake.name().upper(),
        no_kk=f"357202{serial:010d}",
        nik=nik(serial, born, sex),
        sex={"L": "1", "P": "2"}[sex],
        tempatlahir="BLITAR",
        tanggallahir=born.isoformat(),
        agama_id="1",
        pendidikan_kk_id="5",
        pekerjaan_id="88",
        status_kawin="2",
        kk_level="1",
        warganegara_id="1",
        golongan_darah_id="13",
        status_dasar="1",
        id_asuransi="1",
    )
    values.update(cells)
    return [values[header] for header in OPENSID_HEADERS]


def opensid_xlsx(rows, name="penduduk_2026-12-04.xlsx"):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(OPENSID_HEADERS)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def opensid_csv(rows, name="penduduk.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(OPENSID_HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


# Reading the export.


def test_the_header_row_tells_opensid_from_the_template(rt):
    content = opensid_xlsx([opensid_row(1)]).read()
    [row] = service.import_file_read(content=content, file_format="xlsx")
    assert row.source == service.Source.OPENSID
    assert (row.cells["nik"], row.cells["birth_date"], row.cells["rt"]) == (
        nik(1),
        "1985-08-17",
        "002",
    )
    assert set(row.cells) == set(service.OPENSID_COLUMNS.values())
    template = csv_file([template_row(nik(1))]).read()
    [row] = service.import_file_read(content=template, file_format="csv")
    assert row.source == service.Source.TEMPLATE


def test_an_opensid_export_is_checked_and_imported(client, officer, kelurahan, rt, other_rt):
    existing = factories.ResidentFactory(rt=rt, nik=nik(1), birth_date=BORN, sex="L")
    born_p = datetime.date(1990, 3, 4)
    client.force_login(officer)
    rows = [
        opensid_row(1, status_dasar="2"),
        opensid_row(2, born=born_p, sex="P", rw="008", rt="001", alamat="", pekerjaan_id="88"),
        opensid_row(3, pekerjaan_id="WIRASWASTA", status_dasar="3"),
    ]
    rows[1][OPENSID_HEADERS.index("alamat_sekarang")] = "Jl. Mastrip 5"
    rows[2][OPENSID_HEADERS.index("sex")] = "LAKI-LAKI"
    upload(client, opensid_xlsx(rows), kelurahan)
    job = last_job()
    assert job.status == ImportJob.Status.CHECKED
    assert job.plan["source"] == "opensid"
    assert job.plan["counts"] == {"create": 2, "update": 1, "unchanged": 0, "reject": 0}
    assert "status" in by_line(job)[2]["changes"]
    assert Resident.objects.count() == 1, "the check writes nothing"
    page = client.get(reverse("resident-import-detail", args=[job.pk])).content.decode()
    assert "OpenSID" in page

    confirm(client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED, job.error
    assert (job.created_count, job.updated_count) == (2, 1)
    existing.refresh_from_db()
    assert existing.status == Resident.Status.DECEASED
    second = Resident.objects.with_nik(nik(2, born_p, "P")).get()
    assert (second.sex, second.birth_date, second.rt) == ("P", born_p, other_rt)
    assert (second.address, second.occupation, second.status) == ("Jl. Mastrip 5", "", "active")
    assert second.kk_number == "3572020000000002"
    assert second.name == rows[1][OPENSID_HEADERS.index("nama")]
    # OpenSID holds a religion for everyone; the portal keeps one only with consent.
    assert (second.religion, second.religion_consent_at) == ("", None)
    third = Resident.objects.with_nik(nik(3)).get()
    assert (third.sex, third.occupation, third.status) == ("L", "WIRASWASTA", "moved")


def test_a_csv_saved_from_the_export_is_read_too(client, officer, kelurahan, rt):
    client.force_login(officer)
    upload(client, opensid_csv([opensid_row(1), opensid_row(2, sex="P")]), kelurahan)
    job = last_job()
    assert (job.plan["source"], job.plan["counts"]["create"]) == ("opensid", 2)


def test_unknown_codes_and_foreign_places_reject_their_rows_and_hold_back_the_file(
    client, officer, kelurahan, rt
):
    client.force_login(officer)
    rows = [
        opensid_row(1),
        opensid_row(2, sex="L", status_dasar="4"),
        opensid_row(3, status_dasar="7"),
        opensid_row(4, status_dasar="TETAP"),
        opensid_row(5, rt="099"),
        opensid_row(6, rt="-"),
        opensid_row(7),
    ]
    rows[6][OPENSID_HEADERS.index("sex")] = "3"
    upload(client, opensid_xlsx(rows), kelurahan)
    job = last_job()
    lines = by_line(job)
    assert job.plan["counts"] == {"create": 1, "update": 0, "unchanged": 0, "reject": 6}
    assert lines[2]["action"] == "create"
    assert "HILANG" in lines[3]["messages"][0]
    assert "“7”" in lines[4]["messages"][0]
    assert "“TETAP”" in lines[5]["messages"][0]
    assert "RT 099 / RW 007" in lines[6]["messages"][0]
    assert len(lines[7]["messages"]) == 1
    assert "“3”" in lines[8]["messages"][0]
    page = client.get(reverse("resident-import-detail", args=[job.pk])).content.decode()
    assert 'action="{}"'.format(reverse("resident-import-run", args=[job.pk])) not in page

    response = confirm(client, job)

    assert "OpenSID" in str(list(response.wsgi_request._messages)[-1])
    assert not Resident.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED


def test_the_worker_writes_nothing_of_an_export_with_a_rejected_row(officer, kelurahan, rt):
    """Should a rejected row reach the worker, it still writes none of the file."""
    content = opensid_xlsx([opensid_row(1), opensid_row(2, rt="099")]).read()
    job = service.import_job_create(
        officer=officer, kelurahan=kelurahan, file_name="penduduk.xlsx", content=content
    )
    service.import_job_check(job_id=job.pk)
    job.refresh_from_db()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)
    job.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        service.import_job_run(officer=officer, job=job, fingerprint=job.fingerprint)
    assert refused.value.code == "import_rejected_rows"
    assert not Resident.objects.exists()
    service.import_job_apply(job_id=job.pk, fingerprint=job.fingerprint)
    assert "OpenSID" in job_error(job)
    assert not Resident.objects.exists()


def test_check_and_import_queries_do_not_grow_with_rows(client, officer, kelurahan, rt):
    client.force_login(officer)
    counts = []
    # Both sizes fit one insert on every database (SQLite splits an insert at 999 values).
    for start, size in ((1, 2), (100, 30)):
        rows = [opensid_row(start + n) for n in range(size)]
        with CaptureQueriesContext(connection) as check:
            upload(client, opensid_xlsx(rows), kelurahan)
        job = last_job()
        with CaptureQueriesContext(connection) as write:
            confirm(client, job)
        job.refresh_from_db()
        assert (job.status, job.created_count) == (ImportJob.Status.IMPORTED, size)
        counts.append((len(check), len(write)))
    # The check: session, user, assignments, the RTs, one lookup per LOOKUP_CHUNK NIKs, the job;
    # the import: the same reads again, then one insert per 500 residents and their history.
    assert counts[0] == counts[1]


# The template page.


def test_the_import_page_explains_the_opensid_export(client, officer):
    client.force_login(officer)
    page = client.get(reverse("resident-import")).content.decode()
    for name in ("tanggallahir", "no_kk", "status_dasar", "Ekspor Penduduk"):
        assert name in page


# A village's register.

VILLAGE_ROWS = 5_000


def test_an_export_of_five_thousand_residents_imports(officer, kelurahan, capsys):
    """Through the worker's own functions. The time and the memory are printed, not asserted:
    they depend on the machine. (Under tracemalloc, which slows it several times over, the
    check and the import together peaked at about 30 MB of Python allocations.)"""
    places = [(f"{rw:03d}", f"{number:03d}") for rw in (7, 8) for number in range(1, 11)]
    for rw_number in (7, 8):
        rw, _ = RW.objects.get_or_create(kelurahan=kelurahan, number=rw_number)
        for number in range(1, 11):
            RT.objects.get_or_create(rw=rw, number=number)
    rows = []
    for serial in range(1, VILLAGE_ROWS + 1):
        sex = "LP"[serial % 2]
        born = fake.date_of_birth(minimum_age=0, maximum_age=90)
        rw_text, rt_text = places[serial % len(places)]
        rows.append(opensid_row(serial, born=born, sex=sex, rw=rw_text, rt=rt_text))
    content = opensid_xlsx(rows).read()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    job = service.import_job_create(
        officer=officer, kelurahan=kelurahan, file_name="penduduk.xlsx", content=content
    )
    service.import_job_check(job_id=job.pk)
    checked = time.perf_counter()
    job.refresh_from_db()
    service.import_job_confirm(officer=officer, job=job, fingerprint=job.fingerprint)
    service.import_job_apply(job_id=job.pk, fingerprint=job.fingerprint)
    done = time.perf_counter()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED, job.error
    assert job.created_count == VILLAGE_ROWS
    assert Resident.objects.count() == VILLAGE_ROWS
    with capsys.disabled():
        print(
            f"\nOpenSID export of {VILLAGE_ROWS} rows ({len(content) // 1024} KB): check "
            f"{checked - started:.1f} s, import {done - checked:.1f} s; the process's peak "
            f"resident memory {rss_before // 1024} MB before, {rss_after // 1024} MB after"
        )


def test_a_long_unknown_code_is_cut_short_in_the_message(kelurahan, rt):
    content = opensid_xlsx([opensid_row(1, status_dasar="x" * 500)]).read()
    rows = service.import_file_read(content=content, file_format="xlsx")
    plan = service.import_plan(kelurahan=kelurahan, rows=rows, content_sha256="0")
    assert (plan.source, plan.whole_file_only) == (service.Source.OPENSID, True)
    assert len(plan.rows[0].messages[0]) < 200
