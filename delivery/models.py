"""Co-delivery of an approved activity: its meetings and who attended them, the residents who
implement it, the products a training promised, the committee's notes and tasks, photos and
spending (*realisasi*)."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rtkeren.models import Activity, ActivityStatus, ChoiceLabels, Resident
from rtkeren.models.aggregates import count_per_row
from rtkeren.models.ledger_subjects import ledger_rows_relation

#: Self check-in opens this long before a meeting starts and closes this long after it ends.
CHECKIN_OPENS_BEFORE = datetime.timedelta(minutes=30)
CHECKIN_CLOSES_AFTER = datetime.timedelta(hours=2)
#: A meeting without an end time is taken to last this long.
DEFAULT_LENGTH = datetime.timedelta(hours=2)

#: Activities being delivered: meetings, attendance, outputs and spending may still change.
DELIVERY_STATUSES = (ActivityStatus.APPROVED, ActivityStatus.IN_DELIVERY, ActivityStatus.DELIVERED)
#: Activities that have a delivery record to show: those being delivered and the evaluated ones.
RECORDED_STATUSES = (*DELIVERY_STATUSES, ActivityStatus.EVALUATED)
#: Activities that went into delivery and were not cancelled: their outputs count for the
#: completion rate, and reports account for them.
COMPLETION_STATUSES = (
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)


def _new_checkin_key() -> str:
    return secrets.token_urlsafe(12)


def completion_rate(finished: int, planned: int) -> int | None:
    """Finished over planned, in whole percent rounded down: 100% means all of it is done."""
    return 100 * finished // planned if planned else None


def completion_summary(planned: int, finished: int) -> dict:
    """Planned and finished quantities, and the rate between them, as the pages show them."""
    return {"planned": planned, "finished": finished, "rate": completion_rate(finished, planned)}


def outputs_completion(outputs) -> dict:
    """``completion_summary`` of outputs already read (no query)."""
    outputs = list(outputs)
    return completion_summary(
        sum(output.target_quantity for output in outputs),
        sum(output.finished_quantity for output in outputs),
    )


class MeetingQuerySet(models.QuerySet):
    def with_counts(self):
        """Each meeting's attendance and photos, counted in a subquery on the meeting:
        counted over joins, the two would multiply each other's rows (a meeting's attendees
        times its photos) before grouping."""
        return self.annotate(
            attendee_count=count_per_row(Attendance.objects.all(), "meeting"),
            photo_count=count_per_row(MeetingPhoto.objects.all(), "meeting"),
        )


class Meeting(models.Model):
    """A meeting (*pertemuan*) of an activity: a training session, a rehearsal, a work day."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("activity")
    )
    title = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    facilitator = models.CharField(
        _("facilitator"),
        max_length=150,
        blank=True,
        help_text=_("Who leads or accompanies the meeting (trainer, pendamping)."),
    )
    # Part of the check-in token: changing it makes the codes already printed worthless.
    checkin_key = models.CharField(max_length=32, default=_new_checkin_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("planned by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    # The check-in key is a secret of the printed codes, not something a reader of the history
    # needs: the history says when a meeting moved, not what its codes were.
    history = HistoricalRecords(excluded_fields=["checkin_key"])
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="delivery_meeting_ends_after_start",
                violation_error_message=_("The meeting must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["activity", "date"], name="delivery_meeting_activity")]

    def __str__(self):
        return f"{self.title} ({self.date:%d-%m-%Y})"

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meeting must end after it starts.")})

    @property
    def starts(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.starts_at))

    @property
    def ends(self) -> datetime.datetime:
        if self.ends_at:
            return timezone.make_aware(datetime.datetime.combine(self.date, self.ends_at))
        return self.starts + DEFAULT_LENGTH

    @property
    def checkin_opens_at(self) -> datetime.datetime:
        return self.starts - CHECKIN_OPENS_BEFORE

    @property
    def checkin_closes_at(self) -> datetime.datetime:
        return self.ends + CHECKIN_CLOSES_AFTER

    def is_checkin_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.checkin_opens_at <= now <= self.checkin_closes_at

    def has_taken_place(self, now: datetime.datetime | None = None) -> bool:
        return self.ends <= (now or timezone.now())


class Implementer(models.Model):
    """A resident who carries the activity out, in one role."""

    class Role(models.TextChoices):
        COORDINATOR = "koordinator", _("Coordinator")
        TRAINER = "pelatih", _("Trainer")
        TREASURER = "bendahara", _("Treasurer")
        SECRETARY = "sekretaris", _("Secretary")
        DOCUMENTATION = "dokumentasi", _("Documentation")
        CORE_PARTICIPANT = "peserta_inti", _("Core participant")
        OTHER = "lainnya", _("Other role")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="implementers")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="implementer_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["role", "resident__name", "pk"]
        verbose_name = _("implementer")
        verbose_name_plural = _("implementers")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "resident", "role"],
                name="delivery_implementer_once_per_role",
                violation_error_message=_("This resident already has this role in the activity."),
            )
        ]

    def __str__(self):
        return f"{self.resident} – {self.get_role_display()}"


