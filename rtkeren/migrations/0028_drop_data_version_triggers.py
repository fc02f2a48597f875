"""The data version's triggers go: every table of the portal's apps had one that wrote the
version's row in the writing transaction, which made unrelated writers wait on one another.
Caches shared by many are now keyed by scope versions that the services change on commit
(``rtkeren.scopecache``).

The triggers were kept by a ``post_migrate`` hook, not by a migration, so they are found by
name: ``rtkeren_data_version`` on PostgreSQL (one per table, with its function), and
``rtkeren_data_version_<table>_<event>`` on SQLite. Going back puts them on the tables of the
portal's apps again."""

from django.db import migrations

TRIGGER = "rtkeren_data_version"
PORTAL_APPS = ("rtkeren", "commissioning", "designing", "delivery", "assessment")
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND NOT t.tgisinternal",
                [TRIGGER],
            )
            tables = [row[0] for row in cursor.fetchall()]
            for table in tables:
                cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
            cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
        elif connection.vendor == "sqlite":
            # GLOB, not LIKE: an underscore is a literal there.
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB %s",
                [f"{TRIGGER}_*"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    version = apps.get_model("rtkeren", "DataVersion")._meta.db_table
    tables = [
        table
        for table in connection.introspection.table_names()
        if table.startswith(tuple(f"{app}_" for app in PORTAL_APPS)) and table != version
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
                BEGIN
                    INSERT INTO {version} (id, token)
                    VALUES (pg_backend_pid() % 8, md5(random()::text || clock_timestamp()::text))
                    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
                    RETURN NULL;
                END
                $$ LANGUAGE plpgsql
                """
            )
            for table in tables:
                cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()'
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in SQLITE_EVENTS:
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER}_{table}_{event.lower()}" '
                        f'AFTER {event} ON "{table}" BEGIN INSERT OR REPLACE INTO {version} '
                        f"(id, token) VALUES (0, lower(hex(randomblob(16)))); END"
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("rtkeren", "0027_fill_activity_proposed_as"),
    ]

    operations = [migrations.RunPython(drop_triggers, create_triggers)]
