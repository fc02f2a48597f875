"""Activities (kegiatan): the spine that flows through all four stages, with budget and timeline."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .aggregates import sum_per_row
from .choices import ChoiceLabels
from .communities import Community
from .ledger_subjects import ledger_rows_relation
from .people import Interest
from .periods import Period
from .wilayah import RT, Kelurahan


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_DELIVERY = "in_delivery", _("In delivery")
    DELIVERED = "delivered", _("Delivered")
    EVALUATED = "evaluated", _("Evaluated")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATUSES = frozenset(
    {ActivityStatus.REJECTED, ActivityStatus.EVALUATED, ActivityStatus.CANCELLED}
)


def budget_sum() -> Sum:
    """The money of the budget lines joined to the rows: quantity times unit price, added up."""
    return Sum(F("budget_lines__quantity") * F("budget_lines__unit_price"))


@cache
def budget_per_row() -> Coalesce:
    """Each activity's budget (its lines' quantity times unit price, added up; 0 without lines)
    as a subquery of its own row: no join, so the rows are neither repeated nor grouped.

    Built once per process: it names no request's values, and a queryset that takes an
    expression resolves a copy of it (the subquery's query cloned), never the expression
    itself. Building it costs about as much as compiling it."""
    return sum_per_row(BudgetLine.objects.all(), "activity", F("quantity") * F("unit_price"))


class ActivityQuerySet(models.QuerySet):
    def in_kelurahan(self, kelurahan):
        return self.filter(kelurahan=kelurahan)

    def with_places(self):
        return self.select_related("kelurahan", "rt__rw", "period", "community", "author")

    def with_place_names(self):
        """What a list's row names of where an activity is (``activity_place``), and no more:
        the period, community and author ``with_places`` adds are columns (an account's among
        them) that a row of the proposals or of a ballot never shows. The kelurahan and the RT
        (with its RW) come from the city's places, not joined (``rtkeren.places``)."""
        from rtkeren.places import with_held_places

        return with_held_places(self)

    def with_budget_total(self):
        return self.annotate(budget_total=budget_sum())


class Activity(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        TRAINING = "pelatihan", _("Training (pelatihan)")
        PERFORMANCE = "pentas_seni", _("Arts performance (pentas seni)")
        RELIGIOUS = "keagamaan", _("Religious or interfaith activity")
        GOTONG_ROYONG = "gotong_royong", _("Communal work (gotong royong)")
        PHYSICAL = "fisik", _("Physical works")
        OTHER = "lainnya", _("Other")

    class Nature(models.TextChoices):
        FISIK = "fisik", _("Physical (fisik)")
        NONFISIK = "nonfisik", _("Non-physical (nonfisik)")

    class Bidang(models.TextChoices):
        HUMAN_DEVELOPMENT = "pembangunan_manusia", _("Human development")
        ECONOMY = "ekonomi", _("Economy")
        GOVERNANCE = "pemerintahan", _("Governance")
        INFRASTRUCTURE = "infrastruktur", _("Infrastructure")

    class Funding(models.TextChoices):
        RT_KEREN = "rt_keren", _("The RT's RT Keren allocation")
        SWADAYA = "swadaya", _("Residents' own contribution (swadaya)")
        KELURAHAN = "kelurahan", _("Kelurahan budget")
        OTHER = "lainnya", _("Other source")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    nature = models.CharField(_("physical or not"), max_length=10, choices=Nature.choices)
    bidang = models.CharField(_("field (bidang)"), max_length=24, choices=Bidang.choices)
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="activities", verbose_name=_("kelurahan")
    )
    rt = models.ForeignKey(
        RT,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("RT"),
        help_text=_("Empty for an activity of the whole kelurahan."),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("community"),
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="activities", verbose_name=_("period")
    )
    interests = models.ManyToManyField(
        Interest, blank=True, related_name="activities", verbose_name=_("interests served")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_activities",
        verbose_name=_("author"),
    )
    # The register entry the author proposed as (their acting resident when it was first
    # proposed), whom proposing counts for in the participation ledger; empty when the author
    # acted as no active resident (an officer, a community lead without an entry).
    proposed_as = models.ForeignKey(
        "rtkeren.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed as resident"),
        editable=False,
    )
    funding_source = models.CharField(
        _("funding source"), max_length=12, choices=Funding.choices, default=Funding.RT_KEREN
    )
    target_participants = models.CharField(_("target participants"), max_length=255, blank=True)
    expected_outputs = models.CharField(_("expected outputs"), max_length=255, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    decision_reason = models.TextField(
        _("reason"), blank=True, help_text=_("The public reason for a rejection or cancellation.")
    )
    content_frozen_at = models.DateTimeField(
        _("content frozen at"),
        null=True,
        blank=True,
        help_text=_("Set when a voting round holding this proposal opens."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = ActivityQuerySet.as_manager()

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["kelurahan", "period", "status"], name="activity_scope_status"),
            models.Index(fields=["rt", "period", "status"], name="activity_rt_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=F("planned_start")),
                name="activity_planned_end_after_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.rt_id and self.kelurahan_id and self.rt.rw.kelurahan_id != self.kelurahan_id:
            raise ValidationError({"rt": _("This RT is not in the activity's kelurahan.")})
        if (
            self.community_id
            and self.kelurahan_id
            and self.community.kelurahan_id != self.kelurahan_id
        ):
            raise ValidationError({"community": _("This community is not in the kelurahan.")})
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": _("The end cannot be before the start.")})

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_content_frozen(self) -> bool:
        """Frozen once a voting round holding it has opened (``content_frozen_at`` is set to a
        round's opening when the round is scheduled)."""
        return self.content_frozen_at is not None and self.content_frozen_at <= timezone.now()

    @property
    def counts_against_ceiling(self) -> bool:
        return self.funding_source == self.Funding.RT_KEREN

    def budget_total(self) -> int:
        return sum(line.total for line in self.budget_lines.all())


class BudgetLine(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=30)
    unit_price = models.PositiveBigIntegerField(_("unit price (Rp)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="budget_line_quantity_positive",
                violation_error_message=_("The quantity must be at least 1."),
            ),
        ]

    def __str__(self):
        return self.item

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


class ActivityShare(models.Model):
    """The part of a kelurahan-wide activity's budget that one RT pays from its RT Keren
    allocation. The shares of an activity add up to its budget when it is approved
    (``rtkeren.services.budget``); each counts in its RT's ceiling, budget plan and LPJ."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="shares", verbose_name=_("activity")
    )
    rt = models.ForeignKey(
        RT, on_delete=models.PROTECT, related_name="activity_shares", verbose_name=_("RT")
    )
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["rt__rw__number", "rt__number", "pk"]
        verbose_name = _("RT share")
        verbose_name_plural = _("RT shares")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "rt"],
                name="activity_share_one_per_rt",
                violation_error_message=_("An RT pays one share of an activity."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=1),
                name="activity_share_amount_positive",
                violation_error_message=_("A share must be more than Rp0."),
            ),
        ]

    def __str__(self):
        return f"{self.activity}: {self.rt}"


class ActivityTransition(models.Model):
    """One entry of an activity's timeline: who moved it from which status to which, and why."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=12, choices=ActivityStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=ActivityStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    #: On approval, where the RT stood when the officer decided: its ceiling, what it had
    #: committed, the activity's amount and the physical/non-physical split after it
    #: (``rtkeren.services.budget.CeilingPosition.record``).
    budget_check = models.JSONField(_("budget check"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("activity transition")
        verbose_name_plural = _("activity transitions")
        indexes = [models.Index(fields=["activity", "at"], name="activity_transition_timeline")]

    def __str__(self):
        return f"{self.activity}: {self.from_status} → {self.to_status}"
