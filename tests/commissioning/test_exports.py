"""The potentials and forums exports: workbook, scope, attendance by element, query count."""

import pytest

from commissioning.models import Element, Potential
from rtkeren.models import ExportAudit
from tests import factories as core
from tests.core.exports_support import (
    assert_laid_out,
    body,
    download,
    queries_for,
    sheet_cells,
    sheet_rows,
)

from . import factories

pytestmark = pytest.mark.django_db


def test_potentials_export(client, officer, rt, foreign_rt):
    potential = factories.PotentialFactory(rt=rt, title="Sanggar karawitan")
    factories.EndorsementFactory.create_batch(2, potential=potential)
    factories.PotentialFactory(rt=foreign_rt, title="Potensi kelurahan lain")
    client.force_login(officer)

    header, *rows = sheet_cells(body(download(client, "potensi")))

    assert [cell.value for cell in header][:2] == ["Judul", "Kategori"]
    assert len(rows) == 1
    row = [cell.value for cell in rows[0]]
    assert row[0] == "Sanggar karawitan"
    assert row[3] == "RT 002 / RW 007"
    assert row[4] == str(Potential.Status.OPEN.label)
    assert row[5] == 2
    assert rows[0][6].is_date
    assert ExportAudit.objects.get().export == "potensi"


def test_forums_export_counts_attendance_by_element(client, officer, rt, foreign_rt):
    forum = factories.held_forum(rt=rt, title="Musyawarah RT 002")
    factories.AttendanceFactory.create_batch(2, forum=forum, element=Element.WOMEN)
    factories.AttendanceFactory(forum=forum, element=Element.YOUTH)
    factories.held_forum(rt=foreign_rt, title="Musyawarah kelurahan lain")
    client.force_login(officer)

    header, *rows = sheet_rows(body(download(client, "musyawarah")))

    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Judul"] == "Musyawarah RT 002"
    assert row["Tingkat"] == "RT 002 / RW 007"
    assert row["Kehadiran"] == 3
    assert row[str(Element.WOMEN.label)] == 2
    assert row[str(Element.YOUTH.label)] == 1
    assert row[str(Element.ELDERLY.label)] == 0


def test_no_attendee_names_in_the_forums_export(client, officer, rt):
    forum = factories.held_forum(rt=rt)
    attendance = factories.AttendanceFactory(
        forum=forum, resident=core.ResidentFactory(rt=rt, name="Mbah Sarinah")
    )
    client.force_login(officer)

    content = body(download(client, "musyawarah"))

    assert attendance.resident.name not in str(sheet_rows(content))


@pytest.mark.parametrize("name", ["potensi", "musyawarah"])
def test_the_header_row_is_frozen_and_columns_fit_their_content(client, officer, rt, name):
    potential = factories.PotentialFactory(rt=rt, title="Sanggar karawitan dan tari jaranan")
    factories.EndorsementFactory(potential=potential)
    factories.AttendanceFactory(forum=factories.held_forum(rt=rt, title="Musyawarah RT 002"))
    client.force_login(officer)

    assert_laid_out(body(download(client, name)))


@pytest.mark.parametrize("name", ["potensi", "musyawarah"])
def test_foreign_officer_gets_no_rows(client, foreign_officer, rt, name):
    factories.PotentialFactory(rt=rt)
    factories.AttendanceFactory(forum=factories.held_forum(rt=rt))
    client.force_login(foreign_officer)

    _header, *rows = sheet_rows(body(download(client, name)))

    assert rows == []


@pytest.mark.parametrize("persona", ["resident_user", "rt_chair"])
def test_residents_and_chairs_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert download(client, "musyawarah").status_code == 403


@pytest.mark.parametrize("name", ["potensi", "musyawarah"])
def test_query_count_does_not_grow_with_rows(client, officer, rt, name):
    client.force_login(officer)

    def add(count):
        for _ in range(count):
            factories.EndorsementFactory(potential=factories.PotentialFactory(rt=rt))
            factories.AttendanceFactory(forum=factories.held_forum(rt=rt))

    add(1)
    one = queries_for(client, name)
    add(29)

    assert queries_for(client, name) == one
