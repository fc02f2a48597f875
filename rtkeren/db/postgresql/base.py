"""Django's PostgreSQL backend, with the SELECTs a connection runs again prepared on the server.

PostgreSQL parses and plans every statement it is sent. For the portal's pages that is most of
the database's work: replayed real traffic on the city data spent 284 ms planning and 136 ms
executing the same 1.228 SELECTs (``docs/performance.md``). Django sends each query as SQL text
with its values written in (psycopg2 binds on the client), so PostgreSQL cannot tell that two
requests asked the same query with other values. The SQL Django writes *before* the values go in
is the same for everyone whose query has the same shape, though.

So a connection counts the SQL texts it runs. The second time a SELECT comes with the same text,
it is ``PREPARE``\\d once, with ``$1``, ``$2``... where psycopg2 would have written the values,
and from then on sent as ``EXECUTE name(values)``: PostgreSQL parses it once a connection and,
after five runs, plans it once if its generic plan costs no more than the plans made for each
run's values (``plan_cache_mode``). This is what psycopg 3 and most drivers of other languages
do by themselves.

PostgreSQL infers each ``$n``'s type from where it stands; psycopg2 would have sent a literal,
typed by the same context. A statement is kept only where each value's Python type is one the
inferred type takes without another meaning (an int for an integer, a str for text, a choice as
its value...). A value that stands where nothing tells PostgreSQL its type (``SELECT %s AS
"a"``, Django's ``EXISTS`` subqueries) is read as text, so a number or a truth value sent there
would come back as a string: such a parameter is given the type PostgreSQL gives the literal
psycopg2 writes for it (``bigint`` for a number, ``boolean`` for a truth value), and the
statement is prepared again with it. Anything else is not prepared and runs as before. Nothing
else changes: Django, its query log and the tests see the SQL and values they asked for.

PostgreSQL keeps a statement's generic plan only where it estimates it no dearer than the plans
it makes for each run's values. For some of the portal's queries it never does (its estimate
for an average id is above the one for the ids asked), and plans them again on every run: the
proposal list's, 0,3 to 0,9 ms of planning a read, with the same plan every time. The code that
knows a query's plan does not depend on its values says so (``generic_plan``; ``Prepared`` does
it for a query made with ``generic_plan=True``): its statement runs with ``plan_cache_mode``
``force_generic_plan``, set on the connection where the mode must change, in the same round
trip as the ``EXECUTE``. Every other statement runs with the server's setting (``DEFAULT``). In
a transaction, where a rollback would undo a ``SET`` without the connection knowing, the mode is
only ever set back to the server's setting, for the transaction alone (``SET LOCAL``): a
statement asked for its generic plan there runs with the session's mode.

Off with ``OPTIONS["prepared_statements"] = False``, as a connection pooler that hands a
connection to another client between transactions (PgBouncer's transaction mode) needs.
"""

import datetime
import decimal
import enum
import re
import uuid
from collections import OrderedDict

import psycopg2
from django.db.backends.postgresql import base as postgresql
from django.db.models.signals import post_migrate, pre_migrate
from psycopg2 import extensions

#: Runs of the same SQL text on a connection before it is prepared: a text asked once (a
#: report, a migration) costs no PREPARE.
THRESHOLD = 2
#: Statements a connection keeps prepared; past it the one used least recently is deallocated.
MAX_STATEMENTS = 256
#: SQL texts a connection counts before it forgets the counts (texts seen once are many).
MAX_SEEN = 2_000


class _Texts:
    """The kind of a list of strs (``_kind``), which psycopg2 writes as an array of text: a
    list of anything else is written as an array of another type."""


