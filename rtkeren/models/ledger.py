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
