"""Admin for people: accounts, interests, residents (NIK only masked), and the logs of NIK
reveals, exports and one-time password codes."""

from operator import attrgetter

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rtkeren.admin.read_only import ReadOnlyAdmin
from rtkeren.models import (
    RT,
    CalendarFeed,
    ExportAudit,
    Interest,
    NikCheck,
    NikReveal,
    PasswordCode,
    Resident,
    ResidentInterest,
    ResidentStatusChange,
    User,
)
from rtkeren.phone import normalize_phone
from rtkeren.registry import residents_changed
from rtkeren.selectors.residents import looks_like_nik
from rtkeren.services.residents import resident_check, resident_save

#: Religion appears only in totals (its consent text says so): the admin never lists, filters
#: or searches residents by it, so these fields are refused even in a hand-written URL.
RELIGION_FIELDS = frozenset({"religion", "religion_consent_at"})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language", "email_notifications")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Preferences"), {"fields": ("language",)}),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "email_notifications",
        "language",
        "is_staff",
    )
    list_filter = (*DjangoUserAdmin.list_filter, "language", "email_notifications")


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class ResidentInterestInline(admin.TabularInline):
    model = ResidentInterest
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "interest":
            # Read the choices once for all rows, instead of once per row.
            field.choices = list(field.choices)
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("interest")


class ResidentAdminForm(forms.ModelForm):
    """The NIK is never put back into a form: the field takes a new one, checked and encrypted
    by the same service as everywhere else."""

    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Resident
        fields = [
            "name",
            "kk_number",
            "sex",
            "birth_date",
            "rt",
            "address",
            "phone",
            "occupation",
            "status",
            "religion",
            "religion_consent_at",
            "verification",
            "verified_at",
            "verified_by",
            "rejection_reason",
            "user",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["nik"].help_text = _(
                "A NIK is recorded. Type a new NIK only to replace it; leave empty to keep it."
            )
        else:
            self.fields["nik"].required = True
            self.fields["nik"].error_messages["required"] = _("Enter the resident's NIK.")
            self.fields["nik"].help_text = _("16 digits, as on the identity card (KTP).")

    def clean_phone(self):
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            resident_check(resident=self.instance, nik=self.cleaned_data.get("nik") or None)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Resident)
class ResidentAdmin(SimpleHistoryAdmin):
    form = ResidentAdminForm
    inlines = [ResidentInterestInline]
    list_display = ("name", "nik_display", "rt_display", "kelurahan", "verification", "status")
    list_filter = (
        "verification",
        "status",
        ("rt__rw__kelurahan", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("rt__rw__kelurahan",)
    search_fields = ("name",)
    search_help_text = _("Search by name, or by the exact NIK (all 16 digits).")
    raw_id_fields = ("user", "verified_by")
    readonly_fields = ("nik_display", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "nik_display", "nik", "kk_number", "sex", "birth_date")}),
        (_("Place and contact"), {"fields": ("rt", "address", "phone", "occupation", "status")}),
        (_("Religion (optional, needs consent)"), {"fields": ("religion", "religion_consent_at")}),
        (
            _("Verification and account"),
            {
                "fields": (
                    "verification",
                    "verified_at",
                    "verified_by",
                    "rejection_reason",
                    "user",
                    "created_at",
                )
            },
        ),
    )

    @admin.display(description=_("NIK"))
    def nik_display(self, resident):
        # No digit, not even for an administrator: the birth date beside it rebuilds the rest.
        return _("NIK recorded") if resident.has_nik else _("No NIK recorded")

    @admin.display(description=_("RT"), ordering="rt")
    def rt_display(self, resident):
        return str(resident.rt)

    @admin.display(description=_("kelurahan"), ordering="rt__rw__kelurahan__name")
    def kelurahan(self, resident):
        return resident.rt.rw.kelurahan.name

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rt":
            kwargs["queryset"] = RT.objects.with_places()
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # "RT 002 / RW 007" repeats in every kelurahan: name the kelurahan too.
            field.label_from_instance = attrgetter("full_name")
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP)[0] in RELIGION_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        if looks_like_nik(search_term):
            # Through the keyed hash: the table is never decrypted to search it.
            return queryset.with_nik(search_term), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        if "verification" in form.changed_data and obj.is_verified and obj.verified_by is None:
            obj.verified_at = obj.verified_at or timezone.now()
            obj.verified_by = request.user
        resident_save(by=request.user, resident=obj, nik=form.cleaned_data.get("nik") or None)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The interests are written after the resident, by the inline.
        residents_changed(resident_ids=[form.instance.pk])


