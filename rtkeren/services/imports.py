"""Resident import from a spreadsheet: the template, the check (dry run) and the import itself.

An officer uploads an Excel or CSV file for their kelurahan. The check reads every row and says
what would happen to it (created, updated, unchanged or rejected, and why) without writing a
resident; the file waits, encrypted, in an ImportJob. On confirmation everything is checked again
and the accepted rows are written through the resident services in one transaction: all of them
land or none does.
"""

import csv
import datetime
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history

from rtkeren import nik as nik_codec
from rtkeren import tasks
from rtkeren.models import RT, ImportJob, Kelurahan, Resident, User
from rtkeren.permissions import can
from rtkeren.phone import normalize_phone
from rtkeren.services.base import base_residents_sync, base_sync_deferred
from rtkeren.services.residents import resident_update

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: Lines read at most, counting empty ones: a file may not hide an endless run of empty rows.
MAX_LINES = 2 * MAX_ROWS
#: Columns in which the column names are looked for: the template's, and room for a few more
#: (a number, a remark) that officers add and the import ignores.
MAX_HEADER_COLUMNS = 30
#: What an Excel file (a zip archive) may unpack to; the template filled with MAX_ROWS residents
#: unpacks to about 11 MB.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
#: How often the reading of a file tells how far it got, in lines.
PROGRESS_EVERY = 500
#: How long a checked file waits for confirmation before it must be uploaded again.
JOB_MAX_AGE = datetime.timedelta(hours=2)
#: NIKs looked up per query, well under every database's limit on query parameters.
LOOKUP_CHUNK = 2_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    example: str
    aliases: tuple[str, ...] = ()


# The headers are part of the file format, so they stay in Indonesian whatever the page language.
COLUMNS = (
    Column("nik", "NIK", True, "3572024708850001"),
    Column("name", "Nama", True, "Siti Aminah", ("nama lengkap",)),
    Column("birth_date", "Tanggal lahir", True, "07-08-1985", ("tgl lahir", "tanggal_lahir")),
    Column("sex", "Jenis kelamin", False, "P", ("jenis_kelamin", "jk", "l/p")),
    Column("rw", "RW", True, "7"),
    Column("rt", "RT", True, "2"),
    Column("kk_number", "No. KK", False, "3572020101090001", ("nomor kk", "no kk", "kk")),
    Column("address", "Alamat", False, "Jl. Kalimantan No. 12"),
    Column("phone", "Telepon", False, "0812-3456-7890", ("no hp", "no. hp", "hp", "telp")),
    Column("occupation", "Pekerjaan", False, "Pedagang"),
)
EXAMPLE_NIK = COLUMNS[0].example
#: Columns stored as text in the template, so that Excel keeps all 16 digits and leading zeros.
TEXT_COLUMNS = ("nik", "kk_number", "phone", "birth_date")
#: Optional columns: an empty cell keeps what the register holds.
OPTIONAL_FIELDS = ("kk_number", "address", "phone", "occupation")
FIELD_LABELS = {
    "name": gettext_lazy("name"),
    "birth_date": gettext_lazy("birth date"),
    "sex": gettext_lazy("sex"),
    "rt": gettext_lazy("RT"),
    "kk_number": gettext_lazy("family card number"),
    "address": gettext_lazy("address"),
    "phone": gettext_lazy("phone"),
    "occupation": gettext_lazy("occupation"),
}
_SEX_WORDS = {"l": "L", "laki-laki": "L", "laki laki": "L", "p": "P", "perempuan": "P"}
_NUMBER = re.compile(r"^(?:r[tw]\.?\s*)?0*(\d{1,3})(?:\.0+)?$", re.IGNORECASE)
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"
    ALL = (CREATE, UPDATE, UNCHANGED, REJECT)
    WRITES = (CREATE, UPDATE)


