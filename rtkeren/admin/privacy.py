"""Admin for the records of personal data that only services write: consents, deletion
requests and resident imports. Read-only: a consent is given and withdrawn by its resident (or
recorded for them) with its text, a deletion request is completed by anonymising the register
entry, and an import runs through its check; the admin reads them and where they stand.
An import's file and the result of its check, which hold the register's rows, are never
shown."""

from django.contrib import admin

from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.models import Consent, DeletionRequest, ImportJob


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("resident", "purpose", "given_at", "withdrawn_at", "recorded_by")
    list_filter = ("purpose", ("withdrawn_at", admin.EmptyFieldListFilter))
    list_select_related = ("resident", "recorded_by")
    search_fields = ("resident__name",)
    date_hierarchy = "given_at"
    fields = (
        "resident",
        "purpose",
        "text",
        "given_at",
        "recorded_by",
        "withdrawn_at",
        "withdrawn_by",
    )


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyAdmin):
    list_display = ("resident", "status", "requested_at", "completed_at", "completed_by")
    list_filter = ("status",)
    list_select_related = ("resident", "completed_by")
    search_fields = ("resident__name",)
    date_hierarchy = "requested_at"
    fields = ("resident", "reason", "status", "requested_at", "completed_at", "completed_by")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "file_name",
        "kelurahan",
        "officer",
        "status",
        "rows_read",
        "created_count",
        "updated_count",
        "created_at",
    )
    list_filter = ("status", "kelurahan")
    list_select_related = ("kelurahan", "officer")
    search_fields = ("file_name", "officer__username")
    date_hierarchy = "created_at"
    # Never the file's content or the check's result: both hold the residents' rows.
    fields = (
        "file_name",
        "file_format",
        "kelurahan",
        "officer",
        "status",
        "error",
        "rows_read",
        "created_count",
        "updated_count",
        "created_at",
        "imported_at",
    )

    def get_queryset(self, request):
        # The list reads none of the large columns.
        return super().get_queryset(request).defer("content", "plan")
