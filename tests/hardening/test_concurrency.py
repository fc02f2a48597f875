"""Nothing lost under load: two gunicorn instances on one PostgreSQL database and one Redis
cache, 200 residents voting, checking in and evaluating at the same time, each request sent
twice at once (once to each server). The database ends up holding exactly what was accepted,
without a duplicate row, and no request fails with a 5xx."""

import contextlib
import json
import os
import subprocess
import sys

import psycopg2
import pytest
import redis

from tests.hardening import concurrency, support

RESIDENTS = 200
# A Redis database of this test's own, emptied before and after.
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def shared_cache():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as error:
        message = f"REDIS NOT REACHABLE at {REDIS_URL}: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def two_servers(migrated_template, shared_cache):
    with support.scratch_database("concurrency", template=migrated_template) as name:
        env = support.portal_env(name, REDIS_URL=shared_cache, CONN_MAX_AGE="60")
        seeded = subprocess.run(
            [sys.executable, "-m", "tests.hardening.concurrency", "seed", "--residents"]
            + [str(RESIDENTS)],
            cwd=support.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        plan = json.loads(seeded.stdout)
        servers = [support.Gunicorn(env, workers=2) for _ in range(2)]
        try:
            for server in servers:
                server.wait_until_up()
            yield servers, plan, name
        finally:
            for server in servers:
                server.stop()


def test_two_servers_lose_nothing_and_duplicate_nothing(two_servers):
    servers, plan, database = two_servers

    outcome = concurrency.run_load([server.port for server in servers], plan)
    with contextlib.closing(
        psycopg2.connect(
            host=support.PG_HOST, port=support.PG_PORT, user=support.PG_USER, dbname=database
        )
    ) as connection:
        rows = concurrency.count_rows(connection, plan)
    logs = "".join(server.output() for server in servers)
    print(f"\nconcurrency, {RESIDENTS} residents on 2 servers: {outcome.summary()}")
    print(f"rows: {rows}")

    assert outcome.errors == []
    statuses = outcome.statuses()
    assert not [status for status in statuses if status >= 500], statuses
    assert 429 not in statuses
    assert "Internal Server Error" not in logs
    # Every resident logged in on the first try.
    assert outcome.count("login", accepted=True) == RESIDENTS
    # Votes: one answer per vote says "counted", and the database holds exactly those; the
    # double tap on the first proposal was refused once per resident.
    assert outcome.count("vote") == 3 * RESIDENTS
    assert rows["votes"] == outcome.count("vote", accepted=True) == 2 * RESIDENTS
    assert rows["ledger_voted"] == RESIDENTS
    # Check-in and evaluation are idempotent: both taps are answered as accepted or refused,
    # and each resident is on the list once, with one evaluation and its scores.
    assert outcome.count("checkin") == outcome.count("evaluate") == 2 * RESIDENTS
    assert outcome.count("checkin", accepted=True) == 2 * RESIDENTS
    assert rows["attendances"] == rows["ledger_attended"] == RESIDENTS
    assert RESIDENTS <= outcome.count("evaluate", accepted=True) <= 2 * RESIDENTS
    assert rows["evaluations"] == rows["ledger_evaluated"] == RESIDENTS
    assert rows["scores"] == RESIDENTS * len(plan["criteria"])
    assert rows["voters_over_limit"] == 0
    for duplicates in ("votes", "attendances", "evaluations", "ledger"):
        assert rows[f"duplicate_{duplicates}"] == 0, duplicates
