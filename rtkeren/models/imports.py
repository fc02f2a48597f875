from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A resident file an officer uploaded: checked first (the plan), imported on confirmation.

    The file is kept, encrypted, between the check and the confirmation so that it need not be
    uploaded twice, and is dropped once imported; the plan stays as the record of what was done.
    Both the check and the import run in the background worker: the request only stores the
    file or the confirmation and queues the work.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the check")
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        FAILED = "failed", _("Could not be checked")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")

    #: The worker is on it (or is about to be): the page refreshes itself until it is done.
    IN_PROGRESS = (Status.WAITING, Status.CHECKING, Status.IMPORTING)

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("officer"),
    )
    kelurahan = models.ForeignKey(
        "rtkeren.Kelurahan",
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("kelurahan"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("file format"), max_length=4, choices=Format.choices)
    content = models.BinaryField(_("file content (encrypted)"), editable=False)
    content_sha256 = models.CharField(_("file checksum"), max_length=64, editable=False)
    plan = models.JSONField(_("check result"), default=dict, editable=False)
    fingerprint = models.CharField(_("check fingerprint"), max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    rows_read = models.PositiveIntegerField(_("lines read"), default=0)
    error = models.TextField(_("problem"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("residents added"), default=0)
    updated_count = models.PositiveIntegerField(_("residents updated"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("resident import")
        verbose_name_plural = _("resident imports")

    def __str__(self):
        return f"{self.file_name} ({self.kelurahan}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS
