"""The participation ledger: one row each time a resident takes an active part."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .activities import Activity
from .people import Resident
from .periods import Period
from .wilayah import RT, Kelurahan


class Stage(models.TextChoices):
    COMMISSIONING = "commissioning", _("Co-commissioning")
    DESIGNING = "designing", _("Co-designing")
    DELIVERY = "delivery", _("Co-delivery")
    ASSESSMENT = "assessment", _("Co-assessment")


class Participation(models.Model):
    """Written only through ``participation_record``; the scorecard counts distinct residents."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="participations")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    kind = models.CharField(_("kind"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="participations"
    )
    # Empty only while no period exists to count it in; ``participations_place`` fills it in
    # when one is created (see ``period_for``).
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, related_name="participations"
    )
    # Where the resident lived when they took part, so a move does not rewrite past scorecards.
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, related_name="participations")
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="participations"
    )
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    on_behalf = models.BooleanField(_("recorded on behalf of the resident"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind", "content_type", "object_id"],
                name="participation_once_per_object",
                violation_error_message=_("This participation is already recorded."),
            )
        ]
        indexes = [
            models.Index(
                fields=["period", "stage", "kelurahan", "resident"], name="participation_kel"
            ),
            models.Index(fields=["period", "stage", "rt", "resident"], name="participation_rt"),
            models.Index(fields=["content_type", "object_id"], name="participation_subject"),
        ]

    def __str__(self):
        return f"{self.resident} – {self.get_stage_display()} – {self.kind}"


class BaseEntry(models.Model):
    """A resident in the scorecard base of a period in an RT: verified, aged 17 or more at the
    period's start, and living in the RT at some time during the period (``since`` to ``until``,
    days within the period; ``until`` empty while they still live there at its end).

    Written only through ``rtkeren.services.base``, which keeps the entries of open periods equal
    to their recomputation from the register and its recorded moves and deaths; a closed
    period's entries stay as they were.
    """

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="base_entries", verbose_name=_("period")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="base_entries", verbose_name=_("resident")
    )
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, related_name="+", verbose_name=_("RT"))
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard base entry")
        verbose_name_plural = _("scorecard base entries")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "resident", "rt"],
                name="base_entry_once_per_rt",
                violation_error_message=_(
                    "This resident is already in this RT's base for the period."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["period", "rt", "resident"], name="base_entry_rt"),
            models.Index(fields=["period", "kelurahan", "resident"], name="base_entry_kel"),
            # Those who left an RT during the period, for the city's figures (a few).
            models.Index(
                fields=["period", "resident"],
                condition=models.Q(until__isnull=False),
                name="base_entry_ended",
            ),
        ]

    def __str__(self):
        return f"{self.resident} – {self.rt} – {self.period}"
