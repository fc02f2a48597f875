"""Triggers that give the scorecard version a new token with every write to a table the
scorecard counts from, whoever writes (services, imports, the admin, bulk updates)."""

from django.db import migrations

WATCHED = [
    ("rtkeren", "Participation"),
    ("rtkeren", "Resident"),
    ("rtkeren", "Activity"),
    ("rtkeren", "RT"),
    ("rtkeren", "RW"),
    ("assessment", "Evaluation"),
]
FUNCTION = "assessment_scorecard_touch"
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def _tables(apps) -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in WATCHED]


def create_triggers(apps, schema_editor):
    version = apps.get_model("assessment", "ScorecardVersion")._meta.db_table
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
            BEGIN
                INSERT INTO {version} (id, token)
                VALUES (1, md5(random()::text || clock_timestamp()::text))
                ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        for table in _tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    elif vendor == "sqlite":
        for table in _tables(apps):
            for event in SQLITE_EVENTS:
                schema_editor.execute(
                    f"CREATE TRIGGER {FUNCTION}_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN INSERT OR REPLACE INTO {version} (id, token) "
                    f"VALUES (1, lower(hex(randomblob(16)))); END"
                )
    else:
        raise NotImplementedError(f"No scorecard triggers for {vendor}.")
    schema_editor.execute(f"INSERT INTO {version} (id, token) VALUES (1, 'initial')")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in _tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}")
        else:
            for event in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION}_{table}_{event.lower()}")
    if vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_scorecard_version"),
        ("rtkeren", "0008_privacy"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
