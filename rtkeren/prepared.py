"""List queries built and compiled once per shape, then run with each request's values.

Building a list page's queryset in the ORM and compiling it to SQL costs more CPU than
PostgreSQL spends answering it, and both are done afresh on every request because each person's
values differ (their RT, their kelurahan, the status they filter by). What differs from person
to person is only the values, though: the SQL is the same for everyone whose query has the same
shape (which filters it has, how many places each list names).

A ``Prepared`` names a build function, the shape (what the function branches on) and the values
(ints, strings, tuples of them, None, or a moment: an aware datetime, which a query compares with
the clock's time given as a value). The first time a shape is asked for in a process, the
query is built and compiled twice with two sets of stand-in values. The two compilations must
give the same SQL, each stand-in must come back as a parameter in the same places, and every
other parameter must be the same in both: otherwise the query depends on something besides its
values (the clock read inside the build, say) and is never prepared, only built as before. After
that, a request of that shape costs the substitution of its values into the parameters, and the
rows come back through Django's own iterable, as model instances with what the query selects
related.

A page of a list (``Prepared.sliced``) takes its offset as a value too, though Django writes
it into the SQL: past the first page (which Django writes without one), every page is one
shape, so a page number typed in a URL prepares nothing new.

What a query prefetches comes with its rows. The rows of a reverse foreign key or of a
many-to-many relation (a proposal's budget lines and interests, a thread's replies) are read
prepared too, by the same means: Django would build and compile that query again for every run.
Any other prefetch is Django's.

The tests run with ``PREPARED_QUERIES_CHECK``: every prepared run also builds and compiles the
query as Django would and fails when the SQL or a parameter differs, so every page the test suite
opens checks its own shape.
"""

import copy
import dataclasses
import datetime
import functools
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Prefetch, Q, QuerySet
from django.db.models import Value as Constant
from django.db.models.constants import LOOKUP_SEP
from django.db.models.fields.related_descriptors import (
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
)
from django.db.models.query import (
    MAX_GET_RESULTS,
    ModelIterable,
    ValuesListIterable,
    prefetch_related_objects,
)
from django.utils import timezone

#: Shapes kept per process; past it they are all forgotten and prepared again as asked. A
#: shape kept holds about 75 KiB (its compiler and query); the replayed real traffic asks for
#: about twenty.
MAX_SHAPES = 200
#: Where the two sets of integer stand-ins start. Django treats an integer outside its field's
#: range as matching nothing (a query of another shape), so the stand-ins lie inside the
#: narrowest range, a positive small integer's.
_INT_BASES = (30_000, 31_000)
#: The most values a query takes prepared: each set of stand-ins stays apart from the other.
MAX_VALUES = 1_000
_STRING_MARK = "\x1fprepared-slot"
#: Where the two sets of moment stand-ins start: far from any moment the portal records.
_MOMENT_BASES = (
    datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC),
    datetime.datetime(1911, 1, 1, tzinfo=datetime.UTC),
)

Value = int | str | datetime.datetime | None | tuple[int | str, ...]
Build = Callable[[Hashable, Mapping[str, Value]], QuerySet]


def totals(queryset: QuerySet, **aggregates) -> QuerySet:
    """``queryset.aggregate(**aggregates)`` as a query to prepare (``aggregate()`` runs at once
    and gives no queryset): one row of the aggregates over all of ``queryset``'s rows, in the
    order they are named, read with ``Prepared.tuples()``."""
    grouped_by_nothing = queryset.values(one=Constant(1)).annotate(**aggregates).order_by()
    return grouped_by_nothing.values_list(*aggregates)


def id_value(ids: Iterable[int] | None) -> tuple[int, ...] | None:
    """A set of ids as a value: in order (the same ids, the same parameters), None kept (all
    of them, a shape of its own)."""
    return None if ids is None else tuple(sorted(ids))


class PreparedMismatch(AssertionError):
    """A prepared query's SQL or parameters differ from Django's for the same values."""


def _descriptor(value: Value) -> Hashable:
    """What of a value shapes the SQL: whether it is None, its type, a tuple's length."""
    if value is None:
        return None
    if isinstance(value, tuple):
        kinds = {_scalar_kind(item) for item in value}
        if len(kinds) > 1 or datetime.datetime in kinds:
            raise TypeError("A prepared value's tuple holds ints or strs, of one kind.")
        return (len(value), *kinds)
    return _scalar_kind(value)


