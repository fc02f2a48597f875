"""Spreadsheets officers download: a small framework, and the core's own exports.

Each app registers named exports in its ``exports.py`` (discovered like the attention modules,
see ``rtkeren.registry``) with ``@register_export(name, title=..., columns=[...])`` on a function
``(user, scope) -> iterable of rows``. A row function reads one queryset with ``values_list`` of
the columns it needs and ``.iterator(chunk_size=CHUNK_SIZE)``, so that it costs a constant
number of queries and a whole city's rows never sit in memory at once; the workbook is written in
openpyxl's write-only mode to a temporary file, which the view streams. Every sheet, these and
the scorecard's, is written by ``sheet_write``: the header row stays in view when scrolling and
each column is as wide as its content.

Whole rupiah go in ``money`` columns and dates in ``date`` columns, so that Excel can add them up
and sort them. No digit of a NIK or family card number leaves the portal in an export, and a
birth date only for an officer of the resident's kelurahan: anyone else gets the age, since the
birth date and the kecamatan are most of a NIK.
"""

import datetime
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rtkeren import scopes
from rtkeren.models import Activity, ActivityStatus, BudgetLine, Kelurahan, Resident, Role
from rtkeren.models.people import years_between
from rtkeren.permissions import can
from rtkeren.registry import exports

CHUNK_SIZE = 2000
#: What a workbook is served as, by the export pages and by any other page offering one.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_PERMISSION = "rtkeren.export_data"
MONEY_FORMAT = '"Rp"#,##0'
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
SHEET_TITLE_LENGTH = 31
# Column widths in characters: no column narrower than a date, none wider than a screen.
COLUMN_WIDTH_MIN = 8
COLUMN_WIDTH_MAX = 60
# Beyond the longest text: room for bold headers and the filter arrow.
COLUMN_PADDING = 2


@dataclass(frozen=True)
class Column:
    header: str
    number_format: str = ""


def money(header) -> Column:
    return Column(header, MONEY_FORMAT)


def date(header) -> Column:
    return Column(header, DATE_FORMAT)


def moment(header) -> Column:
    return Column(header, DATETIME_FORMAT)


@dataclass(frozen=True)
class ExportScope:
    """One kelurahan, or the whole city when ``kelurahan`` is None."""

    kelurahan: Kelurahan | None = None

    @property
    def label(self) -> str:
        return self.kelurahan.name if self.kelurahan else _("Whole city")

    @property
    def query_value(self) -> str:
        return str(self.kelurahan.pk) if self.kelurahan else ""

    def filter(self, queryset: QuerySet, kelurahan_lookup: str = "kelurahan") -> QuerySet:
        """``queryset`` cut to this scope; ``kelurahan_lookup`` leads from its rows to the
        kelurahan (``"rt__rw__kelurahan"`` for residents, ``"activity__kelurahan"``...)."""
        if self.kelurahan is None:
            return queryset
        return queryset.filter(**{kelurahan_lookup: self.kelurahan})


def column_headers(columns: Sequence[Column | str]) -> list[str]:
    return [str(column.header if isinstance(column, Column) else column) for column in columns]


def _number_formats(columns: Sequence[Column | str]) -> list[str]:
    return [column.number_format if isinstance(column, Column) else "" for column in columns]


@dataclass(frozen=True)
class Sheet:
    """What an export returns when its columns are known only as it runs (the evaluations'
    columns follow the criteria): the columns and the rows, read from the same data."""

    columns: Sequence[Column | str]
    rows: Iterable[Sequence]

    def __iter__(self):
        return iter(self.rows)


@dataclass(frozen=True)
class Export:
    name: str
    title: str
    #: The columns; for an export that returns a ``Sheet``, those it has without data.
    columns: Sequence[Column | str]
    rows: Callable[..., Iterable[Sequence]]
    permission: str = EXPORT_PERMISSION
    # Templates read its title and name; calling it there would run the export.
    do_not_call_in_templates = True

    def __call__(self, user, scope: ExportScope) -> Iterable[Sequence]:
        return self.rows(user, scope)


def register_export(
    name: str,
    *,
    title,
    columns: Sequence[Column | str],
    permission: str = EXPORT_PERMISSION,
    order: int = 100,
) -> Callable:
    """Register ``rows(user, scope)`` as the export ``name`` (also its file name)."""

    def decorator(rows: Callable) -> Callable:
        export = Export(name=name, title=title, columns=columns, rows=rows, permission=permission)
        exports.register(name, order=order)(export)
        return rows

    return decorator


