from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    """Trigram similarity for the search box (typos); nothing happens on SQLite. Creating an
    extension needs a database role that may (see docs/operations.md). Migrating back leaves
    the extension in place: other databases' objects may use it."""

    dependencies = [("rtkeren", "0036_offline_submission")]

    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop)]