def _scalar_kind(value) -> type:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            raise TypeError(f"A prepared moment is aware of its time zone: {value!r}")
        return datetime.datetime
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(
            f"A prepared value is an int, a str, an aware datetime, None or a tuple of ints or "
            f"strs: {value!r}"
        )
    return int if isinstance(value, int) else str


def _flat(values: Mapping[str, Value]) -> dict:
    """Each value's place (its name, and its index in a tuple) and the value there."""
    flat = {}
    for name, value in values.items():
        if isinstance(value, tuple):
            for index, item in enumerate(value):
                flat[name, index] = item
        elif value is not None:
            flat[name, None] = value
    return flat


def _stand_ins(values: Mapping[str, Value], which: int, using: str) -> tuple[dict, dict]:
    """Stand-in values of the same shape as ``values`` (set 0 or 1), and the place of each: a
    parameter's place and whether it is the value as the database takes a moment (a moment may
    be written into the parameters either way, as it is or as the database's form of it)."""
    counter = iter(range(1_000_000))
    adapt = connections[using].ops.adapt_datetimefield_value

    def stand_in(item):
        number = next(counter)
        if isinstance(item, datetime.datetime):
            return _MOMENT_BASES[which] + datetime.timedelta(days=number, seconds=number)
        if isinstance(item, int):
            return _INT_BASES[which] + number
        return f"{_STRING_MARK}-{which}-{number}\x1f"

    replaced, places = {}, {}

    def keep(item, place):
        places[type(item), item] = (place, False)
        if isinstance(item, datetime.datetime):
            adapted = adapt(item)
            places.setdefault((type(adapted), adapted), (place, True))

    for name, value in values.items():
        if isinstance(value, tuple):
            replaced[name] = tuple(stand_in(item) for item in value)
            for index, item in enumerate(replaced[name]):
                keep(item, (name, index))
        elif value is None:
            replaced[name] = None
        else:
            replaced[name] = stand_in(value)
            keep(replaced[name], (name, None))
    return replaced, places


def _compiled(queryset: QuerySet, using: str):
    """The compiler after compiling ``queryset``, its SQL and parameters (None for a query
    that selects nothing)."""
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None, "", ()
    return compiler, sql, tuple(params)


def _place(param, places: dict):
    try:
        return places.get((type(param), param))
    except TypeError:  # an unhashable parameter (a list for an array) is never a stand-in
        return None


@dataclass(frozen=True)
class _Statement:
    compiler: object  # None: the shape selects nothing
    sql: str
    #: Each parameter: (True, (the place of the value it takes, whether in the database's form
    #: of a moment)) or (False, the constant).
    params: tuple
    prefetch: tuple
    #: How its rows may be read: "model" (``rows``: instances, through Django's
    #: ``ModelIterable`` or the query's own kind of it), "tuples" (``tuples``: a
    #: ``values_list()`` query's rows, in the order it names its columns), or "" (``compiled``
    #: alone).
    rows: str
    #: What converts each column as it is read (``SQLCompiler.get_converters`` of its select),
    #: worked out at its first run on each database and kept: the same for every run.
    converters: dict = dataclasses.field(default_factory=dict, compare=False)
    #: The iterable a "model" statement's rows are read through (the queryset's).
    iterable: type = ModelIterable


def _prepare(prepared: "Prepared", using: str) -> _Statement | None:
    values = prepared.values
    if len(_flat(values)) > MAX_VALUES:
        return None
    built = []
    for which in (0, 1):
        stand_ins, places = _stand_ins(values, which, using)
        queryset = prepared.build_with(stand_ins)
        built.append((queryset, places, stand_ins.get(_OFFSET), *_compiled(queryset, using)))
    (queryset, places_a, offset_a, compiler, sql, params_a) = built[0]
    (_, places_b, offset_b, _, sql_b, params_b) = built[1]
    offset = None
    if offset_a is not None and compiler is not None:
        # Django writes a slice's offset into the SQL, at its end: it is taken as the last
        # parameter instead, so that every page of a list is one shape.
        sql, sql_b = _offset_clause(sql, offset_a), _offset_clause(sql_b, offset_b)
        if sql is None or sql_b is None:
            return None
        offset = (True, ((_OFFSET, None), False))
        sql += " OFFSET %s"
        sql_b += " OFFSET %s"
    # A value written into the SQL itself, not as a parameter, makes the two differ.
    if sql != sql_b or len(params_a) != len(params_b):
        return None
    params = []
    for param_a, param_b in zip(params_a, params_b, strict=True):
        place = _place(param_a, places_a)
        if place is not None:
            if _place(param_b, places_b) != place:
                return None
            params.append((True, place))
        elif _place(param_b, places_b) is None and type(param_a) is type(param_b):
            if param_a != param_b:
                return None  # the query holds something besides its values
            params.append((False, param_a))
        else:
            return None
    if offset is not None:
        params.append(offset)
    prefetch = tuple(queryset._prefetch_related_lookups)
    rows, iterable = _rows_kind(queryset), queryset._iterable_class
    return _Statement(compiler, sql, tuple(params), prefetch, rows, iterable=iterable)


