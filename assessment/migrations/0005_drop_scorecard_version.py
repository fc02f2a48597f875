"""The scorecard now caches under the portal-wide data version (``rtkeren.versions``), whose
triggers cover every table: the scorecard's own version row, which every write in the city
locked, and its triggers go."""

from importlib import import_module

from django.db import migrations

scorecard_triggers = import_module("assessment.migrations.0004_scorecard_version_triggers")


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0004_scorecard_version_triggers"),
        ("rtkeren", "0009_data_version"),
    ]

    operations = [
        migrations.RunPython(scorecard_triggers.drop_triggers, scorecard_triggers.create_triggers),
        migrations.DeleteModel(name="ScorecardVersion"),
    ]
