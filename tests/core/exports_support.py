"""Reading downloaded exports back in tests."""

import io
import zipfile

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
