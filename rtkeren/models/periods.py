"""Programme years (tahun anggaran) with their budget rules and scorecard thresholds."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .wilayah import RT

DEFAULT_RT_CEILING = 50_000_000
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def current_period(periods, day=None):
    """Of ``periods``, the one a page means by "now": the one running on ``day`` (today in
    Jakarta), an open one first; else the latest open one; else the latest. None if there is
    none. The one definition every page and form uses."""
    day = day or timezone.localdate()
    return max(
        periods,
        key=lambda period: (period.starts_on <= day <= period.ends_on, period.is_open, period.year),
        default=None,
    )


class PeriodQuerySet(models.QuerySet):
    def containing(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def current(self, day=None):
        """``current_period`` among these periods (one query: a city has one a year)."""
        return current_period(self, day)


class Period(models.Model):
    """Settings copied to the next period when it starts (see ``period_start``)."""

    SETTINGS = (
        "rt_ceiling",
        "fisik_percent",
        "split_tolerance",
        "split_threshold",
        "threshold_commissioning",
        "threshold_designing",
        "threshold_delivery",
        "threshold_assessment",
        "evaluation_window_days",
    )

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_open = models.BooleanField(_("open"), default=True)
    rt_ceiling = models.PositiveBigIntegerField(
        _("RT budget ceiling (Rp)"), default=DEFAULT_RT_CEILING
    )
    fisik_percent = models.PositiveSmallIntegerField(
        _("share for physical works (%)"),
        default=70,
        validators=PERCENT,
        help_text=_(
            "Physical works should take at least this share of an RT's RT Keren plan; the rest "
            "is for non-physical activities. Falling short warns, never blocks."
        ),
    )
    split_tolerance = models.PositiveSmallIntegerField(
        _("tolerance of the split (percentage points)"),
        default=0,
        validators=PERCENT,
        help_text=_("How far below the physical share a plan may fall before it is warned."),
    )
    split_threshold = models.PositiveBigIntegerField(
        _("split checked from (Rp)"),
        default=10_000_000,
        help_text=_(
            "Below this planned total the split is not checked: an RT's first small activities "
            "say nothing yet about how its year is divided."
        ),
    )
    threshold_commissioning = models.PositiveSmallIntegerField(
        _("co-commissioning threshold (%)"), default=10, validators=PERCENT
    )
    threshold_designing = models.PositiveSmallIntegerField(
        _("co-designing threshold (%)"), default=10, validators=PERCENT
    )
    threshold_delivery = models.PositiveSmallIntegerField(
        _("co-delivery threshold (%)"), default=10, validators=PERCENT
    )
    threshold_assessment = models.PositiveSmallIntegerField(
        _("co-assessment threshold (%)"), default=10, validators=PERCENT
    )
    evaluation_window_days = models.PositiveSmallIntegerField(
        _("evaluation window (days)"), default=30, validators=[MinValueValidator(1)]
    )
    # Set once, by ``period_close``: a closed period's figures are frozen and it never reopens.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
    )

    # Who changed a threshold or the ceiling, and when: the scorecard's verdicts depend on them.
    history = HistoricalRecords()
    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="period_ends_after_start",
                violation_error_message=_("The period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(fisik_percent__lte=100),
                name="period_fisik_percent_max_100",
                violation_error_message=_("The physical share can be at most 100%."),
            ),
        ]

    def __str__(self):
        return self.name or _("Budget year %(year)s") % {"year": self.year}

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The period must end after it starts.")})

    @property
    def nonfisik_percent(self) -> int:
        return 100 - self.fisik_percent

    def ceiling_for(self, rt) -> int:
        override = self.rt_ceilings.filter(rt=rt).values_list("ceiling", flat=True).first()
        return self.rt_ceiling if override is None else override

    def threshold(self, stage: str) -> int:
        return getattr(self, f"threshold_{stage}")


class RtCeiling(models.Model):
    """An RT whose ceiling in a period differs from the period's default."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="rt_ceilings")
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, related_name="ceilings")
    ceiling = models.PositiveBigIntegerField(_("ceiling (Rp)"))

    class Meta:
        verbose_name = _("RT ceiling")
        verbose_name_plural = _("RT ceilings")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "rt"],
                name="rt_ceiling_unique_per_period",
                violation_error_message=_("This RT already has its own ceiling for this period."),
            )
        ]

    def __str__(self):
        return f"{self.rt}: {self.ceiling}"
