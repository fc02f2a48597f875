"""The PostgreSQL backend prepares the SELECTs a connection runs again (``rtkeren.db.postgresql``):
the same rows, the same query log, and no statement whose values would change their meaning."""

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from rtkeren.db.postgresql import base as backend
from rtkeren.db.postgresql.base import _numbered, deallocate_after_migrations
from rtkeren.models import RT, Activity, ActivityStatus
from rtkeren.settings.base import database_from_url
from tests import factories


@pytest.fixture
def rw(kelurahan):
    return factories.RWFactory(kelurahan=kelurahan, number=9)


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side prepared statements are PostgreSQL's"
)


def test_psycopg2s_placeholders_become_numbered_parameters():
    assert _numbered("SELECT a FROM t WHERE b = %s AND c IN (%s, %s)", 3) == (
        "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    )
    assert _numbered("SELECT a FROM t WHERE b LIKE '%%x' || %s", 1) == (
        "SELECT a FROM t WHERE b LIKE '%x' || $1"
    )
    assert _numbered("SELECT 1", 0) == "SELECT 1"


@pytest.mark.parametrize(
    ("sql", "count"),
    [("SELECT %s, %s", 1), ("SELECT %s", 2), ("SELECT %(name)s", 1), ("SELECT '%d'", 0)],
)
def test_sql_that_psycopg2_would_read_otherwise_is_not_numbered(sql, count):
    assert _numbered(sql, count) is None


def test_postgresql_gets_the_portals_backend(monkeypatch):
    config = database_from_url("postgres://u:p@db.example/rtkeren")
    assert config["ENGINE"] == "rtkeren.db.postgresql"
    assert config["OPTIONS"]["prepared_statements"] is True

    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    config = database_from_url("postgres://u:p@db.example/rtkeren")
    assert config["OPTIONS"]["prepared_statements"] is False


def _prepared(text: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{text}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def _run(sql: str, values: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


@on_postgresql
@pytest.mark.django_db
def test_a_select_run_again_is_prepared_and_answers_as_before(rw):
    first, second = factories.RTFactory(rw=rw, number=1), factories.RTFactory(rw=rw, number=2)
    sql = 'SELECT "id", "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" > %s'

    answers = [_run(sql, [rt.pk, 0]) for rt in (first, second, first, second)]

    assert answers == [[(first.pk, 1)], [(second.pk, 2)], [(first.pk, 1)], [(second.pk, 2)]]
    assert len(_prepared('WHERE "id" = $1 AND "number" > $2')) == 1


@on_postgresql
@pytest.mark.django_db
def test_the_orms_queries_are_prepared_with_the_same_rows(rw):
    rts = [factories.RTFactory(rw=rw, number=number) for number in (1, 2, 3)]

    for _run_again in range(3):
        for rt in rts:
            assert RT.objects.filter(rw=rw, number=rt.number).get() == rt

    assert _prepared('("rtkeren_rt"."number" = $1 AND "rtkeren_rt"."rw_id" = $2) LIMIT 21')


@on_postgresql
@pytest.mark.django_db
def test_a_union_is_prepared_with_the_same_rows(rw):
    rts = [factories.RTFactory(rw=rw, number=number) for number in (1, 2, 3)]
    low = RT.objects.filter(rw=rw, number__lt=2).values_list("number", flat=True)
    high = RT.objects.filter(rw=rw, number__gt=2).values_list("number", flat=True)

    for _run_again in range(3):
        assert sorted(low.union(high, all=True)) == [rts[0].number, rts[2].number]

    assert _prepared('"rtkeren_rt"."number" < $')


@on_postgresql
@pytest.mark.django_db
def test_a_value_whose_type_postgresql_cannot_tell_comes_back_as_it_was_sent():
    """A number or a truth value where PostgreSQL would infer text must come back a number or a
    truth value, not a string: its parameter is typed as psycopg2's literal of it."""
    sql = "SELECT %s AS prepared_statement_probe, %s AS flag"
    answers = [_run(sql, [5, True]) for _run_again in range(3)]

    assert answers == [[(5, True)]] * 3
    assert _prepared("$1 AS prepared_statement_probe")
    # A value of another type there is sent as before: the statement takes a number.
    assert _run(sql, ["lima", False]) == [("lima", False)]


@on_postgresql
@pytest.mark.django_db
def test_a_statement_of_values_typed_by_their_literals_alone_is_prepared():
    """``$1 - $2`` of two dates: PostgreSQL cannot tell their types, psycopg2's literals name
    them (``'2026-12-07'::date``)."""
    sql = "SELECT %s - %s AS days_probe, %s + %s AS moment_probe"
    start = datetime.datetime(2026, 12, 7, 8, tzinfo=datetime.UTC)
    values = [datetime.date(2026, 12, 7), datetime.date(2026, 12, 1), start]
    answers = [_run(sql, [*values, datetime.timedelta(hours=2)]) for _run_again in range(3)]

    assert answers == [[(6, start + datetime.timedelta(hours=2))]] * 3
    assert _prepared("$1 - $2 AS days_probe")


@on_postgresql
@pytest.mark.django_db
def test_a_choice_and_an_exists_are_prepared_with_the_same_answers(rw):
    """A filter by a choice (``ActivityStatus.APPROVED``, written as its value) and Django's
    ``EXISTS`` (``SELECT %s AS "a"`` of a number) are prepared like any other SELECT."""
    approved = factories.ActivityFactory(status=ActivityStatus.APPROVED)
    factories.ActivityFactory(status=ActivityStatus.PROPOSED)
    rt = factories.RTFactory(rw=rw, number=4)

    for _run_again in range(3):
        assert list(Activity.objects.filter(status=ActivityStatus.APPROVED)) == [approved]
        assert RT.objects.filter(rw=rw, number=rt.number).exists()
        assert not RT.objects.filter(rw=rw, number=rt.number + 1).exists()

    assert _prepared('WHERE "rtkeren_activity"."status" = $1')
    assert _prepared('SELECT $1 AS "a" FROM "rtkeren_rt"')


@on_postgresql
@pytest.mark.django_db
def test_a_statement_postgresql_cannot_prepare_leaves_the_transaction_usable():
    with transaction.atomic():
        answers = [_run("SELECT %s IS NULL AS unpreparable", [None]) for _again in range(3)]
        assert _run("SELECT 1", []) == [(1,)]

    assert answers == [[(True,)]] * 3


@on_postgresql
@pytest.mark.django_db
def test_a_select_met_in_a_failed_transaction_is_prepared_later(rw):
    rt = factories.RTFactory(rw=rw, number=3)
    sql = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" <> %s'
    with transaction.atomic():
        _run(sql, [rt.pk, 0])
        with pytest.raises(DatabaseError):
            _run("SELECT 1 / %s", [0])
        with pytest.raises(DatabaseError):
            _run(sql, [rt.pk, 0])  # its second run, in the failed transaction
        transaction.set_rollback(True)

    assert _prepared('"number" <> $2') == []
    assert _run(sql, [rt.pk, 0]) == [(3,)]
    assert _prepared('"number" <> $2')


@on_postgresql
@pytest.mark.django_db
def test_the_query_log_shows_the_sql_asked_not_the_execute(rw):
    rt = factories.RTFactory(rw=rw, number=7)
    sql = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s'
    _run(sql, [rt.pk])
    _run(sql, [rt.pk])

    with CaptureQueriesContext(connection) as queries:
        assert _run(sql, [rt.pk]) == [(7,)]

    assert _prepared('FROM "rtkeren_rt" WHERE "id" = $1')
    assert queries[0]["sql"] == f'SELECT "number" FROM "rtkeren_rt" WHERE "id" = {rt.pk}'


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_statement_dropped_behind_the_connections_back_is_prepared_again(rw):
    rt = factories.RTFactory(rw=rw, number=4)
    sql = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" >= %s'
    _run(sql, [rt.pk, 0])
    _run(sql, [rt.pk, 0])
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    for _run_again in range(3):
        assert _run(sql, [rt.pk, 0]) == [(4,)]
    assert len(_prepared('"id" = $1 AND "number" >= $2')) == 1


@on_postgresql
@pytest.mark.django_db
def test_a_migration_drops_the_statements_kept(rw):
    rt = factories.RTFactory(rw=rw, number=5)
    sql = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" <= %s'
    for _run_again in range(2):
        _run(sql, [rt.pk, 10])
    assert _prepared('"number" <= $2')

    call_command("migrate", verbosity=0)

    # What the migration's own signals read afterwards is prepared for the tables as they are.
    assert _prepared('"number" <= $2') == []
    deallocate_after_migrations(using="default")
    assert _prepared("rtkeren_") == []
    assert _run(sql, [rt.pk, 10]) == [(5,)]


@on_postgresql
@pytest.mark.django_db
def test_a_connection_keeps_a_bounded_number_of_statements(rw, monkeypatch):
    monkeypatch.setattr(backend, "MAX_STATEMENTS", 3)
    rt = factories.RTFactory(rw=rw, number=6)
    for limit in range(6):
        sql = f'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s LIMIT {limit + 1}'
        for _run_again in range(2):
            assert _run(sql, [rt.pk]) == [(6,)]

    kept = _prepared("")
    assert len(kept) == 3
    assert any(statement.endswith('WHERE "id" = $1 LIMIT 6') for statement in kept)


@on_postgresql
@pytest.mark.django_db
def test_switched_off_nothing_is_prepared(rw):
    rt = factories.RTFactory(rw=rw, number=8)
    sql = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" < %s'
    connection.ensure_connection()
    connection.connection.prepared_statements = False
    try:
        answers = [_run(sql, [rt.pk, 100]) for _run_again in range(3)]
    finally:
        connection.connection.prepared_statements = True

    assert answers == [[(8,)]] * 3
    assert _prepared('"number" < $2') == []


@on_postgresql
@pytest.mark.django_db
def test_a_server_side_cursor_reads_as_before(rw):
    rts = [factories.RTFactory(rw=rw, number=number) for number in (1, 2, 3)]
    queryset = RT.objects.filter(rw=rw).order_by("number")

    with transaction.atomic():
        for _run_again in range(3):
            assert list(queryset.iterator(chunk_size=2)) == rts


@on_postgresql
@pytest.mark.django_db
def test_a_list_of_strs_is_prepared_as_an_array_of_text(rw):
    """One array of any length (the names looked up by ``rtkeren.redact``) is one statement; a
    list of numbers there is sent as before, and fails as before."""
    rts = [factories.RTFactory(rw=rw, number=number) for number in (1, 2, 3)]
    sql = 'SELECT "id" FROM "rtkeren_rt" WHERE "rw_id" = %s AND "number"::text = ANY(%s) ORDER BY 1'

    answers = [_run(sql, [rw.pk, numbers]) for numbers in (["1", "3"], ["2"], [], ["3", "x"])]

    assert answers == [[(rts[0].pk,), (rts[2].pk,)], [(rts[1].pk,)], [], [(rts[2].pk,)]]
    assert _prepared('"number"::text = ANY($2)')
    with pytest.raises(DatabaseError), transaction.atomic():
        _run(sql, [rw.pk, [1, 3]])


def _plans(text: str) -> tuple[int, int]:
    """The generic and the custom plans PostgreSQL made for the statement holding ``text``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [f"%{text}%"],
        )
        [plans] = cursor.fetchall()
    return plans


def _plan_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.fixture
def generic_sql(monkeypatch):
    """The SQL texts asked for their generic plan, for this test alone."""
    monkeypatch.setattr(backend, "_GENERIC_SQL", set())
    return backend._GENERIC_SQL


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_statement_asked_for_its_generic_plan_runs_on_it_and_no_other_does(rw, generic_sql):
    """Outside a transaction: the generic plan from the first run (PostgreSQL's own choice
    plans the first five for their values), and the server's mode again for the next."""
    rt = factories.RTFactory(rw=rw, number=3)
    generic = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" <> %s'
    other = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" > %s'
    backend.generic_plan(generic)
    server_mode = _plan_mode()

    answers = [_run(generic, [rt.pk, 0]) for _run_again in range(4)]
    answers += [_run(other, [rt.pk, 0]) for _run_again in range(4)]

    assert answers == [[(3,)]] * 8
    assert _plans('"number" <> $2') == (3, 0)  # the first run is not prepared yet
    assert _plans('"number" > $2') == (0, 3)
    assert _plan_mode() == server_mode
    assert connection.connection.plan_mode == backend.DEFAULT


@on_postgresql
@pytest.mark.django_db
def test_in_a_transaction_the_mode_goes_back_to_the_servers_alone(rw, generic_sql, monkeypatch):
    """A rollback would undo a SET without the connection knowing: in a transaction a statement
    asked for its generic plan is planned as any other, and one that is not runs with the
    server's mode, set for the transaction, whatever the session's."""
    rt = factories.RTFactory(rw=rw, number=4)
    generic = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" <> %s'
    other = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" > %s'
    backend.generic_plan(generic)
    for _run_again in range(4):
        assert _run(generic, [rt.pk, 0]) == [(4,)]
    assert _plans('"number" <> $2') == (0, 3)

    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")  # undone with the test
    monkeypatch.setattr(connection.connection, "plan_mode", backend.GENERIC)
    for _run_again in range(4):
        assert _run(other, [rt.pk, 0]) == [(4,)]

    assert _plans('"number" > $2') == (0, 3)
    assert connection.connection.plan_mode == backend.GENERIC  # the session's, unchanged


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_execute_that_fails_leaves_the_mode_unknown_then_set_again(rw, generic_sql):
    """The SET sent with an EXECUTE that fails is undone with it: the connection no longer
    trusts what it last set, and sets the mode the next statement needs."""
    rt = factories.RTFactory(rw=rw, number=6)
    generic = 'SELECT "number" / %s FROM "rtkeren_rt" WHERE "id" = %s'
    other = 'SELECT "number" FROM "rtkeren_rt" WHERE "id" = %s AND "number" > %s'
    backend.generic_plan(generic)
    server_mode = _plan_mode()
    for _run_again in range(3):
        assert _run(generic, [2, rt.pk]) == [(3,)]
        assert _run(other, [rt.pk, 0]) == [(6,)]

    with pytest.raises(DatabaseError):
        _run(generic, [0, rt.pk])  # division by zero
    assert connection.connection.plan_mode is None

    assert _run(other, [rt.pk, 0]) == [(6,)]
    assert connection.connection.plan_mode == backend.DEFAULT
    assert _run(generic, [3, rt.pk]) == [(2,)]
    assert connection.connection.plan_mode == backend.GENERIC
    assert _run(other, [rt.pk, 0]) == [(6,)]
    assert _plan_mode() == server_mode  # as the next test finds it
