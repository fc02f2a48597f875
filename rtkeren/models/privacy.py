"""Consent to optional personal data, and requests to delete a resident's data (UU 27/2022)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .people import Resident


class ConsentQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """One consent from giving to withdrawal. A new consent after a withdrawal is a new row, so
    the record shows every text the resident agreed to and when."""

    class Purpose(models.TextChoices):
        RELIGION = "religion", _("Religion")
        PHONE = "phone", _("Phone number")
        PHOTO = "photo", _("Photo")
        PUBLIC_NAME = "public_name", _("Name shown publicly")
        WHATSAPP = "whatsapp", _("Notifications by WhatsApp")
        SMS = "sms", _("Notifications by SMS")

    #: What the resident agrees to; the text shown at the time is copied into ``text``.
    TEXTS = {
        Purpose.RELIGION: _(
            "I agree that my religion is recorded in the resident register. Only I see it; "
            "the RT and the kelurahan see it only in totals."
        ),
        Purpose.PHONE: _(
            "I agree that my phone number is recorded so that my RT chair and the kelurahan "
            "office can contact me about RT Keren activities."
        ),
        Purpose.PHOTO: _(
            "I agree that photos of me taken at RT Keren activities are kept as evidence of the "
            "activity."
        ),
        Purpose.PUBLIC_NAME: _(
            "I agree that my name is shown on the portal's public pages next to the activities "
            "I took part in."
        ),
        Purpose.WHATSAPP: _(
            "I agree that the portal sends RT Keren notifications and reminders I choose to my "
            "phone number by WhatsApp, through Meta's WhatsApp Business Platform. I can withdraw "
            "this at any time in Data Saya or in my profile."
        ),
        Purpose.SMS: _(
            "I agree that the portal sends RT Keren notifications and reminders I choose to my "
            "phone number by SMS, through the kelurahan's SMS gateway. I can withdraw this at "
            "any time in Data Saya or in my profile."
        ),
    }

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="consents", verbose_name=_("resident")
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    text = models.TextField(_("text consented to"))
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    history = HistoricalRecords()
    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["purpose", "-given_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_in_force_per_purpose",
                violation_error_message=_("A consent for this purpose is already in force."),
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
                violation_error_message=_("A consent can be withdrawn only after it was given."),
            ),
        ]

    def __str__(self):
        return f"{self.resident} – {self.get_purpose_display()}"

    @property
    def on_behalf(self) -> bool:
        return self.recorded_by_id is not None and self.recorded_by_id != self.resident.user_id


class DeletionRequest(models.Model):
    """A resident's request to delete their data, which an officer of the kelurahan completes by
    anonymising the register entry (participation rows stay, so scorecards stay right)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the kelurahan")
        COMPLETED = "completed", _("Completed")

    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="deletion_requests",
        verbose_name=_("resident"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(status="open"),
                name="deletion_request_one_open",
                violation_error_message=_(
                    "A deletion request for this resident is already waiting."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.resident} ({self.get_status_display()})"