class AuditLogAdmin(admin.ModelAdmin):
    """An audit log: read only, for everyone, admins included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NikReveal)
class NikRevealAdmin(AuditLogAdmin):
    """The audit log of NIK reveals."""

    list_display = ("at", "officer", "resident", "reason")
    list_select_related = ("officer", "resident")
    search_fields = ("resident__name", "officer__username", "officer__first_name", "reason")
    date_hierarchy = "at"
    raw_id_fields = ("officer", "resident")


@admin.register(NikCheck)
class NikCheckAdmin(AuditLogAdmin):
    """The audit log of NIKs typed from a KTP to verify a registration (the NIK is not kept)."""

    list_display = ("at", "checker", "resident", "matched")
    list_filter = ("matched",)
    list_select_related = ("checker", "resident")
    search_fields = ("resident__name", "checker__username", "checker__first_name")
    date_hierarchy = "at"
    raw_id_fields = ("checker", "resident")


@admin.register(ResidentStatusChange)
class ResidentStatusChangeAdmin(AuditLogAdmin):
    """Moves and deaths recorded from the residents' pages (written only by the services)."""

    list_display = ("happened_on", "resident", "kind", "from_rt", "to_rt", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("resident", "recorded_by", "from_rt__rw", "to_rt__rw")
    search_fields = ("resident__name", "recorded_by__username", "note")
    date_hierarchy = "recorded_at"
    raw_id_fields = ("resident", "recorded_by", "from_rt", "to_rt")


@admin.register(ExportAudit)
class ExportAuditAdmin(AuditLogAdmin):
    """The audit log of spreadsheet downloads (written only by ``export_write``)."""

    list_display = ("at", "user", "title", "scope", "row_count")
    list_filter = ("export", "kelurahan")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "export", "title")
    date_hierarchy = "at"
    raw_id_fields = ("user",)


@admin.register(PasswordCode)
class PasswordCodeAdmin(AuditLogAdmin):
    """The audit log of one-time password codes: whose account, who gave the code or where it
    was sent, the wrong tries, and when it was used or stopped working (the code itself is kept
    only as a hash and never shown)."""

    list_display = (
        "created_at",
        "user",
        "issued_by",
        "channel",
        "sent_to",
        "failed_attempts",
        "expires_at",
        "used_at",
        "voided_at",
    )
    list_filter = ("channel",)
    list_select_related = ("user", "issued_by")
    search_fields = ("user__username", "issued_by__username", "issued_by__first_name")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "issued_by")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(AuditLogAdmin):
    """When each person made a calendar feed address and gave it up. The address itself is a
    credential: it is never shown here."""

    list_display = ("created_at", "user", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    date_hierarchy = "created_at"
    exclude = ("token",)
    raw_id_fields = ("user",)


@admin.register(ResidentInterest)
class ResidentInterestAdmin(ReadOnlyAdmin):
    """Every resident's interests, talents and skills, to find who has one. They are changed on
    the resident's page, which tells the proposals' fit that they changed."""

    list_display = ("resident", "interest", "kind")
    list_filter = ("kind", "interest")
    list_select_related = ("resident", "interest")
    search_fields = ("resident__name", "interest__name")
