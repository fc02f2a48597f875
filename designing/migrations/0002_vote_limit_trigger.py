"""A database guard for the number of votes per resident in a round: a trigger refuses the vote
that would go over the round's ``votes_per_resident``, whoever writes it (the service, which
says so first in words, a bulk insert, the admin, a raw statement)."""

from django.db import migrations

TRIGGER = "designing_vote_limit"
MESSAGE = "designing_vote_limit: more votes than the round allows per resident"


def create_trigger(apps, schema_editor):
    vote = apps.get_model("designing", "Vote")._meta.db_table
    voting_round = apps.get_model("designing", "VotingRound")._meta.db_table
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # Two transactions adding a resident's last vote at once must not both pass the count:
        # the lock per (round, resident) makes the second count after the first has committed.
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(
                    hashtextextended('{TRIGGER}:' || NEW.round_id || ':' || NEW.resident_id, 0)
                );
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
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF round_id, resident_id "
            f"ON {vote} FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
        )
    elif vendor == "sqlite":
        # SQLite has one writer at a time, so counting inside the trigger is enough.
        over_limit = (
            f"(SELECT COUNT(*) FROM {vote} WHERE round_id = NEW.round_id "
            f"AND resident_id = NEW.resident_id AND id IS NOT NEW.id) "
            f">= (SELECT votes_per_resident FROM {voting_round} WHERE id = NEW.round_id)"
        )
        for event in ("INSERT", "UPDATE OF round_id, resident_id"):
            name = f"{TRIGGER}_{event.split()[0].lower()}"
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {vote} WHEN {over_limit} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    else:
        raise NotImplementedError(f"No vote limit trigger for {vendor}.")


def drop_trigger(apps, schema_editor):
    vote = apps.get_model("designing", "Vote")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {vote}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    else:
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{event}")


class Migration(migrations.Migration):
    dependencies = [("designing", "0001_proposals_discussion_voting")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
