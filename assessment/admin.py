"""Admin for co-assessment: the criteria (configurable), and reading and fixing records.
Evaluations and attendance are entered through the portal's pages, where the services keep the
participation ledger in step."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rtkeren.admin.ledger_records import LedgerRecordReadOnly, LedgerSubjectAdmin
from rtkeren.admin.read_only import ReadOnlyAdmin

from .models import (
    Criterion,
    Evaluation,
    EvaluationRound,
    FollowUp,
    ForumAttendance,
    FrozenScorecard,
    Score,
)


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "is_active")
    list_editable = ("order", "is_active")
    search_fields = ("name", "code")


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    readonly_fields = ("criterion", "value")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(LedgerSubjectAdmin, SimpleHistoryAdmin):
    """A community evaluation is its resident's participation: who wrote it, on what, on which
    side and whether on their behalf are the services' to set; here only its text is fixed.
    Deleting it takes its ledger row with it."""

    list_display = ("activity", "side", "person_name", "on_behalf", "created_at")
    list_filter = ("side", "on_behalf", "activity__kelurahan")
    search_fields = ("activity__title", "resident__name", "evaluator__username")
    readonly_fields = (
        "activity",
        "side",
        "evaluator",
        "resident",
        "on_behalf",
        "recorded_by",
        "created_at",
        "updated_at",
    )
    inlines = [ScoreInline]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity", "evaluator", "resident")


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ("action", "activity", "owner", "due_on", "status")
    list_filter = ("status", "activity__kelurahan")
    search_fields = ("action", "obstacle", "activity__title")
    raw_id_fields = ("activity", "evaluation", "owner", "created_by")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "due_on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity", "owner")


class ForumAttendanceInline(LedgerRecordReadOnly, admin.TabularInline):
    model = ForumAttendance
    extra = 0
    raw_id_fields = ("resident", "recorded_by")
    readonly_fields = ("recorded_at",)


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(LedgerSubjectAdmin, admin.ModelAdmin):
    list_display = ("title", "kelurahan", "rt", "period", "covers_from", "covers_until", "status")
    list_filter = ("status", "kelurahan", "period")
    search_fields = ("title",)
    raw_id_fields = ("rt", "opened_by")
    readonly_fields = ("opened_at",)
    inlines = [ForumAttendanceInline]

    def get_readonly_fields(self, request, obj=None):
        # The forum's attendance rows count on its day, in the round's period.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, "period", "forum_on")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kelurahan", "rt__rw", "period")


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    """Every score of every evaluation, by criterion; part of its evaluation, entered on the
    evaluation's page."""

    list_display = ("evaluation", "criterion", "value")
    list_filter = ("criterion", "evaluation__side")
    list_select_related = (
        "evaluation__activity",
        "evaluation__resident",
        "evaluation__evaluator",
        "criterion",
    )
    search_fields = ("evaluation__activity__title",)


@admin.register(ForumAttendance)
class ForumAttendanceAdmin(LedgerRecordReadOnly, admin.ModelAdmin):
    """Everyone present at an evaluation forum; recorded on the round's page."""

    list_display = ("resident", "round", "recorded_at")
    list_filter = ("round__kelurahan",)
    list_select_related = ("resident", "round")
    search_fields = ("resident__name", "round__title")
    date_hierarchy = "recorded_at"


@admin.register(FrozenScorecard)
class FrozenScorecardAdmin(ReadOnlyAdmin):
    """The scorecards of closed periods, as they stood when the period closed."""

    list_display = ("__str__", "period", "base", "frozen_at")
    list_filter = ("period", "kelurahan")
    list_select_related = ("period", "kelurahan", "rt__rw")
