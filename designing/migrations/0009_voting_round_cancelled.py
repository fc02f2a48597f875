"""A voting round can be cancelled, with who, when and why.

On SQLite, adding these columns and the check rebuilds the round table, which the vote limit
triggers (0002) name: they are dropped first and made again afterwards."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _vote_limit():
    return import_module("designing.migrations.0002_vote_limit_trigger")


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _vote_limit().drop_trigger(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _vote_limit().create_trigger(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('designing', '0008_proposal_fit_fill'),
        ('rtkeren', '0030_base_entry_ended'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.AddField(
            model_name='votinground',
            name='cancel_reason',
            field=models.TextField(blank=True, verbose_name='reason for cancelling'),
        ),
        migrations.AddField(
            model_name='votinground',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='cancelled at'),
        ),
        migrations.AddField(
            model_name='votinground',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by'),
        ),
        migrations.AddConstraint(
            model_name='votinground',
            constraint=models.CheckConstraint(condition=models.Q(('cancelled_at__isnull', True), models.Q(models.Q(('cancel_reason', ''), _negated=True), ('cancelled_by__isnull', False)), _connector='OR'), name='voting_round_cancelled_with_reason'),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