def all_exports() -> list[Export]:
    return [export for _name, export in exports.items()]


def export_named(name: str) -> Export | None:
    entry = exports.entries.get(name)
    return entry[1] if entry else None


def scopes_for(user) -> list[ExportScope]:
    """The scopes offered to ``user`` on the exports page: the city for city viewers and admins,
    each kelurahan for its officers."""
    offered = [ExportScope()] if scopes.sees_whole_city(user) else []
    kelurahan = scopes.kelurahan_ids(user, Role.OFFICER)
    offered += [ExportScope(k) for k in Kelurahan.objects.filter(pk__in=kelurahan).order_by("name")]
    return offered


#: The largest primary key a database holds: a larger id names nothing (and would be an error
#: from PostgreSQL, not an answer).
LARGEST_ID = 2**63 - 1


def scope_asked(user, wanted: str | int | None) -> ExportScope | None:
    """The scope a download asks for: ``wanted`` is a kelurahan's id within the user's reach
    (None when it is not a number, out of reach or unknown: the caller answers 404); without
    it, the first scope the exports page offers (the city for those who see it, else the
    officer's first kelurahan; the city when nothing is offered, which the permission check
    then refuses)."""
    if wanted in (None, ""):
        offered = scopes_for(user)
        return offered[0] if offered else ExportScope()
    wanted = str(wanted)
    if not wanted.isdecimal() or not 0 < int(wanted) <= LARGEST_ID:
        return None
    reach = Kelurahan.objects.filter(pk=int(wanted))
    if not scopes.sees_whole_city(user):
        reach = reach.filter(pk__in=scopes.kelurahan_ids(user, Role.OFFICER))
    kelurahan = reach.first()
    return ExportScope(kelurahan) if kelurahan is not None else None


def exports_for(user, scope: ExportScope) -> list[Export]:
    return [export for export in all_exports() if can(user, export.permission, scope.kelurahan)]


def _cell_value(value):
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel has no time zones: write the wall-clock time of Asia/Jakarta.
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def sheet_title(title) -> str:
    """Excel refuses some characters and more than 31 of them in a sheet's name."""
    return re.sub(r"[\\/*?:\[\]]", "-", str(title))[:SHEET_TITLE_LENGTH]


def _shown_length(value, number_format: str) -> int:
    """About how many characters Excel shows for ``value`` in a cell of ``number_format``."""
    if value is None:
        return 0
    if number_format == MONEY_FORMAT:
        return len(f"Rp{value:,.0f}")
    if number_format in (DATE_FORMAT, DATETIME_FORMAT):
        return len(number_format)
    if isinstance(value, datetime.datetime):
        return len("2026-01-31 00:00:00")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _column_width(length: int) -> int:
    return min(max(length + COLUMN_PADDING, COLUMN_WIDTH_MIN), COLUMN_WIDTH_MAX)