@dataclass
class PlannedRow:
    """One data row of the file and what the import does with it."""

    line: int
    cells: dict
    action: str = Action.CREATE
    messages: list[str] = field(default_factory=list)
    name: str = ""
    nik: str = ""
    digest: str = ""
    place: str = ""
    values: dict = field(default_factory=dict)
    resident: Resident | None = None
    changes: dict = field(default_factory=dict)

    def reject(self, message) -> None:
        self.action = Action.REJECT
        self.messages.append(str(message))

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "action": self.action,
            "name": self.name[:150],
            "nik": bool(self.digest),
            "place": self.place,
            "messages": self.messages,
            "changes": [str(FIELD_LABELS[name]) for name in self.changes],
        }


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    content_sha256: str

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Action.ALL, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def fingerprint(self) -> str:
        """Changes when the file or any row's outcome changes: what the officer confirms."""
        outcome = [
            [row.line, row.action, row.resident.pk if row.resident else None, sorted(row.changes)]
            for row in self.rows
        ]
        payload = json.dumps([self.content_sha256, outcome], separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    def as_json(self) -> dict:
        return {"counts": self.counts(), "rows": [row.as_json() for row in self.rows]}


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


def _too_large() -> ValidationError:
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

    The file is read line by line, never more than the columns the template knows nor more than
    ``MAX_ROWS`` + 1 residents, so that a small hostile file cannot take the memory or the time
    of the server. ``on_progress`` is told every ``PROGRESS_EVERY`` lines how many were read.
    """
    if len(content) > MAX_FILE_BYTES:
        raise _too_large()
    read_table = _csv_table if file_format == ImportJob.Format.CSV else _xlsx_table
    try:
        headers, lines = read_table(content)
        keys = _column_keys(headers)
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
            rows.append(PlannedRow(line=line, cells=cells))
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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 1 <= value < 100_000:
        return from_excel(value).date()
    text = _text(value)
    for date_format_ in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format_).date()
        except ValueError:
            continue
    return None


def _number(value) -> int | None:
    match = _NUMBER.match(_text(value))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


# The check.


def _read_row(row: PlannedRow, *, rts: dict, kelurahan: Kelurahan) -> None:
    """Fill ``row.values`` from its cells, rejecting it with every problem found."""
    cells = row.cells
    row.name = _text(cells.get("name"))
    row.nik = nik_codec.normalize_nik(_text(cells.get("nik")))
    facts = None
    if not row.nik:
        row.reject(_("Enter the resident's NIK."))
    elif row.nik == EXAMPLE_NIK:
        row.reject(_("This is the example row of the template. Delete it from the file."))
    else:
        try:
            facts = nik_codec.parse_nik(row.nik)
        except ValidationError as error:
            for message in error.messages:
                row.reject(message)
    if facts is not None:
        row.digest = nik_codec.nik_digest(row.nik)

    birth_date = _date(cells.get("birth_date"))
    if birth_date is None:
        row.reject(_("Write the birth date as day-month-year, e.g. 17-08-1985."))
    elif facts and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        facts.birth_date.day,
        facts.birth_date.month,
        facts.birth_date.year % 100,
    ):
        row.reject(
            _(
                "The birth date does not match the NIK, which says %(date)s. Check the "
                "birth date or the NIK."
            )
            % {"date": date_format(facts.birth_date, "j F Y")}
        )

    sex_text = _text(cells.get("sex")).lower()
    sex = _SEX_WORDS.get(sex_text) if sex_text else (facts.sex if facts else "")
    if sex is None:
        row.reject(_("Write the sex as L (male) or P (female)."))
    elif facts and sex != facts.sex:
        row.reject(
            _("The sex does not match the NIK, which says %(sex)s. Check the sex or the NIK.")
            % {"sex": Resident.Sex(facts.sex).label}
        )

    rw_number, rt_number = _number(cells.get("rw")), _number(cells.get("rt"))
    rt = rts.get((rw_number, rt_number))
    if rw_number is None or rt_number is None:
        row.reject(_("Write the RW and the RT as numbers, e.g. 7 and 2."))
    elif rt is None:
        row.reject(
            _("Kelurahan %(kelurahan)s has no RT %(rt)03d / RW %(rw)03d.")
            % {"kelurahan": kelurahan.name, "rt": rt_number, "rw": rw_number}
        )
    else:
        row.place = str(rt)

    phone = ""
    try:
        phone = normalize_phone(_text(cells.get("phone")))
    except ValidationError as error:
        row.reject(_("Phone: %(error)s") % {"error": " ".join(error.messages)})

    row.values = {
        "name": row.name,
        "birth_date": birth_date,
        "sex": sex or "",
        "rt": rt,
        "kk_number": nik_codec.normalize_nik(_text(cells.get("kk_number"))),
        "address": _text(cells.get("address")),
        "phone": phone,
        "occupation": _text(cells.get("occupation")),
    }
    # The model's own field rules (lengths, the family card number) give the same messages as
    # the forms; the NIK and the places were checked above.
    candidate = Resident(**{k: v for k, v in row.values.items() if k != "rt"})
    try:
        candidate.clean_fields(
            exclude=[
                "nik_ciphertext",
                "nik_digest",
                "rt",
                "user",
                "verified_by",
                "birth_date",
                "sex",
            ]
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = Resident._meta.get_field(name).verbose_name
            for message in messages:
                row.reject(f"{str(label).capitalize()}: {message}")


def _register_matches(digests: list[str]) -> dict[str, list[Resident]]:
    """Every resident holding one of the NIKs, with their places: a query per LOOKUP_CHUNK."""
    found: dict[str, list[Resident]] = {}
    for start in range(0, len(digests), LOOKUP_CHUNK):
        chunk = digests[start : start + LOOKUP_CHUNK]
        for resident in Resident.objects.filter(nik_digest__in=chunk).select_related("rt__rw"):
            found.setdefault(resident.nik_digest, []).append(resident)
    return found


def _compare(row: PlannedRow, resident: Resident) -> None:
    """Record what an update would change. Empty optional cells keep the register's value."""
    row.resident = resident
    for name, value in row.values.items():
        if name in OPTIONAL_FIELDS and not value:
            continue
        current = resident.rt if name == "rt" else getattr(resident, name)
        if current != value:
            row.changes[name] = value
    row.action = Action.UPDATE if row.changes else Action.UNCHANGED
    if not resident.is_verified:
        row.messages.append(
            _("This resident waits for verification; the import does not verify them.")
        )


def import_plan(*, kelurahan: Kelurahan, rows: list[PlannedRow], content_sha256: str) -> ImportPlan:
    """Decide each row's fate without writing. Queries: one for the RTs and one per
    LOOKUP_CHUNK NIKs, however many rows the file has."""
    rts = {
        (rt.rw.number, rt.number): rt
        for rt in RT.objects.filter(rw__kelurahan=kelurahan).select_related("rw__kelurahan")
    }
    lines_by_digest: dict[str, list[int]] = {}
    for row in rows:
        _read_row(row, rts=rts, kelurahan=kelurahan)
        if row.digest:
            lines_by_digest.setdefault(row.digest, []).append(row.line)

    matches = _register_matches(list(lines_by_digest))
    for row in rows:
        if not row.digest:
            continue
        lines = lines_by_digest[row.digest]
        if len(lines) > 1:
            row.reject(
                _(
                    "The same NIK is on several lines of this file (%(lines)s). Keep one line "
                    "per resident."
                )
                % {"lines": ", ".join(str(line) for line in lines)}
            )
        residents = matches.get(row.digest, [])
        own = [r for r in residents if r.rt.rw.kelurahan_id == kelurahan.pk]
        own.sort(key=lambda r: (not r.is_verified, r.pk))
        elsewhere = [r for r in residents if r.is_verified and r not in own]
        if elsewhere and not (own and own[0].is_verified):
            row.reject(
                _(
                    "A verified resident with this NIK is already in the register of another "
                    "kelurahan. The same person cannot be added twice."
                )
            )
        if row.action != Action.REJECT and own:
            _compare(row, own[0])
    return ImportPlan(rows=rows, content_sha256=content_sha256)


# Jobs.


def _job_plan(job: ImportJob, *, on_progress=None) -> ImportPlan:
    tampered = ValidationError(
        _("The stored file has been altered. Upload the file again."), code="import_tampered"
    )
    try:
        content = nik_codec.cipher().decrypt(bytes(job.content))
    except InvalidToken as error:
        # Altered, or kept under a key since rotated out: either way, only a new upload helps.
        raise tampered from error
    if hashlib.sha256(content).hexdigest() != job.content_sha256:
        raise tampered
    rows = import_file_read(content=content, file_format=job.file_format, on_progress=on_progress)
    return import_plan(kelurahan=job.kelurahan, rows=rows, content_sha256=job.content_sha256)


def import_job_is_stale(job: ImportJob) -> bool:
    return job.created_at < timezone.now() - JOB_MAX_AGE


@transaction.atomic
def import_job_create(
    *, officer: User, kelurahan: Kelurahan, file_name: str, content: bytes
) -> ImportJob:
    """Keep an uploaded file, encrypted, and queue its check in the background worker
    (``import_job_check``). Raises a ValidationError only for what is known without reading
    the file (its type, its size); what the check finds is shown on the job's page."""
    if not can(officer, "rtkeren.import_residents", kelurahan):
        raise PermissionDenied(_("Only an officer of the kelurahan can import its residents."))
    file_format = import_format_of(file_name)
    if len(content) > MAX_FILE_BYTES:
        raise _too_large()
    # Files nobody confirmed in time hold personal data for no purpose.
    ImportJob.objects.filter(
        officer=officer,
        status__in=[
            ImportJob.Status.WAITING,
            ImportJob.Status.CHECKING,
            ImportJob.Status.CHECKED,
            ImportJob.Status.FAILED,
        ],
        created_at__lt=timezone.now() - JOB_MAX_AGE,
    ).delete()
    job = ImportJob.objects.create(
        officer=officer,
        kelurahan=kelurahan,
        file_name=file_name[-255:],
        file_format=file_format,
        content=nik_codec.cipher().encrypt(content),
        content_sha256=hashlib.sha256(content).hexdigest(),
        status=ImportJob.Status.WAITING,
    )
    transaction.on_commit(partial(tasks.resident_import_check.enqueue, job.pk), robust=True)
    return job


def _officer_language(job: ImportJob) -> str:
    """The worker has no request: the messages it keeps speak the officer's language."""
    return job.officer.language or settings.LANGUAGE_CODE


def import_job_check(*, job_id: int) -> str:
    """The worker's part of an upload: read and check the file, keep the plan for the officer
    to confirm. Returns the job's new status.

    Not one transaction: each step (claimed, lines read so far, done or failed) must reach the
    officer's page while the check goes on. It writes no resident."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.WAITING).update(
        status=ImportJob.Status.CHECKING, rows_read=0
    )
    if not claimed:
        # Purged meanwhile, or already checked by another worker.
        return ""
    job = ImportJob.objects.select_related("kelurahan", "officer").get(pk=job_id)

    def progress(lines: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_read=lines)

    with translation.override(_officer_language(job)):
        try:
            plan = _job_plan(job, on_progress=progress)
        except ValidationError as error:
            _job_failed(job, " ".join(error.messages))
            return job.status
        except Exception:
            _job_failed(job, _("The check stopped unexpectedly. Upload the file again."))
            raise
    job.status = ImportJob.Status.CHECKED
    job.plan, job.fingerprint = plan.as_json(), plan.fingerprint
    job.rows_read = plan.rows[-1].line
    job.save(update_fields=["status", "plan", "fingerprint", "rows_read"])
    return job.status


def _job_failed(job: ImportJob, message: str) -> None:
    """A file that cannot be checked is of no further use: only its name and the reason stay."""
    job.status, job.error, job.content = ImportJob.Status.FAILED, message, b""
    job.save(update_fields=["status", "error", "content"])


def _may_import(officer: User, job: ImportJob) -> None:
    if not can(officer, "rtkeren.import_residents", job.kelurahan) or (
        job.officer_id != officer.pk
    ):
        raise PermissionDenied(_("Only the officer who uploaded the file can import it."))


def _stale_check() -> ValidationError:
    return ValidationError(
        _("This check is more than two hours old. Upload the file again."),
        code="import_stale",
    )


def _import_changed() -> ValidationError:
    return ValidationError(
        _(
            "The register or the file changed since the check you confirmed. Nothing was "
            "imported; look at the new check below and confirm again."
        ),
        code="import_changed",
    )


@transaction.atomic
def import_job_confirm(*, officer: User, job: ImportJob, fingerprint: str) -> ImportJob:
    """Queue the import of a checked file in the background worker (``import_job_apply``),
    once the quick checks pass; the worker checks everything again before it writes."""
    _may_import(officer, job)
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status in (ImportJob.Status.IMPORTING, ImportJob.Status.IMPORTED):
        raise ValidationError(_("This file has already been imported."), code="import_done")
    if locked.status != ImportJob.Status.CHECKED:
        raise ValidationError(
            _("The check of this file has not finished. Wait until it has."),
            code="import_unchecked",
        )
    if import_job_is_stale(locked):
        raise _stale_check()
    if fingerprint != locked.fingerprint:
        raise _import_changed()
    locked.status, locked.error = ImportJob.Status.IMPORTING, ""
    locked.save(update_fields=["status", "error"])
    transaction.on_commit(
        partial(tasks.resident_import_apply.enqueue, locked.pk, fingerprint), robust=True
    )
    return locked


def import_job_apply(*, job_id: int, fingerprint: str) -> str:
    """The worker's part of a confirmation: import the file, or keep why it was not imported
    for the officer to read on the job's page. Returns the job's new status."""
    job = ImportJob.objects.select_related("kelurahan", "officer").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.IMPORTING:
        return ""
    with translation.override(_officer_language(job)):
        try:
            job = import_job_run(officer=job.officer, job=job, fingerprint=fingerprint)
        except ValidationError as error:
            _import_refused(job, " ".join(error.messages))
        except PermissionDenied as error:
            _import_refused(job, str(error))
        except Exception:
            _import_refused(job, _("The import stopped unexpectedly. Nothing was imported."))
            raise
    job.refresh_from_db(fields=["status"])
    return job.status


def _import_refused(job: ImportJob, message: str) -> None:
    """Back to the check, with the reason: the officer may look again and confirm again."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.IMPORTING).update(
        status=ImportJob.Status.CHECKED, error=message
    )


