from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification is about: a person chooses channels per kind."""

    FORUM = "forum", _("Forums")
    VOTE = "vote", _("Votes")
    MEETING = "meeting", _("Meetings")
    EVALUATION = "evaluation", _("Evaluations")
    FOLLOW_UP = "follow_up", _("Follow-ups")
    ACTIVITY = "activity", _("Proposals and activities")
    # Account and privacy messages always reach the bell; they cannot be turned off there.
    ACCOUNT = "account", _("Account and privacy")


class Channel(models.TextChoices):
    """Where a notification reaches a person."""

    BELL = "bell", _("In the portal")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


#: Channels that send to a phone number: each needs the resident's recorded consent (UU PDP).
PHONE_CHANNELS = (Channel.WHATSAPP, Channel.SMS)


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-portal message, written only through ``notification_send``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=NotificationKind.choices,
        default=NotificationKind.ACTIVITY,
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self):
        return self.message


class NotificationPreference(models.Model):
    """A person's choice for one channel and one kind. Without a row the default holds: the bell
    and e-mail on (e-mail as ``User.email_notifications`` says), WhatsApp and SMS off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    enabled = models.BooleanField(_("on"), default=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["user", "channel", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "kind"],
                name="notification_preference_unique",
                violation_error_message=_("This choice is already recorded."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_channel_display()} – {self.get_kind_display()}"


#: Why the portal itself stopped a message, as ``last_error`` stores it (a code, not text), with
#: what an officer reads.
CONSENT_WITHDRAWN = "consent withdrawn"
OWN_ERRORS = {CONSENT_WITHDRAWN: _("The resident withdrew their consent to this channel.")}


class OutboundMessageQuerySet(models.QuerySet):
    def due(self, now=None):
        """Messages the worker should try now: waiting and past their time."""
        return self.filter(
            status=OutboundMessage.Status.QUEUED, send_after__lte=now or timezone.now()
        )


class OutboundMessage(models.Model):
    """One message to one person on one channel outside the portal (WhatsApp, SMS, or a daily
    digest by e-mail), from queueing to its last delivery report. Officers see the failed ones."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        HELD = "held", _("Held for the daily digest")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        IN_DIGEST = "in_digest", _("Sent in the daily digest")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    #: The address at queueing: a phone number in E.164 (``+628…``) or an e-mail address.
    address = models.CharField(_("sent to"), max_length=254)
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_messages",
        verbose_name=_("notification"),
    )
    #: The approved WhatsApp template and its body parameters, in order.
    template = models.CharField(_("template"), max_length=64, blank=True)
    parameters = models.JSONField(_("template parameters"), default=list, blank=True)
    #: The plain text: what an SMS says, and what the portal shows of the message.
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    #: Not before: the next try after a failure, or 06.00 WIB for a message queued at night.
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=128, blank=True)
    #: Asked for by the person at this moment (a password code): it needs no consent and does
    #: not wait for the morning.
    on_request = models.BooleanField(_("asked for by the recipient"), default=False)
    #: Set for a message that must never go twice (a reminder, a digest): unique when set.
    dedupe_key = models.CharField(_("deduplication key"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = OutboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "send_after"], name="outbound_due"),
            models.Index(fields=["provider_id"], name="outbound_provider_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="outbound_dedupe_key_unique",
                violation_error_message=_("This message has already been queued."),
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.user} ({self.get_status_display()})"

    @property
    def error_shown(self) -> str:
        """``last_error`` for an officer: the portal's own reasons in their language, a
        provider's error as the provider gave it."""
        return str(OWN_ERRORS.get(self.last_error, self.last_error))


class DeliveryReport(models.Model):
    """A status the provider reported for a message (WhatsApp's webhook), verified and kept as
    received, also when the message is not (or no longer) known here."""

    message = models.ForeignKey(
        OutboundMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("message"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    provider_id = models.CharField(_("provider's message id"), max_length=128)
    status = models.CharField(_("status"), max_length=32)
    error = models.CharField(_("error"), max_length=500, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")

    def __str__(self):
        return f"{self.provider_id}: {self.status}"


class ReminderSent(models.Model):
    """That a reminder went to a person: the scheduler writes it in the same transaction as the
    reminder, so a reminder never goes twice, also after a restart."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders_sent",
        verbose_name=_("user"),
    )
    #: What was reminded of, e.g. ``forum-day-before:12``.
    key = models.CharField(_("reminder"), max_length=96)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="reminder_sent_once",
                violation_error_message=_("This reminder has already been sent."),
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.key}"
