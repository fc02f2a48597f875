from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """Tokens that change, in the writing transaction, with every write to a table of the
    portal's apps (database triggers kept by ``rtkeren.versions``). Whatever is cached under
    the tokens read before computing it is never older than the data.

    On PostgreSQL a writer changes the row of its connection's shard (``pg_backend_pid()``
    modulo ``rtkeren.versions.SHARDS``), so that two transactions writing at once seldom wait
    for the same row; a reader takes all the rows."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.pk}: {self.token}"
