"""Reading an import file: its template, its format, its rows and their cells, within limits
that keep a small hostile file from taking the server's memory or time."""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import from_excel

from rtkeren.models import ImportJob

from .shapes import (
    COLUMNS,
    OPENSID_COLUMNS,
    OPENSID_REQUIRED,
    TEXT_COLUMNS,
    PlannedRow,
    Source,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: Lines read at most, counting empty ones: a file may not hide an endless run of empty rows.
MAX_LINES = 2 * MAX_ROWS
#: Columns in which the column names are looked for: the template's, and room for a few more
#: (a number, a remark) that officers add and the import ignores; OpenSID's export has 43.
MAX_HEADER_COLUMNS = 60
#: What an Excel file (a zip archive) may unpack to; the template filled with MAX_ROWS residents
#: unpacks to about 11 MB.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
#: How often the reading of a file tells how far it got, in lines.
PROGRESS_EVERY = 500
#: How long a checked file waits for confirmation before it must be uploaded again.
JOB_MAX_AGE = datetime.timedelta(hours=2)
#: NIKs looked up per query, well under every database's limit on query parameters.
LOOKUP_CHUNK = 2_000

SEX_WORDS = {"l": "L", "laki-laki": "L", "laki laki": "L", "p": "P", "perempuan": "P"}
_NUMBER = re.compile(r"^(?:r[tw]\.?\s*)?0*(\d{1,3})(?:\.0+)?$", re.IGNORECASE)
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")


# The template.


def import_template(*, file_format: str) -> bytes:
    """An empty file with the column headers and one example row, which the check refuses."""
    headers = [column.header for column in COLUMNS]
    example = [column.example for column in COLUMNS]
    if file_format == ImportJob.Format.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerow(example)
        # With a byte order mark, Excel opens the file as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Warga"
    sheet.append(headers)
    sheet.append(example)
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.example) + 4)
        if column.key in TEXT_COLUMNS:
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Reading a file.


def import_format_of(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension in ImportJob.Format.values:
        return extension
    if extension == "xls":
        raise ValidationError(
            _("Old Excel files (.xls) cannot be read. Save the file as .xlsx and upload it again."),
            code="import_xls",
        )
    raise ValidationError(
        _("Upload an Excel file (.xlsx) or a CSV file (.csv), made from the template."),
        code="import_type",
    )


def _unreadable() -> ValidationError:
    return ValidationError(
        _(
            "This file cannot be read as an Excel (.xlsx) or CSV spreadsheet. Download the "
            "template, copy the residents into it and upload it again."
        ),
        code="import_unreadable",
    )


def _header_key(text) -> str:
    return re.sub(r"\s+", " ", str(text or "").replace("_", " ")).strip().lower()


def _opensid_keys(headers) -> dict[int, str] | None:
    """Position of each column OpenSID's export names and the import reads, or None when the
    file is not such an export. Its names are taken as OpenSID writes them, in lower case with
    underscores; the template's own names never match them all."""
    names = {str(header or "").strip().lower(): index for index, header in enumerate(headers)}
    if not all(name in names for name in OPENSID_REQUIRED):
        return None
    return {names[name]: key for name, key in OPENSID_COLUMNS.items() if name in names}


def _column_keys(headers) -> dict[int, str]:
    """Position of each known column; unknown columns are ignored."""
    names = {}
    for column in COLUMNS:
        for name in (column.header, column.key, *column.aliases):
            names[_header_key(name)] = column.key
    return {
        index: names[_header_key(header)]
        for index, header in enumerate(headers)
        if _header_key(header) in names
    }


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable()


def too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(size)s MB. Split it into smaller files.")
        % {"size": MAX_FILE_BYTES // (1024 * 1024)},
        code="import_too_large",
    )


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("The file has more than %(rows)s residents. Split it into smaller files.")
        % {"rows": f"{MAX_ROWS:,}".replace(",", ".")},
        code="import_too_many_rows",
    )


