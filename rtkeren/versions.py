"""The data version: a key for caches that is never older than the data.

Every table of the portal's own apps carries a database trigger that gives the version a new
token in the transaction that writes, whoever writes (a service, an import, the admin, a bulk
update or delete, a raw statement). Something computed after reading ``current()`` and cached
under it therefore shows data at least as new as that version: the next write changes the
token, and readers stop finding the old entry.

On PostgreSQL the token is split over ``SHARDS`` rows and a writer changes the row of its own
connection, so that concurrent transactions seldom wait on one another for it; SQLite has a
single writer and a single row. The triggers are (re)created after every ``migrate`` and
``flush`` for every table that lacks one, so a new model is covered without a migration of
its own.
"""

import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

SHARDS = 8
TRIGGER = "rtkeren_data_version"
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
_REQUEST_ATTRIBUTE = "_rtkeren_data_version"


def _portal_app_configs():
    """The apps that live in this repository, not in an installed package."""
    base = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            yield app_config


def watched_tables() -> list[str]:
    """Every table of the portal's models, the version's own table apart."""
    from rtkeren.models import DataVersion

    tables = {
        model._meta.db_table
        for app_config in _portal_app_configs()
        for model in app_config.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model is not DataVersion
    }
    return sorted(tables)


def _version_table() -> str:
    from rtkeren.models import DataVersion

    return DataVersion._meta.db_table


def _existing_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND NOT t.tgisinternal",
                [TRIGGER],
            )
        else:
            # A table is covered when it has the trigger of each of the three events.
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
                "GROUP BY tbl_name HAVING COUNT(*) = %s",
                [f"{TRIGGER}_%", len(SQLITE_EVENTS)],
            )
        return {row[0] for row in cursor.fetchall()}


def ensure_triggers(using: str = DEFAULT_DB_ALIAS) -> int:
    """Give every watched table that lacks it the trigger, and the version its first rows.
    Returns how many tables got one."""
    connection = connections[using]
    version = _version_table()
    existing_tables = set(connection.introspection.table_names())
    if version not in existing_tables:
        return 0
    covered = _existing_triggers(connection)
    missing = [t for t in watched_tables() if t in existing_tables and t not in covered]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
                BEGIN
                    INSERT INTO {version} (id, token)
                    VALUES (pg_backend_pid() % {SHARDS},
                            md5(random()::text || clock_timestamp()::text))
                    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
                    RETURN NULL;
                END
                $$ LANGUAGE plpgsql
                """
            )
            for table in missing:
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()'
                )
        elif connection.vendor == "sqlite":
            for table in missing:
                for event in SQLITE_EVENTS:
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER}_{table}_{event.lower()}" '
                        f'AFTER {event} ON "{table}" BEGIN INSERT OR REPLACE INTO {version} '
                        f"(id, token) VALUES (0, lower(hex(randomblob(16)))); END"
                    )
        else:
            raise NotImplementedError(f"No data version triggers for {connection.vendor}.")
        cursor.execute(
            f"INSERT INTO {version} (id, token) VALUES (0, 'initial') ON CONFLICT (id) DO NOTHING"
        )
    return len(missing)


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """``post_migrate`` (sent after ``migrate`` and after ``flush``)."""
    ensure_triggers(using)


def current(request=None, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The data version now (one query), or None when it has no row yet: then nothing may
    be served from a cache keyed on it. Read on every cached page, so in plain SQL; given the
    request, read once for it (the page cache and the page's own fragments share it)."""
    if request is not None:
        if not hasattr(request, _REQUEST_ATTRIBUTE):
            setattr(request, _REQUEST_ATTRIBUTE, current(using=using))
        return getattr(request, _REQUEST_ATTRIBUTE)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT token FROM {_version_table()} ORDER BY id")
        tokens = [row[0] for row in cursor.fetchall()]
    if not tokens:
        return None
    return hashlib.blake2b("".join(tokens).encode(), digest_size=12).hexdigest()