#: What Python type each inferred parameter type takes with the meaning the literal psycopg2
#: would have written has there.
_TAKES = {
    "smallint": {int},
    "integer": {int},
    "bigint": {int},
    "numeric": {int, decimal.Decimal},
    "real": {float},
    "double precision": {float},
    "boolean": {bool},
    "text": {str},
    "character varying": {str},
    "character": {str},
    "timestamp with time zone": {datetime.datetime},
    "date": {datetime.date},
    "time without time zone": {datetime.time},
    "interval": {datetime.timedelta},
    "uuid": {uuid.UUID},
    # psycopg2 writes a list as an array of its items' literals: of strs, an array of text.
    "text[]": {_Texts},
    "character varying[]": {_Texts},
}
#: The type PostgreSQL gives a ``$n`` whose place does not tell it one.
_UNTYPED = "text"
#: The type of the literal psycopg2 writes for a value of each Python type, where PostgreSQL
#: would otherwise read the value as text (its place tells it no type): a number as ``bigint``
#: (what any integer literal psycopg2 writes fits), a truth value as ``boolean``.
_LITERAL_TYPES = {int: "bigint", bool: "boolean"}
#: The types psycopg2 writes into the literals of these values (``'2026-12-07'::date``...):
#: given to a statement PostgreSQL cannot prepare without them (``$1 - $2`` of two dates).
_CAST_TYPES = {
    bool: "boolean",
    datetime.date: "date",
    datetime.datetime: "timestamp with time zone",
    datetime.timedelta: "interval",
}
#: How a SELECT begins: a union's parts stand in parentheses.
_SELECTS = ("SELECT", "(SELECT")
_PLACEHOLDER = re.compile(r"%(.)", re.DOTALL)
_REFUSED = object()
#: Where a PREPARE may run: outside a transaction, or inside one that has not failed.
_PREPARABLE = (extensions.TRANSACTION_STATUS_IDLE, extensions.TRANSACTION_STATUS_INTRANS)
#: SQLSTATEs of an EXECUTE whose statement is gone (a pooler's DISCARD, say), or whose
#: plan no longer fits the tables (a migration changed a column's type).
_STALE = {"26000", "0A000"}
#: The ``plan_cache_mode`` a statement asked for its generic plan runs with, and the one every
#: other runs with: the server's.
GENERIC, DEFAULT = "force_generic_plan", "DEFAULT"
#: The SQL texts (as Django writes them) whose statements run on their generic plan.
_GENERIC_SQL: set[str] = set()
#: At most this many of them are kept (each a shape of a query; there are a few dozen).
MAX_GENERIC = 1_000


def generic_plan(sql: str) -> None:
    """Run ``sql``'s statement, once prepared, on its generic plan: for a query whose best plan
    is the same for every value it is given, which PostgreSQL would otherwise plan again on
    every run. For every connection of this process."""
    if len(_GENERIC_SQL) >= MAX_GENERIC:
        _GENERIC_SQL.clear()
    _GENERIC_SQL.add(sql)


def _numbered(sql: str, count: int) -> str | None:
    """``sql`` with psycopg2's ``%s`` as ``$1``, ``$2``... and ``%%`` as ``%``; None for any
    other use of ``%`` or another number of values."""
    numbers = iter(range(1, count + 1))
    failed = []

    def number(match):
        if match.group(1) == "%":
            return "%"
        if match.group(1) != "s":
            failed.append(match.group(0))
            return ""
        value = next(numbers, None)
        if value is None:
            failed.append(match.group(0))
            return ""
        return f"${value}"

    numbered = _PLACEHOLDER.sub(number, sql)
    if failed or next(numbers, None) is not None:
        return None
    return numbered


def _kind(value) -> type:
    """The Python type whose literal psycopg2 writes for ``value``: a choice (a member of a
    ``TextChoices`` or ``IntegerChoices``) is written as its value, a list of strs as an array
    of text (``_Texts``)."""
    if isinstance(value, enum.Enum) and isinstance(value, str | int):
        return type(value.value)
    if type(value) is list and all(type(item) is str for item in value):
        return _Texts
    return type(value)


def _cast_type(value) -> str:
    """The type psycopg2 casts ``value``'s literal to; "unknown" where it writes none."""
    kind = _kind(value)
    if kind is datetime.datetime and value.tzinfo is None:
        return "unknown"  # written as a timestamp without a time zone
    return _CAST_TYPES.get(kind, "unknown")


class _Statement:
    __slots__ = ("name", "execute_sql", "takes")

    def __init__(self, name: str, count: int, takes: tuple):
        self.name = name
        self.execute_sql = f"EXECUTE {name}" + (f" ({', '.join(['%s'] * count)})" if count else "")
        self.takes = takes

    def accepts(self, values) -> bool:
        return all(
            value is None or _kind(value) in takes
            for value, takes in zip(values, self.takes, strict=True)
        )


