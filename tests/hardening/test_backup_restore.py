"""A backup made as docs/operations.md says (pg_dump -Fc), restored into a fresh database
(pg_restore), holds every row and gives the same scorecards."""

import json
import subprocess
import sys

import psycopg2
import pytest
from psycopg2 import sql

from tests.hardening import support


def _pg(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def _table_fingerprints(database: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows, in a fixed order."""
    connection = psycopg2.connect(
        host=support.PG_HOST, port=support.PG_PORT, user=support.PG_USER, dbname=database
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
            tables = [row[0] for row in cursor.fetchall()]
            fingerprints = {}
            for table in tables:
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text),"
                        " '')) FROM {} AS t"
                    ).format(sql.Identifier(table))
                )
                fingerprints[table] = cursor.fetchone()
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public' ORDER BY 1"
            )
            fingerprints["<sequences>"] = (0, json.dumps(cursor.fetchall()))
            return fingerprints
    finally:
        connection.close()


def _scorecards(database: str) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.hardening.scorecard_figures"],
        cwd=support.ROOT,
        env=support.portal_env(database),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def demo_database(demo_template):
    with support.scratch_database("backup_source", template=demo_template) as name:
        yield name


def test_a_restored_dump_holds_every_row_and_the_same_scorecard(demo_database, tmp_path):
    dump = tmp_path / "rtkeren.dump"
    before = _table_fingerprints(demo_database)
    scorecards_before = _scorecards(demo_database)

    connection = ["-h", support.PG_HOST, "-p", str(support.PG_PORT), "-U", support.PG_USER]
    _pg("pg_dump", *connection, "-Fc", "--no-owner", "-d", demo_database, "-f", str(dump))
    with support.scratch_database("backup_restored", template="template0") as restored:
        _pg("pg_restore", *connection, "--no-owner", "--exit-on-error", "-d", restored, str(dump))
        after = _table_fingerprints(restored)
        scorecards_after = _scorecards(restored)

    rows = {table: count for table, (count, _digest) in before.items()}
    assert rows["rtkeren_resident"] > 10
    assert rows["designing_vote"] > 0
    assert rows["assessment_evaluation"] > 0
    assert rows["rtkeren_participation"] > 0
    assert after == before
    assert any(stage[0] > 0 for card in scorecards_before for stage in card["stages"].values()), (
        "the demo scorecards should not all be empty"
    )
    assert scorecards_after == scorecards_before
    print(
        f"\nbackup and restore: {len(before) - 1} tables, {sum(rows.values())} rows and "
        f"{len(scorecards_before)} scorecards identical after pg_restore "
        f"(dump {dump.stat().st_size / 1024:.0f} KiB)"
    )
