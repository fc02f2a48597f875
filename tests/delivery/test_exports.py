"""The delivery exports: attendance and outputs per activity, output lines, spending."""

import datetime

import pytest

from delivery.models import Output
from rtkeren.models import ActivityStatus
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


@pytest.fixture
def delivered(running, rt):
    meeting = factories.MeetingFactory(activity=running)
    second = factories.MeetingFactory(activity=running)
    first = factories.AttendanceFactory(meeting=meeting)
    factories.AttendanceFactory(meeting=meeting)
    factories.AttendanceFactory(meeting=second, resident=first.resident)
    factories.ImplementerFactory(activity=running)
    factories.OutputFactory(
        activity=running,
        target_quantity=20,
        finished_quantity=5,
        status=Output.Status.IN_PROGRESS,
        obstacle=Output.Obstacle.MATERIALS,
    )
    factories.SpendingFactory(activity=running, amount=250_000, spent_on=datetime.date(2026, 5, 4))
    factories.SpendingFactory(activity=running, amount=100_000)
    return running


def test_delivery_export_adds_up_without_multiplying(client, officer, delivered):
    client.force_login(officer)

    header, *rows = sheet_cells(body(download(client, "pelaksanaan")))

    assert len(rows) == 1
    row = {h.value: cell for h, cell in zip(header, rows[0], strict=True)}
    assert row["Kegiatan"].value == delivered.title
    assert row["Status"].value == str(ActivityStatus.IN_DELIVERY.label)
    assert row["Pertemuan"].value == 2
    assert row["Jumlah kehadiran"].value == 3
    assert row["Jumlah warga yang hadir"].value == 2
    assert row["Pelaksana"].value == 1
    assert row["Luaran yang direncanakan"].value == 20
    assert row["Luaran yang selesai"].value == 5
    assert row["Anggaran"].value == 700_000
    assert row["Terpakai"].value == 350_000
    assert row["Terpakai"].number_format == '"Rp"#,##0'


def test_outputs_export(client, officer, delivered):
    client.force_login(officer)

    header, *rows = sheet_rows(body(download(client, "luaran")))

    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Jumlah target"] == 20
    assert row["Hambatan"] == str(Output.Obstacle.MATERIALS.label)


def test_spending_export_has_dates_and_money(client, officer, delivered):
    client.force_login(officer)

    header, *rows = sheet_cells(body(download(client, "belanja")))

    assert [cell.value for cell in header][4:7] == ["Tanggal", "Uraian", "Jumlah"]
    first = rows[0]
    assert first[4].is_date
    assert first[4].value == datetime.datetime(2026, 5, 4)
    assert first[6].value == 250_000
    assert first[6].number_format == '"Rp"#,##0'


@pytest.mark.parametrize("name", ["pelaksanaan", "luaran", "belanja"])
def test_the_header_row_is_frozen_and_columns_fit_their_content(client, officer, delivered, name):
    client.force_login(officer)

    assert_laid_out(body(download(client, name)))


@pytest.mark.parametrize("name", ["pelaksanaan", "luaran", "belanja"])
def test_foreign_officer_gets_no_rows(client, foreign_officer, delivered, name):
    client.force_login(foreign_officer)

    _header, *rows = sheet_rows(body(download(client, name)))

    assert rows == []


@pytest.mark.parametrize("persona", ["pokmas_member", "rt_chair"])
def test_pokmas_and_chairs_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert download(client, "belanja").status_code == 403


@pytest.mark.parametrize("name", ["pelaksanaan", "luaran", "belanja"])
def test_query_count_does_not_grow_with_rows(client, officer, rt, period, name):
    client.force_login(officer)

    def add(count):
        for _ in range(count):
            activity = factories.approved_activity(
                rt, period=period, status=ActivityStatus.IN_DELIVERY
            )
            factories.AttendanceFactory(meeting=factories.MeetingFactory(activity=activity))
            factories.OutputFactory(activity=activity)
            factories.SpendingFactory(activity=activity)

    add(1)
    one = queries_for(client, name)
    add(19)

    assert queries_for(client, name) == one
