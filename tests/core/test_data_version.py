"""The data version changes with every write to any table of the portal, however it is made,
and only then: caches keyed on it are never older than the data."""

import pytest
from django.apps import apps
from django.db import connection, transaction

from rtkeren import versions
from rtkeren.models import DataVersion, Notification, Resident
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_table_of_every_portal_app_is_watched():
    tables = set(versions.watched_tables())
    for label in ("rtkeren", "commissioning", "designing", "delivery", "assessment"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model is not DataVersion:
                assert model._meta.db_table in tables, model
    assert "django_session" not in tables
    assert "axes_accessattempt" not in tables
    assert DataVersion._meta.db_table not in tables


def test_every_watched_table_has_its_trigger():
    assert versions._existing_triggers(connection) >= set(versions.watched_tables())
    assert versions.ensure_triggers() == 0  # nothing left to add


def test_a_table_that_lost_its_trigger_gets_it_back_after_migrate():
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER {versions.TRIGGER} ON "{table}"')
        else:
            for event in versions.SQLITE_EVENTS:
                cursor.execute(f'DROP TRIGGER "{versions.TRIGGER}_{table}_{event.lower()}"')
    assert table not in versions._existing_triggers(connection)

    assert versions.ensure_triggers() == 1
    assert table in versions._existing_triggers(connection)


def test_writes_of_every_kind_give_a_new_version(rt, resident_user):
    seen = [versions.current()]

    resident = factories.ResidentFactory(rt=rt)  # an insert
    seen.append(versions.current())
    Resident.objects.filter(pk=resident.pk).update(name="Nama Baru")  # a bulk update
    seen.append(versions.current())
    Notification.objects.create(recipient=resident_user, message="uji")  # another app's table
    seen.append(versions.current())
    Notification.objects.all().delete()  # a delete
    seen.append(versions.current())
    with connection.cursor() as cursor:  # a raw statement
        cursor.execute(
            f"UPDATE {Resident._meta.db_table} SET phone = '' WHERE id = %s", [resident.pk]
        )
    seen.append(versions.current())

    assert None not in seen
    assert len(set(seen)) == len(seen)


def test_reading_changes_nothing_and_a_rolled_back_write_leaves_the_version(rt):
    factories.ResidentFactory(rt=rt)
    before = versions.current()
    list(Resident.objects.all())

    seen_inside = []

    def write_then_fail():
        with transaction.atomic():
            factories.ResidentFactory(rt=rt)
            seen_inside.append(versions.current())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()

    assert seen_inside[0] != before  # the writer sees its own change
    assert versions.current() == before


def test_a_writer_changes_the_row_of_its_own_shard(rt):
    factories.ResidentFactory(rt=rt)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            shard = cursor.fetchone()[0] % versions.SHARDS
        else:
            shard = 0
    before = DataVersion.objects.get(pk=shard).token

    factories.ResidentFactory(rt=rt)

    assert DataVersion.objects.get(pk=shard).token != before
    assert DataVersion.objects.count() <= versions.SHARDS


def test_a_table_missing_one_event_s_trigger_gets_it_back(resident_user):
    Notification.objects.create(recipient=resident_user, message="uji")
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER {versions.TRIGGER} ON "{table}"')
        else:  # one trigger per event: lose only the one for deletes
            cursor.execute(f'DROP TRIGGER "{versions.TRIGGER}_{table}_delete"')

    assert versions.ensure_triggers() == 1
    before = versions.current()
    Notification.objects.all().delete()
    assert versions.current() != before
