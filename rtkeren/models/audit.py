from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Resident


class NikReveal(models.Model):
    """Each time an officer saw a resident's full NIK: who, when, whose."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="nik_reveals",
        verbose_name=_("officer"),
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="nik_reveals", verbose_name=_("resident")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("NIK reveal")
        verbose_name_plural = _("NIK reveals")

    def __str__(self):
        return f"{self.officer} → {self.resident} ({self.at:%Y-%m-%d %H:%M})"