def _rows_kind(queryset: QuerySet) -> str:
    if issubclass(queryset._iterable_class, ModelIterable) and not queryset._known_related_objects:
        return "model"
    query = queryset.query
    selected = [*query.extra_select, *query.values_select, *query.annotation_select]
    if (
        queryset._iterable_class is ValuesListIterable
        and not queryset._prefetch_related_lookups
        and (not queryset._fields or list(queryset._fields) == selected)
    ):
        return "tuples"
    return ""


_statements: dict = {}
_UNPREPARED = object()
#: The name of the primary key's value in a query made by ``Prepared.one``.
_ONE = "__one"
#: The name of the first row's offset in a query made by ``Prepared.sliced``.
_OFFSET = "__offset"


def _own_copy(lookup):
    """A lookup to prefetch with, for one request: Django keeps what it was given on a
    ``Prefetch``'s queryset (the rows' hints), so each run takes a copy of it."""
    if isinstance(lookup, Prefetch) and lookup.queryset is not None:
        lookup = copy.copy(lookup)
        lookup.queryset = lookup.queryset._chain()
    return lookup


def _built(build: Build, shape: Hashable, steps: tuple, values: Mapping[str, Value]) -> QuerySet:
    queryset = build(shape, values)
    for step, arguments in steps:
        queryset = step(queryset, *arguments)
    return queryset


def _one(shape: tuple, values: Mapping[str, Value]) -> QuerySet:
    build, inner_shape, steps = shape
    return _one_of(_built(build, inner_shape, steps, values), values[_ONE])


def _one_of(queryset: QuerySet, pk) -> QuerySet:
    """What ``QuerySet.get(pk=pk)`` reads."""
    return queryset.filter(pk=pk).order_by()[:MAX_GET_RESULTS]


def _first(queryset: QuerySet, size: int) -> QuerySet:
    return queryset[:size]


def _sliced(shape: tuple, values: Mapping[str, Value]) -> QuerySet:
    build, inner_shape, steps, size = shape
    start = values[_OFFSET]
    return _built(build, inner_shape, steps, values)[start : start + size]


def _offset_clause(sql: str, offset: int) -> str | None:
    """``sql`` without the OFFSET Django writes at its end for ``offset``; None when it does
    not end so (the offset is then somewhere else in the query, or not there at all)."""
    clause = f" OFFSET {offset}"
    return sql[: -len(clause)] if sql.endswith(clause) else None


@dataclass(frozen=True)
class _Relation:
    """A prefetch read prepared: where its rows come from and how each finds its row. It is
    the shape of its query (``_related_rows``): equal for the same relation and lookup."""

    model: type  # the related rows'
    name: str  # the lookup by which a related row names its row
    extra: tuple  # many-to-many: the column of the row's id, selected as ``key``
    key: str  # the attribute of a related row that holds its row's id
    foreign_key: object  # a reverse foreign key: the field whose cache holds the row
    cache_name: str
    base: QuerySet | None = None  # the lookup's own queryset; None: the model's default manager


def _related_rows(relation: _Relation, values: Mapping[str, Value]) -> QuerySet:
    """The related rows of the ids ``values["ids"]``, as Django's prefetch reads them
    (``_filter_prefetch_queryset``, then for a many-to-many the id of each row's row)."""
    base = relation.base
    queryset = (relation.model._default_manager.all() if base is None else base)._chain()
    queryset.query.add_q(Q(**{f"{relation.name}__in": values["ids"]}), reuse_all=True)
    if relation.extra:
        queryset = queryset.extra(select=dict(relation.extra))
    return queryset