def _new_resident(row: PlannedRow, *, officer: User, now) -> Resident:
    """A verified resident the officer adds. The checks ``resident_save`` makes one by one were
    made for the whole file by the plan; the unique constraint on verified NIKs still guards
    against a resident added by someone else in between."""
    resident = Resident(
        **row.values,
        verification=Resident.Verification.VERIFIED,
        verified_at=now,
        verified_by=officer,
    )
    resident.set_nik(row.nik)
    return resident


def _write_updates(rows: list[PlannedRow], *, officer: User) -> None:
    for row in rows:
        if row.action != Action.UPDATE:
            continue
        try:
            resident_update(by=officer, resident=row.resident, **row.changes)
        except ValidationError as error:
            raise ValidationError(
                _("Line %(line)s could not be saved: %(error)s Nothing was imported.")
                % {"line": row.line, "error": " ".join(error.messages)},
                code="import_write_failed",
            ) from error


def _write_all(rows: list[PlannedRow], *, officer: User) -> None:
    """Updates one by one through the resident service; new residents in batches (with their
    history), since one by one a large file would take minutes. The scorecard base follows once
    for the whole file."""
    with base_sync_deferred():
        _write_updates(rows, officer=officer)
    now = timezone.now()
    new = [
        _new_resident(row, officer=officer, now=now) for row in rows if row.action == Action.CREATE
    ]
    try:
        with transaction.atomic():
            created = bulk_create_with_history(new, Resident, batch_size=500, default_user=officer)
            base_residents_sync(resident_ids=[resident.pk for resident in created])
    except IntegrityError as error:
        raise ValidationError(
            _(
                "The register refused the new residents: one of them was added by someone "
                "else meanwhile. Nothing was imported; upload the file again for a new check."
            ),
            code="import_write_failed",
        ) from error


