"""The change history of one record (django-simple-history), a page at a time, with what changed
in each version: for any model that keeps a ``history``.

Two queries whatever the page holds: the page's versions, the one before them (the oldest diff
needs it) and their count in one, and the names of the records the changed references point to
in one per kind of record (none when no reference changed).
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Window

from rtkeren.models import RT

PAGE_SIZE = 25
_TOTAL = "_history_total"
#: A page number past any history, as ``rtkeren.paginate`` reads one typed in the URL.
_MAX_PAGE = 1_000_000
EMPTY = "—"


@dataclass
class FieldChange:
    field: models.Field
    label: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    record: models.Model
    changes: list[FieldChange] = field(default_factory=list)


def history_records(obj: models.Model):
    """Every saved version of ``obj``, newest first, with who saved it."""
    return obj.history.select_related("history_user").order_by("-history_date", "-history_id")


def history_page(obj: models.Model, number, *, per_page: int = PAGE_SIZE) -> Page:
    """The page ``number`` of ``obj``'s versions (a number out of range or not a number gives
    the last page or the first, as ``Paginator.get_page``), each an entry with its changes."""
    records = history_records(obj)
    try:
        number = min(max(int(number), 1), _MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    rows = _rows(records, number, per_page)
    if not rows and number > 1:
        total = records.count()
        number = max((total + per_page - 1) // per_page, 1)
        rows = _rows(records, number, per_page)
    paginator = Paginator(records, per_page)
    # The count Django would ask for, read with the rows already.
    paginator.__dict__["count"] = getattr(rows[0], _TOTAL) if rows else 0
    page = paginator.page(number)
    # Each version is compared with the next row, the one saved before it.
    entries = [
        HistoryEntry(record=record, changes=_changes(obj._meta.model, record, base))
        for record, base in zip(rows[:per_page], [*rows[1:], None], strict=False)
    ]
    _describe_references([change for entry in entries for change in entry.changes])
    page.object_list = entries
    return page


def _rows(records, number: int, per_page: int) -> list:
    """The page's versions and the one just before them, each with the count of all."""
    start = (number - 1) * per_page
    return list(records.annotate(**{_TOTAL: Window(Count("pk"))})[start : start + per_page + 1])


def _changes(model: type[models.Model], record, older) -> list[FieldChange]:
    if older is None:
        return []
    changes = []
    for change in record.diff_against(older).changes:
        model_field = model._meta.get_field(change.field)
        if getattr(model_field, "auto_now", False):
            # Moves with every save: the version's own date says when.
            continue
        changes.append(
            FieldChange(
                field=model_field,
                label=str(model_field.verbose_name),
                old=_display(model_field, change.old),
                new=_display(model_field, change.new),
            )
        )
    return changes


def _display(model_field: models.Field, value):
    if value in (None, ""):
        return EMPTY
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    return value


def _describe_references(changes: list[FieldChange]) -> None:
    """Show changed references (an RT, an account, a merged potential) by name: one query per
    kind of record."""
    wanted: dict[type[models.Model], set] = {}
    for change in changes:
        if change.field.is_relation:
            ids = {value for value in (change.old, change.new) if value != EMPTY}
            wanted.setdefault(change.field.related_model, set()).update(ids)
    names = {
        model: _named(model._default_manager.all()).in_bulk(ids) for model, ids in wanted.items()
    }
    for change in changes:
        if change.field.is_relation:
            found = names[change.field.related_model]
            change.old = str(found[change.old]) if change.old in found else change.old
            change.new = str(found[change.new]) if change.new in found else change.new


def _named(queryset):
    """An RT's name includes its RW's number."""
    return queryset.select_related("rw") if queryset.model is RT else queryset


#: The latest changes of a record's parts shown on its history page.
RELATED_LIMIT = 100


@dataclass
class RelatedChange:
    record: models.Model
    description: str


@dataclass
class RelatedHistory:
    """The changes of a record's parts (a meeting's attendance, a proposal's comments), newest
    first: the latest ``RELATED_LIMIT`` of them and how many there are in all."""

    title: str
    changes: list[RelatedChange]
    total: int


def related_history(title: str, records, describe, *, limit: int = RELATED_LIMIT) -> RelatedHistory:
    """``records``, a queryset of historical rows (``Model.history.filter(...)``), as a section
    of a history page: one query, with who saved each and the count of all. ``describe`` is
    ``(historical row) -> str``, reading only what ``records`` selects."""
    rows = list(
        records.select_related("history_user")
        .annotate(**{_TOTAL: Window(Count("pk"))})
        .order_by("-history_date", "-history_id")[:limit]
    )
    return RelatedHistory(
        title=title,
        changes=[RelatedChange(record=row, description=describe(row)) for row in rows],
        total=getattr(rows[0], _TOTAL) if rows else 0,
    )
