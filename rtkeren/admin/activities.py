"""Admin for activities, the participation ledger and notifications.

Statuses change only through the state machine (the activity page), so that every change has its
timeline row, ledger rows and notifications; here they are read-only.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rtkeren.admin.ledger_records import LedgerSubjectAdmin
from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.models import (
    Activity,
    ActivityShare,
    ActivityTransition,
    BaseEntry,
    BudgetLine,
    Notification,
    Participation,
)
from rtkeren.services.budget import COMMITTED_STATUSES


def _holds_money(activity) -> bool:
    return activity is not None and activity.status in COMMITTED_STATUSES


class BudgetLineInline(admin.TabularInline):
    """Editable while nothing is approved: once approved, the budget counts against the RT's
    ceiling, which only the approval checks (``rtkeren.services.budget``)."""

    model = BudgetLine
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not _holds_money(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _holds_money(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _holds_money(obj) and super().has_delete_permission(request, obj)


class ActivityShareInline(BudgetLineInline):
    """The RTs paying a kelurahan-wide activity: editable while nothing is approved; the
    approval checks that they add up to the budget and fit each RT's ceiling."""

    model = ActivityShare
    raw_id_fields = ("rt",)


class ActivityTransitionInline(admin.TabularInline):
    model = ActivityTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields
    ordering = ("at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(LedgerSubjectAdmin, SimpleHistoryAdmin):
    list_display = ("title", "status", "kelurahan", "rt", "period", "author", "status_changed_at")
    list_filter = ("status", "period", "nature", "kind", "funding_source")
    list_select_related = ("kelurahan", "rt__rw", "period", "author")
    search_fields = ("title", "description")
    date_hierarchy = "created_at"
    raw_id_fields = ("rt", "community", "author")
    filter_horizontal = ("interests",)
    readonly_fields = ("status", "status_changed_at", "decision_reason", "content_frozen_at")
    inlines = (BudgetLineInline, ActivityShareInline, ActivityTransitionInline)

    def get_readonly_fields(self, request, obj=None):
        # Its proposer's ledger row names its author, and every row of it counts in its period.
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        # What decides whose ceiling an approved budget counts against stays as approved.
        money = ("funding_source", "kelurahan", "rt") if _holds_money(obj) else ()
        return (*fields, "author", "period", *money)


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    """Read-only: the ledger is written by the stages' services alone."""

    list_display = (
        "resident",
        "stage",
        "kind",
        "activity",
        "period",
        "rt",
        "occurred_on",
        "on_behalf",
    )
    list_filter = ("stage", "period", "on_behalf", "kelurahan")
    list_select_related = ("resident", "activity", "period", "rt__rw")
    search_fields = ("resident__name", "kind")
    date_hierarchy = "occurred_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Sent only through ``notification_send``; an admin may read or remove them."""

    list_display = ("recipient", "message", "created_at", "read_at")
    list_filter = ("read_at",)
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "message")
    date_hierarchy = "created_at"
    readonly_fields = (
        "recipient",
        "message",
        "url",
        "content_type",
        "object_id",
        "created_at",
        "read_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    """Every budget line, to find them across activities. They are changed on the activity's
    page, which stops once the budget is approved and counts against the RT's ceiling."""

    list_display = ("item", "activity", "quantity", "unit", "unit_price")
    list_select_related = ("activity",)
    search_fields = ("item", "activity__title")


@admin.register(ActivityShare)
class ActivityShareAdmin(ReadOnlyAdmin):
    """The RTs' shares of kelurahan-wide activities; changed on the activity's page (see
    ``ActivityShareInline``)."""

    list_display = ("activity", "rt", "amount")
    list_filter = ("activity__period",)
    list_select_related = ("activity", "rt__rw")
    search_fields = ("activity__title",)


@admin.register(ActivityTransition)
class ActivityTransitionAdmin(ReadOnlyAdmin):
    """Every activity's timeline, written by the state machine alone."""

    list_display = ("activity", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    list_select_related = ("activity", "by")
    search_fields = ("activity__title", "note")
    date_hierarchy = "at"


@admin.register(BaseEntry)
class BaseEntryAdmin(ReadOnlyAdmin):
    """The scorecard base, kept equal to its recomputation from the register by
    ``rtkeren.services.base``."""

    list_display = ("resident", "rt", "period", "since", "until")
    list_filter = ("period", "kelurahan")
    list_select_related = ("resident", "rt__rw", "period")
    search_fields = ("resident__name",)
