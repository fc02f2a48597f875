"""The one writer of the export audit: a spreadsheet leaves the portal only through here."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from rtkeren.exports import Export, ExportScope, Sheet, column_headers, workbook_write
from rtkeren.models import ExportAudit, User
from rtkeren.permissions import can


def export_write(*, user: User, export: Export, scope: ExportScope, file) -> ExportAudit:
    """Write ``export`` for ``scope`` into ``file`` and record who took how many rows of what."""
    if not can(user, export.permission, scope.kelurahan):
        raise PermissionDenied(_("You may not download this export for this area."))
    row_count = workbook_write(export=export, scope=scope, user=user, file=file)
    return _audit(user=user, export=export, scope=scope, row_count=row_count)


def _audit(*, user: User, export: Export, scope: ExportScope, row_count: int) -> ExportAudit:
    audit = ExportAudit(
        user=user,
        export=export.name,
        title=str(export.title)[:150],
        kelurahan=scope.kelurahan,
        scope=str(scope.label)[:150],
        row_count=row_count,
    )
    audit.full_clean()
    with transaction.atomic():
        audit.save()
    return audit


def export_rows_take(*, user: User, export: Export, scope: ExportScope) -> tuple[list, list]:
    """The same rows as ``export_write`` (for the officers' API), audited the same way: the
    column headers and the rows, each a list of cells."""
    if not can(user, export.permission, scope.kelurahan):
        raise PermissionDenied(_("You may not download this export for this area."))
    rows = export(user, scope)
    columns = rows.columns if isinstance(rows, Sheet) else export.columns
    taken = [list(row) for row in rows]
    _audit(user=user, export=export, scope=scope, row_count=len(taken))
    return column_headers(columns), taken
