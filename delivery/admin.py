from django.contrib import admin

from rtkeren.admin.ledger_records import LedgerRecordReadOnly, LedgerSubjectAdmin
from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.protected_files import ProtectedFilesAdminForm

from .models import (
    Attendance,
    CommitteeNote,
    Implementer,
    Meeting,
    MeetingPhoto,
    Output,
    Spending,
    Task,
)


class AttendanceInline(LedgerRecordReadOnly, admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["resident", "recorded_by"]
    readonly_fields = ["created_at"]


class PhotoAdminForm(ProtectedFilesAdminForm):
    protected_files = {"image": "delivery:photo-file"}


class SpendingAdminForm(ProtectedFilesAdminForm):
    protected_files = {"receipt": "delivery:receipt-file"}


class PhotoInline(admin.TabularInline):
    model = MeetingPhoto
    form = PhotoAdminForm
    extra = 0
    raw_id_fields = ["uploaded_by"]


@admin.register(Meeting)
class MeetingAdmin(LedgerSubjectAdmin, admin.ModelAdmin):
    list_display = ["title", "activity", "date", "starts_at", "place"]
    list_filter = ["date", "activity__kelurahan"]
    search_fields = ["title", "activity__title", "place"]
    date_hierarchy = "date"
    raw_id_fields = ["activity", "created_by"]
    list_select_related = ["activity"]
    inlines = [AttendanceInline, PhotoInline]

    def get_readonly_fields(self, request, obj=None):
        # Its attendance rows are of its activity, on its day: rescheduling is the portal's.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, "activity", "date")


@admin.register(Implementer)
class ImplementerAdmin(LedgerRecordReadOnly, admin.ModelAdmin):
    list_display = ["resident", "role", "activity"]
    list_filter = ["role"]
    search_fields = ["resident__name", "activity__title"]
    raw_id_fields = ["activity", "resident", "added_by"]
    list_select_related = ["resident", "activity"]


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ["name", "activity", "finished_quantity", "target_quantity", "unit", "status"]
    list_filter = ["status", "obstacle"]
    search_fields = ["name", "activity__title"]
    raw_id_fields = ["activity", "updated_by"]
    list_select_related = ["activity"]


@admin.register(CommitteeNote)
class CommitteeNoteAdmin(admin.ModelAdmin):
    list_display = ["activity", "kind", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["text", "activity__title"]
    raw_id_fields = ["activity", "author"]
    list_select_related = ["activity", "author"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "activity", "assignee", "due_on", "done_at"]
    list_filter = ["due_on"]
    search_fields = ["title", "activity__title"]
    raw_id_fields = ["activity", "assignee", "created_by"]
    list_select_related = ["activity", "assignee"]


@admin.register(Spending)
class SpendingAdmin(admin.ModelAdmin):
    form = SpendingAdminForm
    list_display = ["item", "activity", "spent_on", "amount"]
    date_hierarchy = "spent_on"
    search_fields = ["item", "activity__title"]
    raw_id_fields = ["activity", "recorded_by"]
    list_select_related = ["activity"]


@admin.register(Attendance)
class AttendanceAdmin(LedgerRecordReadOnly, admin.ModelAdmin):
    """Everyone present at a meeting, to find a resident's meetings; recorded on the meeting's
    page or by self check-in."""

    list_display = ("resident", "meeting", "method", "created_at")
    list_filter = ("method", "meeting__activity__kelurahan")
    list_select_related = ("resident", "meeting")
    search_fields = ("resident__name", "meeting__title")
    date_hierarchy = "created_at"


@admin.register(MeetingPhoto)
class MeetingPhotoAdmin(ReadOnlyAdmin):
    """Every meeting's photos, listed by caption (the pictures are on the meeting's page, where
    the residents' consent decides who sees them); changed on the meeting's page."""

    list_display = ("__str__", "meeting", "uploaded_by", "created_at")
    list_select_related = ("meeting", "uploaded_by")
    search_fields = ("caption", "meeting__title")
    date_hierarchy = "created_at"
    fields = ("meeting", "caption", "uploaded_by", "created_at")