def import_job_run(*, officer: User, job: ImportJob, fingerprint: str) -> ImportJob:
    """Import the accepted rows of a confirmed file, all or none (in the worker: see
    ``import_job_apply``).

    Everything is checked again first: when the outcome differs from the check the officer
    confirmed (``fingerprint``), because the register changed meanwhile or the form was altered,
    nothing is written and the job keeps the new check for the officer to review.
    """
    _may_import(officer, job)
    if job.status != ImportJob.Status.IMPORTING:
        raise ValidationError(_("This file has already been imported."), code="import_done")
    if import_job_is_stale(job):
        raise _stale_check()
    plan = _job_plan(job)
    if fingerprint != job.fingerprint or plan.fingerprint != job.fingerprint:
        job.plan, job.fingerprint = plan.as_json(), plan.fingerprint
        job.save(update_fields=["plan", "fingerprint"])
        raise _import_changed()
    accepted = [row for row in plan.rows if row.action in Action.WRITES]
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.IMPORTING:
            raise ValidationError(_("This file has already been imported."), code="import_done")
        _write_all(accepted, officer=officer)
        counts = plan.counts()
        job.status = ImportJob.Status.IMPORTED
        job.imported_at = timezone.now()
        job.created_count = counts[Action.CREATE]
        job.updated_count = counts[Action.UPDATE]
        job.content = b""
        job.plan = plan.as_json()
        job.save()
    return job