@functools.cache
def _relation_of(model: type, name: str) -> _Relation | None:
    """The relation ``name`` of ``model``, where it is a reverse foreign key or a many-to-many
    relation to the primary key; else None (Django reads its prefetch)."""
    descriptor = getattr(model, name, None)
    if type(descriptor) is ReverseManyToOneDescriptor:
        field = descriptor.field
        if not field.many_to_one or field.remote_field.field_name != model._meta.pk.name:
            return None
        cache_name = field.remote_field.cache_name
        return _Relation(field.model, field.name, (), field.attname, field, cache_name)
    if type(descriptor) is not ManyToManyDescriptor:
        return None  # a generic relation, a forward one, or none
    rel = descriptor.rel
    field = rel.field
    if descriptor.reverse:
        related, query_name, cache_name = rel.related_model, field.name, field.related_query_name()
        source = rel.through._meta.get_field(field.m2m_reverse_field_name())
    else:
        related, query_name, cache_name = rel.model, field.related_query_name(), field.name
        source = rel.through._meta.get_field(field.m2m_field_name())
    if len(source.local_related_fields) != 1 or source.target_field != model._meta.pk:
        return None
    column = source.local_related_fields[0]
    key = f"_prefetch_related_val_{column.attname}"
    quote = connections[router.db_for_read(related)].ops.quote_name
    extra = ((key, f"{quote(source.model._meta.db_table)}.{quote(column.column)}"),)
    return _Relation(related, query_name, extra, key, None, cache_name)


def _relation(rows: list, lookup) -> _Relation | None:
    """What ``lookup`` prefetches onto ``rows``, where it is one level of a relation
    ``_relation_of`` knows, into the relation's own name or the lookup's ``to_attr``, read as
    model instances with nothing prefetched in turn; else None (Django reads it)."""
    name = lookup if isinstance(lookup, str) else lookup.prefetch_through
    if LOOKUP_SEP in name:
        return None
    if not isinstance(lookup, Prefetch) or lookup.queryset is None:
        return _relation_of(type(rows[0]), name)
    base = lookup.queryset
    if (
        lookup.prefetch_to != (lookup.to_attr or name)
        or base.query.is_sliced
        or base._prefetch_related_lookups
        or base._iterable_class is not ModelIterable
        or base._known_related_objects
    ):
        return None
    relation = _relation_of(type(rows[0]), name)
    return None if relation is None else dataclasses.replace(relation, base=base)


def _prefetch(rows: list, statement: _Statement) -> None:
    """What ``statement`` prefetches, onto ``rows``, as ``prefetch_related_objects`` does:
    a reverse foreign key or a many-to-many relation read prepared, the others by Django."""
    django = []  # the lookups Django reads next, in their order
    for lookup in statement.prefetch:
        relation = _relation(rows, lookup)
        ids = id_value({row.pk for row in rows}) if relation else ()
        if relation is None or len(ids) > MAX_VALUES:
            django.append(_own_copy(lookup))
            continue
        if django:
            prefetch_related_objects(rows, *django)
            django = []
        related = Prepared(relation.model, _related_rows, relation, {"ids": ids}).rows()
        _assign(rows, lookup, relation, related)
    if django:
        prefetch_related_objects(rows, *django)


def _assign(rows: list, lookup, relation: _Relation, related: list) -> None:
    """Each row's related rows, kept where its manager reads them (``prefetch_one_level``),
    or, for a ``Prefetch`` with ``to_attr``, as a list in that attribute (no manager and no
    queryset made for each row: a thread of comments and its replies, say)."""
    name = lookup if isinstance(lookup, str) else lookup.prefetch_through
    to_attr = None if isinstance(lookup, str) else lookup.to_attr
    owners = {row.pk: row for row in rows}
    foreign_key = relation.foreign_key
    groups: dict = {}
    for each in related:
        owner = owners[getattr(each, relation.key)]
        if foreign_key is not None and not foreign_key.is_cached(each):
            foreign_key.set_cached_value(each, owner)
        groups.setdefault(owner.pk, []).append(each)
    if to_attr:
        for row in rows:
            setattr(row, to_attr, groups.get(row.pk, []))
        return
    own = None if relation.base is None else relation.base._chain()
    for row in rows:
        if not hasattr(row, "_prefetched_objects_cache"):
            row._prefetched_objects_cache = {}
        manager = getattr(row, name)
        queryset = manager.get_queryset() if own is None else manager._apply_rel_filters(own)
        queryset._result_cache = groups.get(row.pk, [])
        queryset._prefetch_done = True
        row._prefetched_objects_cache[relation.cache_name] = queryset


