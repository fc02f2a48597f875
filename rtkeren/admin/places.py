"""Admin for the reference data: wilayah, communities, Pokmas, periods and role assignments.

RT and RW numbers repeat in every kelurahan, so every choice of an RT or RW shows its kelurahan,
and every list reads the places it shows in the same query as its rows.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.models import (
    ROLE_SCOPE,
    RT,
    RW,
    Community,
    CommunityMembership,
    Kecamatan,
    Kelurahan,
    Kota,
    Period,
    Pokmas,
    PokmasMembership,
    RoleAssignment,
    RtCeiling,
)
from rtkeren.scopecache import scope_changed_everywhere
from rtkeren.services.base import base_open
from rtkeren.services.budget import ceilings_check
from rtkeren.services.periods import (
    participations_place,
    period_close,
    period_next_dates,
    period_start,
)
from rtkeren.services.roles import role_assignment_check, role_end


def rw_label(rw: RW) -> str:
    return f"{rw}, {rw.kelurahan}"


class PlaceChoicesMixin:
    """RT and RW choices with their kelurahan, read in one query per field."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is RT:
            kwargs.setdefault("queryset", RT.objects.with_places())
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = RT.full_name.fget
            return field
        if db_field.related_model is RW:
            kwargs.setdefault("queryset", RW.objects.select_related("kelurahan"))
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = rw_label
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Kota)
class KotaAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kota")
    list_select_related = ("kota",)
    search_fields = ("code", "name")


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kecamatan")
    list_filter = ("kecamatan",)
    list_select_related = ("kecamatan",)
    search_fields = ("code", "name")


@admin.register(RW)
class RWAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kelurahan", "kelurahan_code")
    list_filter = ("kelurahan",)
    list_select_related = ("kelurahan",)
    search_fields = ("kelurahan__name", "kelurahan__code")

    @admin.display(description=_("Kemendagri code"), ordering="kelurahan__code")
    def kelurahan_code(self, rw):
        return rw.kelurahan.code


@admin.register(RT)
class RTAdmin(PlaceChoicesMixin, admin.ModelAdmin):
    list_display = ("__str__", "kelurahan_name", "kelurahan_code")
    list_filter = ("rw__kelurahan",)
    list_select_related = ("rw__kelurahan",)
    search_fields = ("rw__kelurahan__name", "rw__kelurahan__code")

    @admin.display(description=_("kelurahan"), ordering="rw__kelurahan__name")
    def kelurahan_name(self, rt):
        return rt.rw.kelurahan.name

    @admin.display(description=_("Kemendagri code"), ordering="rw__kelurahan__code")
    def kelurahan_code(self, rt):
        return rt.rw.kelurahan.code


class CommunityMembershipInline(admin.TabularInline):
    model = CommunityMembership
    extra = 0
    fields = ("resident", "position", "starts_on", "ends_on")
    autocomplete_fields = ("resident",)


@admin.register(Community)
class CommunityAdmin(PlaceChoicesMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "kelurahan", "rt")
    list_filter = ("kind", "kelurahan")
    list_select_related = ("kelurahan", "rt__rw")
    search_fields = ("name", "kelurahan__name", "kelurahan__code")
    filter_horizontal = ("interests",)
    inlines = (CommunityMembershipInline,)


class PokmasMembershipInline(admin.TabularInline):
    model = PokmasMembership
    extra = 0
    fields = ("resident", "position", "starts_on", "ends_on")
    autocomplete_fields = ("resident",)


@admin.register(Pokmas)
class PokmasAdmin(PlaceChoicesMixin, admin.ModelAdmin):
    list_display = ("__str__", "rt", "kelurahan_name", "decree_number", "decree_date")
    list_filter = ("rt__rw__kelurahan",)
    list_select_related = ("rt__rw__kelurahan",)
    search_fields = ("name", "decree_number", "rt__rw__kelurahan__name", "rt__rw__kelurahan__code")
    inlines = (PokmasMembershipInline,)

    @admin.display(description=_("kelurahan"), ordering="rt__rw__kelurahan__name")
    def kelurahan_name(self, pokmas):
        return pokmas.rt.rw.kelurahan.name