def _csv_table(content: bytes) -> tuple[list, Callable[[int], Iterator[Sequence]]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Excel set to Indonesian separates CSV fields with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers = next(reader, [])[:MAX_HEADER_COLUMNS]

    def lines(width: int) -> Iterator[Sequence]:
        for values in reader:
            yield values[:width]

    return headers, lines


def _xlsx_table(content: bytes) -> tuple[list, Callable[[int], Iterator[Sequence]]]:
    """The first sheet, read row by row. Its ``<dimension>`` is never trusted: a file of a
    kilobyte may claim A1:XFD20000, and reading by that claim fills hundreds of millions of
    empty cells."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # The sizes the archive declares bound what it unpacks to: nothing is read past them.
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _(
                "The Excel file unpacks to more than %(size)s MB. Copy the residents into the "
                "template and upload it again."
            )
            % {"size": MAX_UNPACKED_BYTES // (1024 * 1024)},
            code="import_unpacked_too_large",
        )
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.active
    sheet.reset_dimensions()
    header_row = next(sheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), ())

    def lines(width: int) -> Iterator[Sequence]:
        try:
            yield from sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        finally:
            workbook.close()

    return list(header_row), lines


def import_file_read(
    *, content: bytes, file_format: str, on_progress: Callable[[int], None] | None = None
) -> list[PlannedRow]:
    """The data rows of the file, each with its cells by column key. Raises a ValidationError
    when the file is not a spreadsheet, lacks a required column or has too many rows.

    The header row tells the template's columns from OpenSID's resident export; an export's
    rows keep OpenSID's codes in their cells, for the check to read.

    The file is read line by line, never more than the columns the template knows nor more than
    ``MAX_ROWS`` + 1 residents, so that a small hostile file cannot take the memory or the time
    of the server. ``on_progress`` is told every ``PROGRESS_EVERY`` lines how many were read.
    """
    if len(content) > MAX_FILE_BYTES:
        raise too_large()
    read_table = _csv_table if file_format == ImportJob.Format.CSV else _xlsx_table
    try:
        headers, lines = read_table(content)
        keys, source = _opensid_keys(headers), Source.OPENSID
        if keys is None:
            keys, source = _column_keys(headers), Source.TEMPLATE
        missing = [c.header for c in COLUMNS if c.required and c.key not in keys.values()]
        if missing:
            raise ValidationError(
                _(
                    "The file lacks the columns %(columns)s. The first row must hold the "
                    "column names of the template."
                )
                % {"columns": ", ".join(missing)},
                code="import_columns",
            )
        rows = []
        # Only as far as the last known column: the template's own width for its own file.
        for line, values in enumerate(lines(max(keys) + 1), start=2):
            if line > MAX_LINES:
                raise ValidationError(
                    _(
                        "The file goes on for more than %(lines)s lines, counting the empty "
                        "ones. Delete the empty lines below the residents, or split the file."
                    )
                    % {"lines": f"{MAX_LINES:,}".replace(",", ".")},
                    code="import_too_many_lines",
                )
            if on_progress is not None and line % PROGRESS_EVERY == 0:
                on_progress(line)
            cells = {key: values[index] for index, key in keys.items() if index < len(values)}
            if all(value is None or str(value).strip() == "" for value in cells.values()):
                continue
            if len(rows) == MAX_ROWS:
                raise _too_many_rows()
            rows.append(PlannedRow(line=line, cells=cells, source=source))
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure means "not a spreadsheet"
        raise _unreadable() from error
    if not rows:
        raise ValidationError(
            _("The file has no resident rows below the column names."), code="import_empty"
        )
    return rows


# Reading cells.


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def cell_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 1 <= value < 100_000:
        return from_excel(value).date()
    text = cell_text(value)
    for date_format_ in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format_).date()
        except ValueError:
            continue
    return None


def cell_number(value) -> int | None:
    match = _NUMBER.match(cell_text(value))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None