def _cells(sheet, values: Sequence, formats: Sequence[str]) -> list:
    cells = []
    for value, number_format in zip(values, formats, strict=True):
        if number_format and value is not None:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            cells.append(cell)
        elif isinstance(value, str) and value.startswith("="):
            # Text people typed must never run as a formula in the officer's spreadsheet.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def sheet_write(
    workbook: Workbook, *, title, columns: Sequence[Column | str], rows: Iterable[Sequence]
) -> int:
    """Add the sheet ``title`` to the write-only ``workbook``: the header row in bold and frozen,
    ``rows`` below it, each column as wide as its longest text (within ``COLUMN_WIDTH_MIN`` and
    ``COLUMN_WIDTH_MAX``). Returns the number of rows.

    A write-only sheet needs its widths before its first row, and the rows are read once, a
    chunk at a time: they wait in a temporary file while they are measured, so that memory
    stays flat however many there are.
    """
    sheet = workbook.create_sheet(title=sheet_title(title))
    headers = column_headers(columns)
    formats = _number_formats(columns)
    lengths = [_shown_length(header, "") for header in headers]
    count = 0
    with tempfile.TemporaryFile() as waiting:
        for row in rows:
            values = [_cell_value(value) for value in row]
            for index, (value, number_format) in enumerate(zip(values, formats, strict=True)):
                lengths[index] = max(lengths[index], _shown_length(value, number_format))
            pickle.dump(values, waiting, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
        for index, length in enumerate(lengths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _column_width(length)
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        waiting.seek(0)
        for _row in range(count):
            # Only this function's own rows, written just above, are read back.
            sheet.append(_cells(sheet, pickle.load(waiting), formats))
    return count


def workbook_write(*, export: Export, scope: ExportScope, user, file: IO[bytes]) -> int:
    """Write ``export`` for ``scope`` as an .xlsx into ``file``; the number of data rows."""
    rows = export(user, scope)
    columns = rows.columns if isinstance(rows, Sheet) else export.columns
    workbook = Workbook(write_only=True)
    count = sheet_write(workbook, title=export.title, columns=columns, rows=rows)
    workbook.save(file)
    return count


# Every export of activities lists them in the same order: by place, year, then RW and RT.
ACTIVITY_ORDER = ("kelurahan__name", "period__year", "rt__rw__number", "rt__number", "pk")


def rt_label(rt_number: int | None, rw_number: int | None) -> str:
    """ "RT 002 / RW 007" from the two numbers a ``values_list`` gives; for no RT (an activity
    or a potential of the whole kelurahan) "Whole kelurahan", in every sheet alike."""
    if rt_number is None:
        return _("Whole kelurahan")
    return f"RT {rt_number:03d} / RW {rw_number:03d}"


def choice_labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


# The core's exports.


RESIDENT_COLUMNS_BEFORE_BIRTH = [gettext_lazy("Name"), gettext_lazy("NIK"), gettext_lazy("Sex")]
RESIDENT_COLUMNS_AFTER_BIRTH = [
    gettext_lazy("Kelurahan"),
    gettext_lazy("RT / RW"),
    gettext_lazy("Address"),
    gettext_lazy("Occupation"),
    gettext_lazy("Status"),
    gettext_lazy("Verification"),
]


def sees_birth_dates(user, scope: ExportScope) -> bool:
    """Birth dates for an officer exporting their own kelurahan; ages for everyone else."""
    return scope.kelurahan is not None and scope.kelurahan.pk in scopes.kelurahan_ids(
        user, Role.OFFICER
    )


@register_export(
    "warga",
    title=gettext_lazy("Residents"),
    columns=[
        *RESIDENT_COLUMNS_BEFORE_BIRTH,
        gettext_lazy("Age"),
        *RESIDENT_COLUMNS_AFTER_BIRTH,
    ],
    order=0,
)
def residents_rows(user, scope: ExportScope) -> Sheet:
    # The encrypted NIK is not read at all: the sheet only says whether one is recorded.
    with_birth_dates = sees_birth_dates(user, scope)
    born_column = date(gettext_lazy("Birth date")) if with_birth_dates else gettext_lazy("Age")
    columns = [*RESIDENT_COLUMNS_BEFORE_BIRTH, born_column, *RESIDENT_COLUMNS_AFTER_BIRTH]
    return Sheet(columns=columns, rows=_resident_rows(scope, with_birth_dates=with_birth_dates))


def _resident_rows(scope: ExportScope, *, with_birth_dates: bool):
    sexes = choice_labels(Resident.Sex.choices)
    statuses = choice_labels(Resident.Status.choices)
    verifications = choice_labels(Resident.Verification.choices)
    recorded = _("Recorded")
    today = timezone.localdate()
    rows = (
        scope.filter(Resident.objects.all(), "rt__rw__kelurahan")
        .order_by("rt__rw__kelurahan__name", "rt__rw__number", "rt__number", "name", "pk")
        .values_list(
            "name",
            "nik_digest",
            "sex",
            "birth_date",
            "rt__rw__kelurahan__name",
            "rt__number",
            "rt__rw__number",
            "address",
            "occupation",
            "status",
            "verification",
        )
    )
    for (
        name,
        digest,
        sex,
        born,
        kelurahan,
        rt_number,
        rw_number,
        address,
        occupation,
        status,
        verification,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        if born is not None and not with_birth_dates:
            born = years_between(born, today)
        yield (
            name,
            recorded if digest else "",
            sexes.get(sex, sex),
            born,
            kelurahan,
            rt_label(rt_number, rw_number),
            address,
            occupation,
            statuses.get(status, status),
            verifications.get(verification, verification),
        )


@register_export(
    "kegiatan",
    title=gettext_lazy("Activities"),
    columns=[
        gettext_lazy("Title"),
        gettext_lazy("Kind"),
        gettext_lazy("Physical or not"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("RT / RW"),
        gettext_lazy("Community"),
        gettext_lazy("Period"),
        gettext_lazy("Funding source"),
        gettext_lazy("Status"),
        date(gettext_lazy("Planned start")),
        date(gettext_lazy("Planned end")),
        money(gettext_lazy("Budget")),
    ],
    order=10,
)
def activities_rows(user, scope: ExportScope):
    kinds = choice_labels(Activity.Kind.choices)
    natures = choice_labels(Activity.Nature.choices)
    fundings = choice_labels(Activity.Funding.choices)
    statuses = choice_labels(Activity._meta.get_field("status").choices)
    rows = (
        scope.filter(Activity.objects.all())
        .with_budget_total()
        .order_by(*ACTIVITY_ORDER)
        .values_list(
            "title",
            "kind",
            "nature",
            "kelurahan__name",
            "rt__number",
            "rt__rw__number",
            "community__name",
            "period__year",
            "funding_source",
            "status",
            "planned_start",
            "planned_end",
            "budget_total",
        )
    )
    for (
        title,
        kind,
        nature,
        kelurahan,
        rt_number,
        rw_number,
        community,
        year,
        funding,
        status,
        start,
        end,
        budget,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            title,
            kinds.get(kind, kind),
            natures.get(nature, nature),
            kelurahan,
            rt_label(rt_number, rw_number),
            community or "",
            year,
            fundings.get(funding, funding),
            statuses.get(status, status),
            start,
            end,
            budget or 0,
        )


#: The activities a kelurahan has committed to: approved, then in delivery or delivered.
PLANNED_STATUSES = (
    ActivityStatus.APPROVED,
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)


#: The columns of the regional planning system's forms, in their order (docs/planning-export.md):
#: the kelurahan's approved activities and an RT's budget plan are written in them alike.
PLANNING_COLUMNS = [
    gettext_lazy("Activity"),
    gettext_lazy("Item"),
    gettext_lazy("Location"),
    gettext_lazy("Volume"),
    gettext_lazy("Unit"),
    money(gettext_lazy("Unit price")),
    money(gettext_lazy("Budget")),
    gettext_lazy("Funding source"),
    gettext_lazy("Physical or not"),
    gettext_lazy("Period"),
    gettext_lazy("Status"),
]


def planning_row(
    *,
    title: str,
    item: str,
    location: str,
    quantity: int,
    unit: str,
    unit_price: int,
    funding: str,
    nature: str,
    year: int,
    status: str,
) -> tuple:
    """One row in ``PLANNING_COLUMNS`` from a budget line's values (codes as stored)."""
    return (
        title,
        item,
        location,
        quantity,
        unit,
        unit_price,
        quantity * unit_price,
        str(Activity.Funding(funding).label),
        str(Activity.Nature(nature).label),
        year,
        str(ActivityStatus(status).label),
    )


@register_export(
    "perencanaan",
    title=gettext_lazy("Approved activities for the regional planning system"),
    columns=PLANNING_COLUMNS,
    order=15,
)
def planning_rows(user, scope: ExportScope):
    """One row per budget line of the approved activities, in the columns the regional planning
    system asks for (activity, location, volume, unit, budget, source), so that an officer
    pastes them in as they are; the RT budget plan is the same rows filtered on one RT.
    docs/planning-export.md describes the columns."""
    lines = BudgetLine.objects.filter(activity__status__in=PLANNED_STATUSES)
    rows = (
        scope.filter(lines, "activity__kelurahan")
        .order_by(*(f"activity__{field}" for field in ACTIVITY_ORDER), "pk")
        .values_list(
            "activity__title",
            "item",
            "activity__kelurahan__name",
            "activity__rt__number",
            "activity__rt__rw__number",
            "quantity",
            "unit",
            "unit_price",
            "activity__funding_source",
            "activity__nature",
            "activity__period__year",
            "activity__status",
        )
    )
    for (
        title,
        item,
        kelurahan,
        rt_number,
        rw_number,
        quantity,
        unit,
        unit_price,
        funding,
        nature,
        year,
        status,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield planning_row(
            title=title,
            item=item,
            location=f"{rt_label(rt_number, rw_number)}, {kelurahan}",
            quantity=quantity,
            unit=unit,
            unit_price=unit_price,
            funding=funding,
            nature=nature,
            year=year,
            status=status,
        )
