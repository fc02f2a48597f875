from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Resident


class NikReveal(models.Model):
    """Each time an officer saw a resident's full NIK: who, when, whose."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="nik_reveals",
        verbose_name=_("officer"),
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="nik_reveals", verbose_name=_("resident")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("NIK reveal")
        verbose_name_plural = _("NIK reveals")

    def __str__(self):
        return f"{self.officer} → {self.resident} ({self.at:%Y-%m-%d %H:%M})"


class NikCheck(models.Model):
    """Each time someone verifying a registration typed the NIK from the KTP to compare it with
    the stored one: who, whose, when, and whether it matched. The typed NIK is not kept."""

    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="nik_checks",
        verbose_name=_("checked by"),
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="nik_checks", verbose_name=_("resident")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    matched = models.BooleanField(_("matched"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("NIK check")
        verbose_name_plural = _("NIK checks")

    def __str__(self):
        return f"{self.checker} → {self.resident} ({self.at:%Y-%m-%d %H:%M})"


class ExportAudit(models.Model):
    """Each spreadsheet downloaded from the portal: who, which export, when, for which place and
    how many rows left with it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="export_audits",
        verbose_name=_("user"),
    )
    export = models.CharField(_("export"), max_length=64)
    title = models.CharField(_("title"), max_length=150)
    kelurahan = models.ForeignKey(
        "rtkeren.Kelurahan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan"),
        help_text=_("Empty when the export covered the whole city."),
    )
    scope = models.CharField(_("scope"), max_length=150)
    row_count = models.PositiveIntegerField(_("rows"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("export audit")
        verbose_name_plural = _("export audits")

    def __str__(self):
        return f"{self.user} → {self.export} ({self.scope}, {self.at:%Y-%m-%d %H:%M})"


class ResidentStatusChange(models.Model):
    """A move away from the city, a move to another RT of the city, or a death, as recorded by
    an officer or an RT chair: the day it happened, where from and to, and why."""

    class Kind(models.TextChoices):
        MOVED_AWAY = "moved_away", _("Moved out of the city")
        MOVED_WITHIN = "moved_within", _("Moved to another RT in the city")
        DIED = "died", _("Died")

    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("resident"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    from_rt = models.ForeignKey(
        "rtkeren.RT", on_delete=models.PROTECT, related_name="+", verbose_name=_("from RT")
    )
    to_rt = models.ForeignKey(
        "rtkeren.RT",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to RT"),
    )
    note = models.CharField(_("reason or note"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("resident status change")
        verbose_name_plural = _("resident status changes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="moved_within", to_rt__isnull=False)
                | (~models.Q(kind="moved_within") & models.Q(to_rt__isnull=True)),
                name="resident_status_change_to_rt_only_for_moves_within",
                violation_error_message=_("A new RT is given only for a move within the city."),
            )
        ]

    def __str__(self):
        return f"{self.resident} – {self.get_kind_display()} ({self.happened_on:%Y-%m-%d})"
