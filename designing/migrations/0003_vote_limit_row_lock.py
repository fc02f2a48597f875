"""The vote limit trigger on PostgreSQL queues a resident's simultaneous votes by locking the
resident's row instead of taking an advisory lock per (round, resident). An advisory lock stays
in the shared lock table until the transaction ends, so a transaction writing many votes at once
(the city data set, a bulk import) ran out of lock slots ("out of shared memory"); a row lock is
kept on the row itself. SQLite keeps its trigger: it has one writer at a time."""

from django.db import migrations

TRIGGER = "designing_vote_limit"
MESSAGE = "designing_vote_limit: more votes than the round allows per resident"


def _function(apps, lock: str) -> str:
    vote = apps.get_model("designing", "Vote")._meta.db_table
    voting_round = apps.get_model("designing", "VotingRound")._meta.db_table
    return f"""
        CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
        BEGIN
            {lock}
            IF (SELECT COUNT(*) FROM {vote}
                WHERE round_id = NEW.round_id AND resident_id = NEW.resident_id
                AND id IS DISTINCT FROM NEW.id)
               >= (SELECT votes_per_resident FROM {voting_round} WHERE id = NEW.round_id)
            THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
    """


def lock_the_resident_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    resident = apps.get_model("rtkeren", "Resident")._meta.db_table
    # FOR NO KEY UPDATE does not wait for the key-share lock that inserting a vote takes on
    # the same row, so only the resident's own simultaneous votes queue behind each other.
    lock = f"PERFORM 1 FROM {resident} WHERE id = NEW.resident_id FOR NO KEY UPDATE;"
    schema_editor.execute(_function(apps, lock))


def lock_by_advisory_lock(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    lock = (
        "PERFORM pg_advisory_xact_lock(hashtextextended("
        f"'{TRIGGER}:' || NEW.round_id || ':' || NEW.resident_id, 0));"
    )
    schema_editor.execute(_function(apps, lock))


class Migration(migrations.Migration):
    dependencies = [("designing", "0002_vote_limit_trigger")]

    operations = [migrations.RunPython(lock_the_resident_row, lock_by_advisory_lock)]