class _Run:
    """What Django's ``ModelIterable`` reads of a queryset, for a compiled statement."""

    _known_related_objects: dict = {}

    def __init__(self, compiler, using: str):
        self.db = using
        self.query = self
        self._compiler = compiler

    def get_compiler(self, using=None):
        return self._compiler


def _compiler_for(statement: _Statement, params: tuple, using: str):
    """The statement's compiler, for one run with ``params``: a copy, so that runs share
    nothing but the SQL."""
    compiler = copy.copy(statement.compiler)
    compiler.connection = connections[using]
    compiler.using = using
    compiler.as_sql = lambda *args, **kwargs: (statement.sql, params)
    compiler.get_converters = functools.partial(_converters, statement, compiler, using)
    return compiler


def _converters(statement: _Statement, compiler, using: str, expressions: list) -> dict:
    """The statement's converters for its columns ``expressions``: its select's, every run."""
    key = (using, len(expressions))
    converters = statement.converters.get(key)
    if converters is None:
        converters = type(compiler).get_converters(compiler, expressions)
        statement.converters[key] = converters
    return converters


@dataclass(frozen=True)
class Prepared:
    """A query of ``model`` made by ``build(shape, values)``, then by each of ``steps`` (a
    function and its further arguments, which are part of the shape).

    ``build`` must branch on ``shape`` and on what ``_descriptor`` keeps of each value (None or
    not, a tuple's length), and use the values only as values. A shape it branches on otherwise
    is caught by ``PREPARED_QUERIES_CHECK`` in the tests. ``build`` reads nothing but its
    arguments and today's date (part of the key): a constant it read from elsewhere (the
    current period, a translated label) would be kept with the SQL, and neither the two
    compilations nor the check could tell. The values are ids read from the database, choices'
    values and the clock's time, never a number someone typed in: Django reads an integer
    outside its field's range as matching nothing, which a prepared query does not know.

    ``generic_plan``: PostgreSQL runs the query on its generic plan (``rtkeren.db.postgresql``),
    for a query whose plan is the same for any of its values (ids of one place or activity, a
    status), measured so, that PostgreSQL would otherwise plan again on every run."""

    model: type
    build: Build
    shape: Hashable
    values: Mapping[str, Value]
    steps: tuple = ()
    generic_plan: bool = False

    def then(self, step: Callable, *arguments: Hashable) -> "Prepared":
        steps = (*self.steps, (step, arguments))
        return Prepared(self.model, self.build, self.shape, self.values, steps, self.generic_plan)

    def into(self, model: type, step: Callable, *arguments: Hashable) -> "Prepared":
        """A query of ``model`` that ``step(queryset, *arguments)`` makes of this one's (which
        it takes as a subquery, say): one query, with this one's values."""
        steps = (*self.steps, (step, arguments))
        return Prepared(model, self.build, self.shape, self.values, steps, self.generic_plan)

    def build_with(self, values: Mapping[str, Value]) -> QuerySet:
        return _built(self.build, self.shape, self.steps, values)

    def queryset(self) -> QuerySet:
        """The query as Django builds it, with this request's values."""
        return self.build_with(self.values)

    def count(self) -> int:
        return self.queryset().count()

    def one(self, pk):
        """The row whose primary key is ``pk``, as ``self.queryset().get(pk=pk)`` finds it,
        or None where that raises ``DoesNotExist``."""
        pk_field = self.model._meta.pk
        using = router.db_for_read(self.model)
        low, high = connections[using].ops.integer_field_range(pk_field.get_internal_type())
        if isinstance(pk, int) and not isinstance(pk, bool) and low <= pk <= high:
            shape = (self.build, self.shape, self.steps)
            values = {**self.values, _ONE: pk}
            rows = Prepared(self.model, _one, shape, values, (), self.generic_plan).rows()
        else:
            # What Django makes of another value (one past the column's range: no row).
            rows = list(_one_of(self.queryset(), pk))
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(
                f"get() returned more than one {self.model._meta.object_name}"
            )
        return rows[0] if rows else None

    def sliced(self, start: int, size: int) -> "Prepared":
        """The rows ``start`` to ``start + size``, as ``self.queryset()[start:start + size]``
        reads them, with the offset a value: every page of a list past the first is one shape
        (the first, which Django writes without an offset, another). A page number typed in a
        URL then prepares nothing new. The offset comes from such a number, unlike the other
        values, but no column is compared with it (``counted_page`` bounds it)."""
        if start == 0:
            return self.then(_first, size)
        shape = (self.build, self.shape, self.steps, size)
        values = {**self.values, _OFFSET: start}
        return Prepared(self.model, _sliced, shape, values, (), self.generic_plan)

    def rows(self) -> list:
        """The query's rows, as ``list(self.queryset())`` gives them."""
        kept = self._kept("model")
        if kept is None:
            return list(self.queryset())
        statement, compiler, using = kept
        if compiler is None:
            return []
        rows = list(statement.iterable(_Run(compiler, using)))
        if statement.prefetch and rows:
            _prefetch(rows, statement)
        return rows

    def tuples(self) -> list[tuple]:
        """A ``values_list()`` query's rows, as ``list(self.queryset())`` gives them (each
        column through its field's converters, as Django reads it)."""
        kept = self._kept("tuples")
        if kept is None:
            return list(self.queryset())
        _statement, compiler, _using = kept
        return [] if compiler is None else list(compiler.results_iter(tuple_expected=True))

    def _kept(self, rows: str) -> tuple | None:
        """The statement kept for this query's shape, a compiler for this run (None: the shape
        selects nothing) and the database, when its rows are of the kind ``rows``; None when
        the query is read through Django."""
        using = router.db_for_read(self.model)
        statement, params = self._statement(using)
        if statement is _UNPREPARED or statement.rows != rows:
            return None
        if statement.compiler is None:
            return statement, None, using
        return statement, _compiler_for(statement, params, using), using

    def compiled(self, using: str) -> tuple[str, tuple] | None:
        """The query's SQL and parameters, as Django compiles them for this request's values;
        None for a query that selects nothing."""
        statement, params = self._statement(using)
        if statement is _UNPREPARED:
            compiler, sql, params = _compiled(self.queryset(), using)
            return None if compiler is None else (sql, params)
        return None if statement.compiler is None else (statement.sql, params)

    def _statement(self, using: str) -> tuple:
        """The statement kept for this query's shape (prepared now if it is new) and this
        request's parameters; ``_UNPREPARED`` and no parameters for a query never prepared."""
        values = self.values
        descriptors = tuple((name, _descriptor(value)) for name, value in values.items())
        key = (self.build, self.shape, self.steps, descriptors, using, timezone.localdate())
        statement = _statements.get(key)
        if statement is None:
            statement = _prepare(self, using) or _UNPREPARED
            if len(_statements) >= MAX_SHAPES:
                _statements.clear()
            _statements[key] = statement
            if self.generic_plan and statement is not _UNPREPARED and statement.compiler:
                use_generic_plan = getattr(connections[using], "use_generic_plan", None)
                if use_generic_plan is not None:
                    use_generic_plan(statement.sql)
        if statement is _UNPREPARED:
            return statement, ()
        flat = _flat(values)
        adapt = connections[using].ops.adapt_datetimefield_value
        params = tuple(
            (adapt(flat[value[0]]) if value[1] else flat[value[0]]) if is_value else value
            for is_value, value in statement.params
        )
        if settings.PREPARED_QUERIES_CHECK:
            self._check(statement, params, using)
        return statement, params

    def _check(self, statement: _Statement, params: tuple, using: str) -> None:
        compiler, sql, django_params = _compiled(self.queryset(), using)
        if _OFFSET in self.values and compiler is not None:
            # The offset Django writes into the SQL, as the parameter it is taken as.
            offset = self.values[_OFFSET]
            without = _offset_clause(sql, offset)
            if without is not None:
                sql, django_params = f"{without} OFFSET %s", (*django_params, offset)
        if (compiler is None) != (statement.compiler is None) or sql != statement.sql:
            raise PreparedMismatch(
                f"{self.build.__qualname__}: SQL differs:\n{statement.sql}\n{sql}"
            )
        if params != django_params:
            raise PreparedMismatch(
                f"{self.build.__qualname__}: parameters differ: {params} != {django_params}"
            )
