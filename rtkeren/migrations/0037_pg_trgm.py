from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Trigram similarity for the search box (typos); nothing happens on SQLite. Creating an
    extension needs a database role that may (see docs/operations.md)."""

    dependencies = [("rtkeren", "0036_offline_submission")]

    operations = [TrigramExtension()]
