"""What a phone sent after keeping it without a signal: one row per idempotency key."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OfflineOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFLICT = "conflict", _("Conflict")
    FORBIDDEN = "forbidden", _("Not allowed")


class OfflineSubmission(models.Model):
    """A submission a phone queued (attendance ticks, an evaluation) and the answer it got.

    The phone makes the key (a UUID) when the form is saved and sends it with every try; the
    first try that reaches the portal is applied (or refused) once, and every later try with
    the same key gets the same answer back (``answer``), whatever has changed since. Only final
    answers are kept: a try that failed for a passing reason (logged out, too many requests)
    leaves no row, so the phone may try again."""

    Outcome = OfflineOutcome

    key = models.UUIDField(_("idempotency key"), unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="offline_submissions",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # The SHA-256 of what was sent: the same key with other content is refused, not replayed.
    payload_hash = models.CharField(max_length=64)
    outcome = models.CharField(_("outcome"), max_length=16, choices=OfflineOutcome.choices)
    message = models.TextField(_("message"), blank=True)
    answer = models.JSONField(_("answer"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("offline submission")
        verbose_name_plural = _("offline submissions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=OfflineOutcome.values),
                name="offline_submission_outcome_known",
                violation_error_message=_(
                    "An offline submission is applied, in conflict or not allowed."
                ),
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.outcome})"

    @property
    def status_code(self) -> int:
        return OUTCOME_STATUS[self.outcome]


OUTCOME_STATUS = {
    OfflineOutcome.APPLIED: 200,
    OfflineOutcome.CONFLICT: 409,
    OfflineOutcome.FORBIDDEN: 403,
}