class RtCeilingFormSet(forms.BaseInlineFormSet):
    """The period's default ceiling (already on ``instance``: the admin reads the period's form
    before its inlines) and the RTs' own ceilings, checked together against what each RT has
    already approved."""

    def clean(self):
        super().clean()
        if self.instance.pk is None or any(self.errors):
            return
        overrides = {
            form.cleaned_data["rt"].pk: form.cleaned_data["ceiling"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("rt")
            and form.cleaned_data.get("ceiling") is not None
        }
        ceilings_check(period=self.instance, default=self.instance.rt_ceiling, overrides=overrides)


class RtCeilingInline(PlaceChoicesMixin, admin.TabularInline):
    model = RtCeiling
    formset = RtCeilingFormSet
    extra = 0
    fields = ("rt", "ceiling")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rt__rw__kelurahan")


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "__str__",
        "starts_on",
        "ends_on",
        "is_open",
        "rt_ceiling",
        "fisik_percent",
    )
    list_display_links = ("year", "__str__")
    readonly_fields = ("closed_at", "closed_by")

    inlines = (RtCeilingInline,)
    actions = ("start_next_period", "close_periods")

    def get_readonly_fields(self, request, obj=None):
        """A closed period's dates and settings decided figures that are frozen now: they are
        shown, not changed."""
        if obj is not None and obj.closed_at is not None:
            return (*self.readonly_fields, "starts_on", "ends_on", *Period.SETTINGS)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Switching "open" off closes the period through ``period_close`` (which freezes its
        figures); a closed period is final, so switching it on again is refused."""
        closing = change and "is_open" in form.changed_data and not obj.is_open
        reopening = change and "is_open" in form.changed_data and obj.is_open
        if reopening and obj.closed_at is not None:
            obj.is_open = False
            self.message_user(
                request,
                gettext("%(period)s is closed and its figures are frozen: it cannot reopen.")
                % {"period": obj},
                messages.ERROR,
            )
        if closing:
            obj.is_open = True
        super().save_model(request, obj, form, change)
        # Its thresholds and dates are part of every scorecard of the period.
        scope_changed_everywhere()
        # New dates, or a period opened or closed, can change the year that actions placed by
        # their date alone count in.
        participations_place()
        # A new period's base; an open one whose dates changed follows them (a period being
        # closed too, before its figures are frozen). A closed period keeps the base it had.
        if not change or obj.is_open:
            base_open(period=obj)
        if closing:
            self._close(request, obj)

    def _close(self, request, period) -> bool:
        try:
            period_close(period=period, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
            return False
        self.message_user(
            request,
            gettext("%(period)s is closed; its figures are frozen.") % {"period": period},
            messages.SUCCESS,
        )
        return True

    @admin.action(description=_("Close the period"), permissions=["change"])
    def close_periods(self, request, queryset):
        for period in queryset.order_by("year"):
            self._close(request, period)

    @admin.action(description=_("Start the period after the selected one"))
    def start_next_period(self, request, queryset):
        latest = queryset.order_by("-year").first()
        year, starts_on, ends_on = period_next_dates(latest)
        try:
            period = period_start(year=year, starts_on=starts_on, ends_on=ends_on, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            gettext("%(period)s has started with the settings of %(previous)s.")
            % {"period": period, "previous": latest},
            messages.SUCCESS,
        )


class KelurahanOfAssignmentFilter(admin.SimpleListFilter):
    """Assignments of a kelurahan: its officers and facilitators, and the roles of its RWs,
    RTs and communities."""

    title = _("kelurahan")
    parameter_name = "kelurahan"

    def lookups(self, request, model_admin):
        return list(Kelurahan.objects.values_list("pk", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        kelurahan = self.value()
        return queryset.filter(
            Q(kelurahan=kelurahan)
            | Q(rw__kelurahan=kelurahan)
            | Q(rt__rw__kelurahan=kelurahan)
            | Q(community__kelurahan=kelurahan)
        )


class TermFilter(admin.SimpleListFilter):
    title = _("term of office")
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return [
            ("current", _("In force")),
            ("upcoming", _("Not started yet")),
            ("ended", _("Already ended")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.current(today)
        if self.value() == "upcoming":
            return queryset.filter(starts_on__gt=today)
        if self.value() == "ended":
            return queryset.filter(ends_on__lt=today)
        return queryset


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "kota", "kelurahan", "rw", "rt", "community")
        fields += ("starts_on", "ends_on", "note")

    clashing_scope = None

    def clean(self):
        cleaned_data = super().clean()
        assignment = RoleAssignment(
            pk=self.instance.pk,
            **{name: value for name, value in cleaned_data.items() if name != "note"},
        )
        try:
            role_assignment_check(assignment)
        except ValidationError as error:
            self.clashing_scope = ROLE_SCOPE.get(assignment.role)
            self.add_error(None, error)
        return cleaned_data

    def _get_validation_exclusions(self):
        # The clash message above says more than the database constraint on the same scope
        # ("one open chair per RT"), which would otherwise be reported a second time.
        exclude = super()._get_validation_exclusions()
        if self.clashing_scope:
            exclude.add(self.clashing_scope)
        return exclude


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(PlaceChoicesMixin, SimpleHistoryAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "scope_name", "starts_on", "ends_on")
    list_filter = ("role", KelurahanOfAssignmentFilter, TermFilter)
    list_select_related = (
        "user",
        "kota",
        "kelurahan",
        "rw__kelurahan",
        "rt__rw__kelurahan",
        "community",
    )
    search_fields = ("user__username", "user__first_name", "user__last_name", "note")
    autocomplete_fields = ("user",)
    date_hierarchy = "starts_on"
    actions = ("end_yesterday",)

    @admin.display(description=_("scope"))
    def scope_name(self, assignment):
        if assignment.rt_id:
            return assignment.rt.full_name
        if assignment.rw_id:
            return rw_label(assignment.rw)
        return assignment.scope or "—"

    @admin.action(description=_("End the selected assignments (last day: yesterday)"))
    def end_yesterday(self, request, queryset):
        ended = 0
        for assignment in queryset:
            try:
                role_end(assignment=assignment, by=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{assignment}: {' '.join(error.messages)}", messages.WARNING
                )
            else:
                ended += 1
        self.message_user(
            request, gettext("%(count)d assignments ended.") % {"count": ended}, messages.SUCCESS
        )


@admin.register(CommunityMembership)
class CommunityMembershipAdmin(ReadOnlyAdmin):
    """Every community's members, to find someone's communities; they are changed on the
    community's page."""

    list_display = ("resident", "community", "position", "starts_on", "ends_on")
    list_filter = ("position", "community__kelurahan")
    list_select_related = ("resident", "community")
    search_fields = ("resident__name", "community__name")


@admin.register(PokmasMembership)
class PokmasMembershipAdmin(ReadOnlyAdmin):
    """Every Pokmas's members; they are changed on the Pokmas's page."""

    list_display = ("resident", "pokmas", "position", "starts_on", "ends_on")
    list_filter = ("position", "pokmas__rt__rw__kelurahan")
    list_select_related = ("resident", "pokmas__rt__rw")
    search_fields = ("resident__name", "pokmas__name")


@admin.register(RtCeiling)
class RtCeilingAdmin(ReadOnlyAdmin):
    """The RTs whose ceiling differs from their period's default. They are changed on the
    period's page, which checks them against what the RTs have committed."""

    list_display = ("rt", "period", "ceiling")
    list_filter = ("period", "rt__rw__kelurahan")
    list_select_related = ("rt__rw", "period")
    search_fields = ("rt__rw__kelurahan__name",)
