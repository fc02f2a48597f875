"""What phones sent after keeping it without a signal: read only, since each row is the answer a
key got, which a resend must get again unchanged."""

from django.contrib import admin

from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.models import OfflineSubmission


@admin.register(OfflineSubmission)
class OfflineSubmissionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "object_id", "outcome", "message")
    list_select_related = ("user",)
    list_filter = ("kind", "outcome")
    search_fields = ("user__username", "key")
    date_hierarchy = "created_at"
