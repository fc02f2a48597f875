"""Co-assessment: residents and government evaluate delivered activities side by side, obstacles
become follow-ups, and evaluation rounds gather the evaluations of a quarter.

Written only through ``assessment.services``; read through ``assessment.selectors``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rtkeren.models import RT, Activity, ActivityStatus, ChoiceLabels, Kelurahan, Period, Resident
from rtkeren.models.ledger_subjects import ledger_rows_relation

SCORE_MIN, SCORE_MAX = 1, 5

#: Activities open to evaluation, or evaluated: delivered or evaluated.
EVALUATED_STATUSES = (ActivityStatus.DELIVERED, ActivityStatus.EVALUATED)


class Side(models.TextChoices):
    COMMUNITY = "community", pgettext_lazy("evaluation side", "Community")
    GOVERNMENT = "government", _("Government")


class CriterionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Criterion(models.Model):
    """What an activity is scored on, 1 to 5 (*manfaat*, *kualitas pelaksanaan*...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    question = models.CharField(
        _("question"),
        max_length=255,
        blank=True,
        help_text=_("How the evaluation form asks about this criterion."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Criteria no longer in use keep their scores.")
    )

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.name


class Evaluation(models.Model):
    """One person's evaluation of one activity, from the side their role puts them on.

    ``evaluator`` is the account the evaluation belongs to; an evaluation recorded on behalf of a
    resident without one has no evaluator, only the ``resident`` and who recorded it.
    """

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("activity")
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("evaluator"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("resident"),
    )
    on_behalf = models.BooleanField(_("recorded on behalf of the resident"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    obstacles = models.TextField(_("obstacles (hambatan)"), blank=True)
    suggestions = models.TextField(_("suggestions (saran)"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "evaluator"],
                condition=models.Q(evaluator__isnull=False),
                name="evaluation_once_per_evaluator",
                violation_error_message=_("This person already evaluated this activity."),
            ),
            models.UniqueConstraint(
                fields=["activity", "resident"],
                condition=models.Q(resident__isnull=False),
                name="evaluation_once_per_resident",
                violation_error_message=_("This resident already evaluated this activity."),
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=Side.values),
                name="evaluation_side_known",
                violation_error_message=_(
                    "Choose whose evaluation it is: the residents' or the government's."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(evaluator__isnull=False) | models.Q(resident__isnull=False),
                name="evaluation_has_a_person",
                violation_error_message=_("An evaluation names who gave it."),
            ),
            models.CheckConstraint(
                condition=models.Q(on_behalf=False)
                | models.Q(side="community", resident__isnull=False, evaluator__isnull=True),
                name="evaluation_on_behalf_of_a_resident",
                violation_error_message=_(
                    "An evaluation recorded on someone's behalf names the resident."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(side="government") | models.Q(resident__isnull=True),
                name="evaluation_government_has_no_resident",
                violation_error_message=_("The government's evaluation names no resident."),
            ),
        ]
        indexes = [models.Index(fields=["activity", "side"], name="evaluation_activity_side")]

    def __str__(self):
        return f"{self.activity} – {self.person_name}"

    @property
    def person_name(self) -> str:
        return str(self.resident) if self.resident_id else str(self.evaluator)


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"],
                name="score_once_per_criterion",
                violation_error_message=_("Each criterion is scored once."),
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=SCORE_MIN, value__lte=SCORE_MAX),
                name="score_between_1_and_5",
                violation_error_message=_("A score is from 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class FollowUpQuerySet(models.QuerySet):
    def not_done(self):
        return self.exclude(status=FollowUp.Status.DONE)

    def overdue(self, today=None):
        return self.not_done().filter(due_on__lt=today or timezone.localdate())


class FollowUp(ChoiceLabels, models.Model):
    """An obstacle turned into an action (*tindak lanjut*), with an owner and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("activity")
    )
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("from the evaluation"),
    )
    # The unfinished product this follows up, held generically (see rtkeren.registry
    # ``unfinished_outputs``) so that assessment never imports the app that records it.
    output_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    output_id = models.PositiveBigIntegerField(null=True, blank=True)
    output = GenericForeignKey("output_type", "output_id")
    obstacle = models.TextField(_("obstacle"))
    action = models.TextField(_("action to take"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "in_progress", "done"]),
                name="follow_up_status_known",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(resolution=""),
                name="follow_up_done_has_resolution",
                violation_error_message=_("Write what was done before marking the follow-up done."),
            ),
            models.CheckConstraint(
                condition=models.Q(output_type__isnull=True, output_id__isnull=True)
                | models.Q(output_type__isnull=False, output_id__isnull=False),
                name="follow_up_output_whole",
                violation_error_message=_("A follow-up names a whole product, or none."),
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="follow_up_owner"),
            models.Index(fields=["activity", "status"], name="follow_up_activity"),
            models.Index(fields=["output_type", "output_id"], name="follow_up_output"),
        ]

    def __str__(self):
        return self.action[:60]

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.DONE and self.due_on < timezone.localdate()


class RoundQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("kelurahan", "rt__rw", "period")


class EvaluationRound(models.Model):
    """A periodic round (e.g. a quarter) of the kelurahan or one RT: it covers the activities
    delivered there between ``covers_from`` and ``covers_until``, and may hold a forum."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=150)
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        related_name="evaluation_rounds",
        verbose_name=_("kelurahan"),
    )
    rt = models.ForeignKey(
        RT,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_rounds",
        verbose_name=_("RT"),
        help_text=_("Empty for a round of the whole kelurahan."),
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="evaluation_rounds", verbose_name=_("period")
    )
    covers_from = models.DateField(_("covers activities delivered from"))
    covers_until = models.DateField(_("until"))
    forum_on = models.DateField(_("evaluation forum date"), null=True, blank=True)
    forum_place = models.CharField(_("evaluation forum place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["-covers_until", "-pk"]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(covers_until__gte=models.F("covers_from")),
                name="evaluation_round_dates_in_order",
                violation_error_message=_("The time the round covers must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(forum_on__isnull=False) | models.Q(forum_place=""),
                name="evaluation_round_forum_place_needs_date",
                violation_error_message=_("Give the forum's date when you give its place."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="evaluation_round_closed_has_time",
                violation_error_message=_("A closed round says when it closed."),
            ),
        ]
        indexes = [models.Index(fields=["kelurahan", "status"], name="evaluation_round_kel")]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def has_forum(self) -> bool:
        return self.forum_on is not None

    @property
    def scope_name(self) -> str:
        return str(self.rt) if self.rt_id else _("Kelurahan %(name)s") % {"name": self.kelurahan}


class ForumAttendance(models.Model):
    """A resident present at a round's evaluation forum: co-assessment participation."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="evaluation_forum_attendances",
        verbose_name=_("resident"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["resident__name", "pk"]
        verbose_name = _("evaluation forum attendance")
        verbose_name_plural = _("evaluation forum attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "resident"],
                name="evaluation_forum_once_per_resident",
                violation_error_message=_("This resident is already on the attendance list."),
            )
        ]

    def __str__(self):
        return f"{self.round} – {self.resident}"


class FrozenScorecard(models.Model):
    """The scorecard of one scope (the city, a kelurahan or an RT) as it stood when its period
    closed (``assessment.scorecard.scorecard_freeze``). A closed period is read from these rows,
    not from the live tables, so a later move, death, late record or changed threshold leaves it
    as it was. ``definition`` names the rules it was computed by (``scorecard.DEFINITION``)."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="frozen_scorecards", verbose_name=_("period")
    )
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan"),
    )
    rt = models.ForeignKey(
        RT, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("RT")
    )
    base = models.PositiveIntegerField(_("residents in the base"))
    commissioning = models.PositiveIntegerField(_("co-commissioning participants"))
    commissioning_own = models.PositiveIntegerField(_("co-commissioning, own account"))
    designing = models.PositiveIntegerField(_("co-designing participants"))
    designing_own = models.PositiveIntegerField(_("co-designing, own account"))
    delivery = models.PositiveIntegerField(_("co-delivery participants"))
    delivery_own = models.PositiveIntegerField(_("co-delivery, own account"))
    assessment = models.PositiveIntegerField(_("co-assessment participants"))
    assessment_own = models.PositiveIntegerField(_("co-assessment, own account"))
    threshold_commissioning = models.PositiveSmallIntegerField(_("co-commissioning threshold (%)"))
    threshold_designing = models.PositiveSmallIntegerField(_("co-designing threshold (%)"))
    threshold_delivery = models.PositiveSmallIntegerField(_("co-delivery threshold (%)"))
    threshold_assessment = models.PositiveSmallIntegerField(_("co-assessment threshold (%)"))
    community_evaluations = models.PositiveIntegerField(_("community evaluations"))
    community_on_behalf_evaluations = models.PositiveIntegerField(
        _("community evaluations recorded on behalf of residents")
    )
    government_evaluations = models.PositiveIntegerField(_("government evaluations"))
    definition = models.CharField(_("scorecard definition"), max_length=20)
    frozen_at = models.DateTimeField(_("frozen at"))

    class Meta:
        ordering = ["period", "kelurahan", "rt"]
        verbose_name = _("frozen scorecard")
        verbose_name_plural = _("frozen scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(kelurahan__isnull=True, rt__isnull=True),
                name="frozen_scorecard_once_per_period_for_the_city",
                violation_error_message=_("The scorecard of this period is already frozen."),
            ),
            models.UniqueConstraint(
                fields=["period", "kelurahan"],
                condition=models.Q(kelurahan__isnull=False),
                name="frozen_scorecard_once_per_period_and_kelurahan",
                violation_error_message=_("The scorecard of this period is already frozen."),
            ),
            models.UniqueConstraint(
                fields=["period", "rt"],
                condition=models.Q(rt__isnull=False),
                name="frozen_scorecard_once_per_period_and_rt",
                violation_error_message=_("The scorecard of this period is already frozen."),
            ),
            models.CheckConstraint(
                condition=models.Q(kelurahan__isnull=True) | models.Q(rt__isnull=True),
                name="frozen_scorecard_one_scope",
                violation_error_message=_("A frozen scorecard is of one place."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    commissioning_own__lte=models.F("commissioning"),
                    designing_own__lte=models.F("designing"),
                    delivery_own__lte=models.F("delivery"),
                    assessment_own__lte=models.F("assessment"),
                    community_on_behalf_evaluations__lte=models.F("community_evaluations"),
                ),
                name="frozen_scorecard_parts_within_wholes",
                violation_error_message=_("A frozen scorecard's counts stay within their totals."),
            ),
        ]

    def __str__(self):
        scope = self.rt or self.kelurahan or _("Kota Blitar")
        return f"{scope} – {self.period}"