class PreparingConnection(extensions.connection):
    """A psycopg2 connection that keeps the statements prepared on it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared_statements = True
        #: The session's ``plan_cache_mode`` as last set, None where it is not known.
        self.plan_mode = DEFAULT
        self.forget_statements()

    def forget_statements(self) -> None:
        self._statements = OrderedDict()
        self._seen = {}
        self._names = 0

    def with_plan_mode(self, sql: str, execute_sql: str) -> str:
        """``execute_sql`` (the ``EXECUTE`` of ``sql``'s statement), after the ``SET`` of the
        plan mode it runs with where the session's is another."""
        wanted = GENERIC if sql in _GENERIC_SQL else DEFAULT
        if self.plan_mode == wanted:
            return execute_sql
        if self.autocommit and self.get_transaction_status() == extensions.TRANSACTION_STATUS_IDLE:
            # Outside a transaction: the SET holds for the session once the EXECUTE is done.
            # (Should the EXECUTE fail, the SET is undone with it: the cursor forgets the mode.)
            self.plan_mode = wanted
            return f"SET plan_cache_mode = {wanted}; {execute_sql}"
        if wanted == DEFAULT:
            return f"SET LOCAL plan_cache_mode = {DEFAULT}; {execute_sql}"
        return execute_sql

    def deallocate_all(self) -> None:
        """Drop every statement this connection prepared (a migration changed the tables)."""
        if (
            self._statements
            and self.get_transaction_status() != extensions.TRANSACTION_STATUS_INERROR
        ):
            with self.cursor(cursor_factory=extensions.cursor) as cursor:
                cursor.execute("DEALLOCATE ALL")
        self.forget_statements()

    def statement_for(self, sql: str, values) -> _Statement | None:
        """The statement prepared for ``sql`` when it takes ``values``, preparing it on its
        second run; None to send it as it is."""
        statement = self._statements.get(sql)
        if statement is not None:
            if statement is _REFUSED:
                return None
            self._statements.move_to_end(sql)
            return statement if statement.accepts(values) else None
        runs = self._seen.get(sql, 0) + 1
        if runs < THRESHOLD:
            if len(self._seen) >= MAX_SEEN:
                self._seen.clear()
            self._seen[sql] = runs
            return None
        if self.get_transaction_status() not in _PREPARABLE:
            return None  # an aborted transaction: the query fails anyway; prepared later
        self._seen.pop(sql, None)
        statement = self._prepare(sql, values)
        self._statements[sql] = statement or _REFUSED
        if len(self._statements) > MAX_STATEMENTS:
            self._deallocate_oldest()
        return statement

    def forget(self, sql: str) -> None:
        self._statements.pop(sql, None)

    def _prepare(self, sql: str, values) -> _Statement | None:
        numbered = _numbered(sql, len(values))
        if numbered is None:
            return None
        self._names += 1
        name = f"rtkeren_{self._names}"
        types = self._prepared_types(name, numbered)
        if types is None:
            # A place that tells PostgreSQL no type, where psycopg2's literal names it.
            casts = [_cast_type(value) for value in values]
            if any(cast != "unknown" for cast in casts):
                types = self._prepared_types(name, numbered, casts)
            if types is None:
                return None
        # A value whose place tells PostgreSQL no type: typed as psycopg2's literal of it is.
        literal = [
            _LITERAL_TYPES.get(_kind(value))
            if type_name == _UNTYPED and value is not None
            else None
            for type_name, value in zip(types, values, strict=False)
        ]
        if len(types) == len(values) and any(literal):
            self._deallocate(name)
            types = [given or inferred for given, inferred in zip(literal, types, strict=True)]
            types = self._prepared_types(name, numbered, types)
            if types is None:
                return None
        takes = tuple(_TAKES.get(type_name, set()) for type_name in types)
        statement = _Statement(name, len(values), takes)
        if len(types) != len(values) or not all(takes) or not statement.accepts(values):
            self._deallocate(name)
            return None
        return statement

    def _prepared_types(self, name: str, numbered: str, types: list | None = None) -> list | None:
        """``PREPARE`` ``numbered`` as ``name`` (its parameters of ``types``, where given) and
        the types of its parameters; None where PostgreSQL refuses it."""
        # Inside a transaction a PREPARE that fails would abort it: a savepoint keeps it.
        # (A statement prepared there outlives the transaction: PREPARE is not transactional.)
        in_transaction = self.get_transaction_status() == extensions.TRANSACTION_STATUS_INTRANS
        typed = f" ({', '.join(types)})" if types else ""
        with self.cursor(cursor_factory=extensions.cursor) as cursor:
            if in_transaction:
                cursor.execute("SAVEPOINT rtkeren_prepare")
            try:
                cursor.execute(f"PREPARE {name}{typed} AS {numbered}")
            except psycopg2.Error:
                if in_transaction:
                    cursor.execute("ROLLBACK TO SAVEPOINT rtkeren_prepare")
                    cursor.execute("RELEASE SAVEPOINT rtkeren_prepare")
                return None
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT rtkeren_prepare")
            cursor.execute(
                "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s",
                (name,),
            )
            return cursor.fetchone()[0]

    def _deallocate(self, name: str) -> None:
        with self.cursor(cursor_factory=extensions.cursor) as cursor:
            cursor.execute(f"DEALLOCATE {name}")

    def _deallocate_oldest(self) -> None:
        while len(self._statements) > MAX_STATEMENTS:
            _sql, statement = self._statements.popitem(last=False)
            if statement is not _REFUSED:
                self._deallocate(statement.name)


class PreparingCursor(extensions.cursor):
    """Sends a SELECT its connection has prepared as ``EXECUTE``; shows the SQL it was given
    (``query``, which Django's query log reads)."""

    _asked = None

    def execute(self, query, vars=None):
        connection = self.connection
        statement = None
        if (
            vars is not None
            and self.name is None
            and connection.prepared_statements
            and type(query) is str
            and query.startswith(_SELECTS)
            and type(vars) in (list, tuple)
        ):
            statement = connection.statement_for(query, vars)
        if statement is None:
            self._asked = None
            return super().execute(query, vars)
        self._asked = (query, vars)
        try:
            return super().execute(connection.with_plan_mode(query, statement.execute_sql), vars)
        except psycopg2.Error as error:
            connection.plan_mode = None  # a SET sent with the EXECUTE was undone with it
            if error.pgcode not in _STALE:
                raise
            # Gone: all of them, most likely (a DISCARD ALL, which resets the session's plan
            # mode too: it is not known); or no longer fitting the tables.
            if error.pgcode == "26000":
                connection.forget_statements()
            else:
                connection.forget(query)
            if connection.get_transaction_status() != extensions.TRANSACTION_STATUS_IDLE:
                raise
        return super().execute(query, vars)

    @property
    def query(self):
        if self._asked is not None:
            return self.mogrify(*self._asked)
        return super().query


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The backend drops its own statements around migrations: nothing outside it needs to
        # know (an install on SQLite never imports this module).
        for signal in (pre_migrate, post_migrate):
            signal.connect(deallocate_after_migrations, dispatch_uid="rtkeren-deallocate")

    def use_generic_plan(self, sql: str) -> None:
        """``generic_plan(sql)``: for ``rtkeren.prepared``, which finds it on any backend."""
        generic_plan(sql)

    def get_connection_params(self):
        params = super().get_connection_params()
        self._prepares = params.pop("prepared_statements", True)
        params["connection_factory"] = PreparingConnection
        if params.get("cursor_factory") is postgresql.Cursor:
            params["cursor_factory"] = PreparingCursor
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.prepared_statements = self._prepares
        return connection


def deallocate_after_migrations(using="default", **kwargs) -> None:
    """``pre_migrate`` and ``post_migrate``: a migration may change a table a kept statement
    reads, so each connection's statements are dropped around it."""
    from django.db import connections

    raw = connections[using].connection
    if isinstance(raw, PreparingConnection) and not raw.closed:
        raw.deallocate_all()
