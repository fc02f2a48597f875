"""Admin for co-commissioning: reading and fixing records. Merging, endorsing and attendance go
through the portal's pages, where the services keep the ledger in step."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from rtkeren.admin.ledger_records import LedgerRecordReadOnly, LedgerSubjectAdmin
from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.protected_files import ProtectedFilesAdminForm

from .models import Attendance, Endorsement, Forum, InvitedElement, Potential, PriorityItem


class PotentialAdminForm(ProtectedFilesAdminForm):
    protected_files = {"photo": "commissioning:potential-photo"}


class EndorsementInline(LedgerRecordReadOnly, admin.TabularInline):
    model = Endorsement
    extra = 0
    raw_id_fields = ("resident",)
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("resident")


@admin.register(Potential)
class PotentialAdmin(LedgerSubjectAdmin, admin.ModelAdmin):
    form = PotentialAdminForm
    list_display = (
        "title",
        "category",
        "kelurahan",
        "rt",
        "status",
        "endorsement_count",
        "created_at",
    )
    list_filter = ("status", "category", "kelurahan")
    search_fields = ("title", "description")
    raw_id_fields = ("rt", "author", "author_resident", "merged_into")
    filter_horizontal = ("interests",)
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    inlines = [EndorsementInline]

    def get_readonly_fields(self, request, obj=None):
        # Its author's ledger row names the resident who recorded it.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, "author_resident")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kelurahan", "rt__rw")
            .annotate(endorsement_total=Count("endorsements"))
        )

    @admin.display(description=_("endorsements"), ordering="endorsement_total")
    def endorsement_count(self, potential):
        return potential.endorsement_total


class InvitedElementInline(admin.TabularInline):
    model = InvitedElement
    extra = 0


class AttendanceInline(LedgerRecordReadOnly, admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ("resident", "recorded_by")
    readonly_fields = ("resident_age", "recorded_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("resident", "recorded_by")


class PriorityItemInline(admin.TabularInline):
    model = PriorityItem
    extra = 0
    raw_id_fields = ("potential",)


@admin.register(Forum)
class ForumAdmin(LedgerSubjectAdmin, admin.ModelAdmin):
    list_display = ("title", "date", "kelurahan", "rw", "rt", "status", "attendance_count")
    list_filter = ("status", "kelurahan")
    search_fields = ("title", "place", "agenda")
    raw_id_fields = ("rw", "rt", "organiser", "minutes_recorded_by")
    readonly_fields = ("created_at",)
    date_hierarchy = "date"
    inlines = [InvitedElementInline, AttendanceInline, PriorityItemInline]

    def get_readonly_fields(self, request, obj=None):
        # Whoever was there took part on the forum's day: rescheduling is the portal's.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, "date")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kelurahan", "rw", "rt__rw")
            .annotate(attendance_total=Count("attendances"))
        )

    @admin.display(description=_("present"), ordering="attendance_total")
    def attendance_count(self, forum):
        return forum.attendance_total


@admin.register(Endorsement)
class EndorsementAdmin(LedgerRecordReadOnly, admin.ModelAdmin):
    """Every endorsement, to find a resident's; given and taken back on the potential's page."""

    list_display = ("resident", "potential", "created_at")
    list_filter = ("potential__kelurahan",)
    list_select_related = ("resident", "potential")
    search_fields = ("resident__name", "potential__title")
    date_hierarchy = "created_at"


@admin.register(Attendance)
class AttendanceAdmin(LedgerRecordReadOnly, admin.ModelAdmin):
    """Everyone present at a forum, to find a resident's forums; recorded on the forum's page."""

    list_display = ("__str__", "forum", "element", "recorded_at")
    list_filter = ("element", "forum__kelurahan")
    list_select_related = ("resident", "forum")
    search_fields = ("resident__name", "guest_name", "forum__title")
    date_hierarchy = "recorded_at"


@admin.register(InvitedElement)
class InvitedElementAdmin(ReadOnlyAdmin):
    """The elements of society each forum invited; changed on the forum's page."""

    list_display = ("element", "forum")
    list_filter = ("element", "forum__kelurahan")
    list_select_related = ("forum",)
    search_fields = ("forum__title",)


@admin.register(PriorityItem)
class PriorityItemAdmin(ReadOnlyAdmin):
    """Every forum's priority list, to find what became of a potential; changed on the forum's
    page."""

    list_display = ("rank", "title", "forum", "potential")
    list_filter = ("forum__kelurahan",)
    list_select_related = ("forum", "potential")
    search_fields = ("title", "forum__title")
