"""One-time codes an RT chair gives to a resident without e-mail to set a new password."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PASSWORD_CODE_MAX_ATTEMPTS = 5


class PasswordCodeQuerySet(models.QuerySet):
    def open(self):
        """Codes neither used nor voided; they may still have expired."""
        return self.filter(used_at__isnull=True, voided_at__isnull=True)

    def usable(self, now=None):
        return self.open().filter(expires_at__gt=now or timezone.now())


class PasswordCode(models.Model):
    """Only the hash of the code is kept: the chair sees the code once, when it is issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_codes",
        verbose_name=_("account"),
    )
    code_hash = models.CharField(_("code (hashed)"), max_length=128, editable=False)
    # The audit of who gave the code: an account that issued codes cannot be deleted.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    #: Empty for a code an RT chair gave out; the channel and number for a code the person
    #: asked to have sent to their own verified phone number.
    channel = models.CharField(
        _("sent by"),
        max_length=10,
        blank=True,
        choices=[("whatsapp", "WhatsApp"), ("sms", "SMS")],
    )
    sent_to = models.CharField(_("sent to"), max_length=16, blank=True)

    objects = PasswordCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("one-time password code")
        verbose_name_plural = _("one-time password codes")
        constraints = [
            # A new code voids the previous one, so a person never holds two that work.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, voided_at__isnull=True),
                name="password_code_one_open_per_user",
                violation_error_message=_(
                    "This account already has a code that has not been used."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(failed_attempts__lte=PASSWORD_CODE_MAX_ATTEMPTS),
                name="password_code_attempts_bounded",
                violation_error_message=_("Too many attempts with this code."),
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"
