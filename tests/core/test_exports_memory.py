"""A city-wide export reads the register in chunks and holds only a chunk in memory."""

import datetime
import tempfile
import tracemalloc
from unittest import mock

import pytest
from django.db.models.query import QuerySet

from rtkeren import exports
from rtkeren.models import Resident
from tests import factories

pytestmark = pytest.mark.django_db

MANY = 5000


def _bulk_residents(rt, count: int, start: int = 0) -> None:
    residents = []
    for number in range(start, start + count):
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=number % 15000)
        resident = Resident(
            name=f"Warga {number:05d}",
            sex="L",
            birth_date=born,
            rt=rt,
            address=f"Jl. Merdeka {number}",
            verification=Resident.Verification.VERIFIED,
        )
        resident.set_nik(factories.make_nik(born, "L", number % 9999 + 1))
        residents.append(resident)
    Resident.objects.bulk_create(residents, batch_size=1000)


def _peak_bytes(user, export) -> int:
    with tempfile.TemporaryFile() as file:
        tracemalloc.start()
        try:
            rows = exports.workbook_write(
                export=export, scope=exports.ExportScope(), user=user, file=file
            )
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return rows, peak


def test_residents_are_read_in_chunks(city_viewer, rt):
    _bulk_residents(rt, 3)
    export = exports.export_named("warga")

    with (
        mock.patch.object(
            QuerySet, "iterator", autospec=True, side_effect=QuerySet.iterator
        ) as spy,
        tempfile.TemporaryFile() as file,
    ):
        exports.workbook_write(
            export=export, scope=exports.ExportScope(), user=city_viewer, file=file
        )

    spy.assert_called_once()
    assert spy.call_args.kwargs == {"chunk_size": exports.CHUNK_SIZE}


def test_memory_stays_flat_as_rows_grow(city_viewer, rt, monkeypatch, capsys):
    """With small chunks, 1.000 and 5.000 rows peak alike: only a chunk or two is ever held.
    At the real chunk size the 5.000-row figure is printed (and bounded)."""
    export = exports.export_named("warga")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 250)
    _bulk_residents(rt, 1000)
    rows_few, peak_few = _peak_bytes(city_viewer, export)
    _bulk_residents(rt, MANY - 1000, start=1000)
    rows_many, peak_many = _peak_bytes(city_viewer, export)
    monkeypatch.undo()
    _rows, peak_real = _peak_bytes(city_viewer, export)

    with capsys.disabled():
        print(
            f"\nresidents export, peak traced memory with chunks of 250: {rows_few} rows "
            f"{peak_few / 2**20:.2f} MiB, {rows_many} rows {peak_many / 2**20:.2f} MiB; "
            f"chunks of {exports.CHUNK_SIZE}, {MANY} rows: {peak_real / 2**20:.2f} MiB"
        )
    assert (rows_few, rows_many) == (1000, MANY)
    assert peak_many < peak_few * 1.3
    assert peak_real < 8 * 2**20