class Attendance(models.Model):
    """A resident present at a meeting, however it was recorded: once per meeting."""

    class Method(models.TextChoices):
        MARKED = "marked", _("Marked by the committee")
        SELF = "self", _("Self check-in (QR code)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("recorded by"), max_length=8, choices=Method.choices)
    # Kept so that public pages can leave minors out without reading birth dates again.
    is_minor = models.BooleanField(_("minor on the day"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["resident__name", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "resident"],
                name="delivery_attendance_once_per_meeting",
                violation_error_message=_("This resident is already on the attendance list."),
            )
        ]

    def __str__(self):
        return f"{self.resident} @ {self.meeting}"


class OutputQuerySet(models.QuerySet):
    def completion(self) -> dict:
        """Finished over planned quantity of these outputs, in one query."""
        totals = self.aggregate(
            planned=models.Sum("target_quantity"), finished=models.Sum("finished_quantity")
        )
        return completion_summary(totals["planned"] or 0, totals["finished"] or 0)


class Output(ChoiceLabels, models.Model):
    """A product a training promised (e.g. 20 batik cloths) and how far it has come."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        FINISHED = "finished", _("Finished")

    class Obstacle(models.TextChoices):
        MATERIALS = "materials", _("Materials")
        TIME = "time", _("Time")
        SKILLS = "skills", _("Skills")
        FUNDS = "funds", _("Funds")
        OTHER = "other", _("Other")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="outputs", verbose_name=_("activity")
    )
    name = models.CharField(_("product"), max_length=150)
    target_quantity = models.PositiveIntegerField(
        _("target quantity"), validators=[MinValueValidator(1)]
    )
    unit = models.CharField(_("unit"), max_length=30)
    finished_quantity = models.PositiveIntegerField(_("finished quantity"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    obstacle = models.CharField(_("obstacle"), max_length=10, choices=Obstacle.choices, blank=True)
    obstacle_note = models.TextField(_("about the obstacle"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = OutputQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("training output")
        verbose_name_plural = _("training outputs")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_quantity__gte=1),
                name="delivery_output_target_positive",
                violation_error_message=_("The target must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(finished_quantity__lte=F("target_quantity")),
                name="delivery_output_finished_within_target",
                violation_error_message=_("What is finished cannot be more than the target."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.target_quantity is not None and self.finished_quantity is not None:
            if self.finished_quantity > self.target_quantity:
                errors["finished_quantity"] = _(
                    "The finished quantity cannot be more than the target (%(target)s)."
                ) % {"target": self.target_quantity}
            elif self.status == self.Status.FINISHED and (
                self.finished_quantity != self.target_quantity
            ):
                errors["status"] = _(
                    "“Finished” means the whole target is done; otherwise choose “In progress”."
                )
            elif self.status == self.Status.NOT_STARTED and self.finished_quantity:
                errors["status"] = _(
                    "Some products are finished, so the work has started: choose “In progress”."
                )
        if self.obstacle == self.Obstacle.OTHER and not self.obstacle_note.strip():
            errors["obstacle_note"] = _("Describe the obstacle.")
        if errors:
            raise ValidationError(errors)

    @property
    def rate(self) -> int:
        return completion_rate(self.finished_quantity, self.target_quantity)


class CommitteeNote(models.Model):
    """An entry of the committee's (*pengurus*) log: what was discussed or decided."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        DECISION = "decision", _("Decision")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="committee_notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("committee note")
        verbose_name_plural = _("committee notes")

    def __str__(self):
        return self.text[:60]


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Task(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("what"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delivery_tasks",
        verbose_name=_("who"),
    )
    due_on = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = _("committee task")
        verbose_name_plural = _("committee tasks")
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_on"], name="delivery_task_todo")
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_on < timezone.localdate()


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="pelaksanaan/foto/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("meeting photo")
        verbose_name_plural = _("meeting photos")

    def __str__(self):
        return self.caption or self.image.name


class Spending(models.Model):
    """A line of the activity's realisation (*realisasi*), with its receipt."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="spendings", verbose_name=_("activity")
    )
    spent_on = models.DateField(_("date"))
    item = models.CharField(_("item"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])
    receipt = models.ImageField(_("receipt photo"), upload_to="pelaksanaan/nota/%Y/%m/")
    over_budget_reason = models.TextField(
        _("reason for going over the budget"),
        blank=True,
        help_text=_("Needed when this line takes the spending above the approved budget."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    # The receipt is kept by its file name alone, as in the table itself.
    history = HistoricalRecords()

    class Meta:
        ordering = ["spent_on", "pk"]
        verbose_name = _("spending line")
        verbose_name_plural = _("spending lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=1),
                name="delivery_spending_positive",
                violation_error_message=_("A spending line must be more than Rp0."),
            )
        ]

    def __str__(self):
        return self.item
