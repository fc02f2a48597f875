"""Admin for the records of messages outside the portal, which only services write: the
choices a person makes on their profile, the message queue, the providers' delivery reports
and the reminders sent. Read-only: a message changed here would no longer say what was sent."""

from django.contrib import admin

from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.models import DeliveryReport, NotificationPreference, OutboundMessage, ReminderSent


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "channel", "kind", "enabled", "changed_at")
    list_filter = ("channel", "kind", "enabled")
    list_select_related = ("user",)
    search_fields = ("user__username",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("user", "channel", "kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel", "kind")
    list_select_related = ("user",)
    search_fields = ("user__username", "provider_id")
    date_hierarchy = "created_at"
    fields = (
        "user",
        "channel",
        "kind",
        "address",
        "notification",
        "template",
        "parameters",
        "text",
        "status",
        "send_after",
        "attempts",
        "last_error",
        "provider_id",
        "dedupe_key",
        "created_at",
        "sent_at",
        "updated_at",
    )


@admin.register(DeliveryReport)
class DeliveryReportAdmin(ReadOnlyAdmin):
    list_display = ("provider_id", "channel", "status", "message", "reported_at", "received_at")
    list_filter = ("channel", "status")
    list_select_related = ("message__user",)
    search_fields = ("provider_id",)
    date_hierarchy = "received_at"


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ("user", "key", "sent_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "key")
    date_hierarchy = "sent_at"
