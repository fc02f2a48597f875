"""Reading downloaded exports back in tests."""

import datetime
import io
import zipfile

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NARROWEST, WIDEST = 8, 60


def download(client, name: str, **params):
    return client.get(reverse("export-download", args=[name]), params)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def sheet_rows(content: bytes) -> list[tuple]:
    """The rows of the workbook's only sheet, header first."""
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.active.iter_rows(values_only=True))


def sheet_cells(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows())


def cell_text(content: bytes) -> str:
    """Every cell of the workbook's sheet as text, one row a line: what a reader of it sees."""
    return "\n".join(
        " | ".join("" if value is None else str(value) for value in row)
        for row in sheet_rows(content)
    )


def unpacked_text(content: bytes) -> str:
    """Every XML part of the .xlsx, decompressed: what a look inside the file would find."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


def queries_for(client, name: str) -> int:
    """How many queries one download of ``name`` takes, the file read to its end."""
    with CaptureQueriesContext(connection) as context:
        response = download(client, name)
        assert response.status_code == 200
        body(response)
    return len(context.captured_queries)


def _text_length(cell) -> int:
    """The characters a reader sees in ``cell``, near enough: text by its longest line, a
    date by its format, a sum of rupiah with its "Rp" and thousands separators."""
    if cell.value is None:
        return 0
    if isinstance(cell.value, datetime.datetime):
        return len(cell.number_format) if cell.number_format.startswith("DD/") else 19
    if "Rp" in cell.number_format:
        return len(f"Rp{cell.value:,.0f}")
    return max(len(line) for line in str(cell.value).splitlines() or [""])


def assert_laid_out(content: bytes) -> None:
    """Each sheet of the workbook keeps its header row in view (frozen above A2) and has each
    column as wide as its longest text, between 8 and 60 characters."""
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        header = [cell.value for cell in sheet[1]]
        assert header, sheet.title
        assert all(header), sheet.title
        for index, column in enumerate(sheet.iter_cols(), start=1):
            longest = max(_text_length(cell) for cell in column)
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert NARROWEST <= width <= WIDEST, (sheet.title, header[index - 1], width)
            assert min(longest, WIDEST) <= width <= max(longest + 4, NARROWEST), (
                sheet.title,
                header[index - 1],
                longest,
                width,
            )
