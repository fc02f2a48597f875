"""Roles as scoped assignments: one person may hold several, and a handover keeps its history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .communities import Community
from .wilayah import RT, RW, Kelurahan, Kota


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CITY_VIEWER = "city_viewer", _("City viewer (Bagian Pemerintahan)")
    OFFICER = "officer", _("Kelurahan officer")
    FACILITATOR = "facilitator", _("Facilitator (pendamping)")
    RW_CHAIR = "rw_chair", _("RW chair")
    RT_CHAIR = "rt_chair", _("RT chair")
    POKMAS_MEMBER = "pokmas_member", _("Pokmas member")
    COMMUNITY_LEAD = "community_lead", _("Community lead")
    RESIDENT = "resident", _("Resident")


#: The one scope field each role needs; the others stay empty.
ROLE_SCOPE = {
    Role.ADMIN: None,
    Role.CITY_VIEWER: "kota",
    Role.OFFICER: "kelurahan",
    Role.FACILITATOR: "kelurahan",
    Role.RW_CHAIR: "rw",
    Role.RT_CHAIR: "rt",
    Role.POKMAS_MEMBER: "rt",
    Role.COMMUNITY_LEAD: "community",
    Role.RESIDENT: "rt",
}
SCOPE_FIELDS = ("kota", "kelurahan", "rw", "rt", "community")


def _scope_condition() -> models.Q:
    condition = models.Q()
    for role, needed in ROLE_SCOPE.items():
        fields = models.Q(role=role)
        for field in SCOPE_FIELDS:
            fields &= models.Q(**{f"{field}__isnull": field != needed})
        condition |= fields
    return condition


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on), starts_on__lte=on
        )

    def of_role(self, *roles):
        return self.filter(role__in=roles)


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    kota = models.ForeignKey(Kota, on_delete=models.PROTECT, null=True, blank=True)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, null=True, blank=True)
    rw = models.ForeignKey(RW, on_delete=models.PROTECT, null=True, blank=True)
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, null=True, blank=True)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True)
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()
    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role", "-starts_on"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(),
                name="role_assignment_scope_matches_role",
                violation_error_message=_("The place does not fit the role."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="role_assignment_ends_after_start",
                violation_error_message=_("A role must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["rt"],
                condition=models.Q(role="rt_chair", ends_on__isnull=True),
                name="role_assignment_one_open_rt_chair",
                violation_error_message=_("This RT already has a chair."),
            ),
            models.UniqueConstraint(
                fields=["rw"],
                condition=models.Q(role="rw_chair", ends_on__isnull=True),
                name="role_assignment_one_open_rw_chair",
                violation_error_message=_("This RW already has a chair."),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "role", "ends_on"], name="role_assignment_user_role"),
        ]

    def __str__(self):
        scope = self.scope
        return f"{self.get_role_display()} – {scope}" if scope else self.get_role_display()

    @property
    def scope(self):
        field = ROLE_SCOPE.get(self.role)
        return getattr(self, field) if field else None

    def clean(self):
        needed = ROLE_SCOPE.get(self.role)
        errors = {}
        for field in SCOPE_FIELDS:
            has_value = getattr(self, f"{field}_id") is not None
            if field == needed and not has_value:
                errors[field] = _("This role needs this scope.")
            elif field != needed and has_value:
                errors[field] = _("This role does not take this scope.")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)
