"""Where a record is (its kelurahan, RW and RT), from the city's places every process holds.

A list's rows name where each record is: an RT and its RW, or the kelurahan. Joining those
three tables to every list query costs PostgreSQL more to plan than to run the list (each join
multiplies the orders it weighs; a resident's proposals: 0,7 ms planning against 0,3 ms without
the joins), and Django builds three more instances for each row. The places change seldom and
are few (a city's few hundred RTs), so the whole table of them is read in one query and kept as
a public value (``cached_public_value``: renewed when any public record changes, held by the
process between, named after the columns it holds) and the rows' places are set from it, one
instance per place and chunk of rows, as ``select_related`` would have set them.

``HeldPlaces`` is the rows' iterable: ``with_held_places(queryset)`` reads its records so. A
place the table does not hold yet (made by another process since it was read) is read from the
database with the rows.
"""

from functools import cache
from itertools import islice

from django.db.models.query import ModelIterable

from rtkeren.models import RT, RW, Kelurahan
from rtkeren.scopecache import cached_public_value, columns_tag

_RW_PATH = "rw_set__"
_RT_PATH = "rw_set__rt_set__"


@cache
def _columns(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def _read_places() -> dict[str, dict[int, tuple]]:
    """Every kelurahan, RW and RT, each as its columns' values by id, in one query."""
    kelurahan, rw, rt = _columns(Kelurahan), _columns(RW), _columns(RT)
    # The reverse relations are outer joins: a kelurahan without RWs, an RW without RTs, too.
    names = [
        *kelurahan,
        *(_RW_PATH + name.removesuffix("_id") for name in rw),
        *(_RT_PATH + name.removesuffix("_id") for name in rt),
    ]
    table: dict[str, dict[int, tuple]] = {"kelurahan": {}, "rw": {}, "rt": {}}
    first_rw, first_rt = len(kelurahan), len(kelurahan) + len(rw)
    for values in Kelurahan.objects.order_by().values_list(*names):
        table["kelurahan"][values[0]] = values[:first_rw]
        if values[first_rw] is not None:
            table["rw"][values[first_rw]] = values[first_rw:first_rt]
        if values[first_rt] is not None:
            table["rt"][values[first_rt]] = values[first_rt:]
    return table


#: Each model of a place, and its key in the table.
_KINDS = {Kelurahan: "kelurahan", RW: "rw", RT: "rt"}


@cache
def table_name() -> str:
    """The public value's name, with the columns' tag in it (``columns_tag``)."""
    columns = [f"{model._meta.label}.{name}" for model in _KINDS for name in _columns(model)]
    return f"places:{columns_tag(columns)}"


def place_table() -> dict[str, dict[int, tuple]]:
    """The city's places: ``{"kelurahan" | "rw" | "rt": {id: the columns' values}}``."""
    return cached_public_value(table_name(), _read_places)


@cache
def _place_fields(model) -> tuple[tuple[str, str, type], ...]:
    """A model's foreign keys to a place: (its column, its cache name, the place's model)."""
    return tuple(
        (field.attname, field.cache_name, field.related_model)
        for field in model._meta.concrete_fields
        if field.is_relation and field.many_to_one and field.related_model in _KINDS
    )


class _Places:
    """The instances of one list's places, built once each from the table (or the database)."""

    def __init__(self, using: str, table: dict):
        self.using = using
        self.table = table
        self.built: dict[tuple[type, int], object] = {}

    def missing(self, rows: list) -> None:
        """Read from the database the places of ``rows`` the table does not hold."""
        wanted: dict[type, set[int]] = {Kelurahan: set(), RW: set(), RT: set()}
        for row in rows:
            for attname, _name, model in _place_fields(type(row)):
                pk = row.__dict__.get(attname)
                if pk is not None and pk not in self.table[_KINDS[model]]:
                    wanted[model].add(pk)
        if wanted[RT]:
            rts = RT._base_manager.using(self.using).filter(pk__in=wanted[RT])
            for rt in rts.select_related("rw"):
                self.built[(RT, rt.pk)] = rt
                self.built.setdefault((RW, rt.rw_id), rt.rw)
        for model in (RW, Kelurahan):
            if wanted[model]:
                for place in model._base_manager.using(self.using).filter(pk__in=wanted[model]):
                    self.built[(model, place.pk)] = place

    def place(self, model, pk: int):
        found = self.built.get((model, pk))
        if found is None:
            found = model.from_db(self.using, _columns(model), self.table[_KINDS[model]][pk])
            if model is RT:
                found._state.fields_cache["rw"] = self.place(RW, found.rw_id)
            self.built[(model, pk)] = found
        return found

    def set_on(self, row, known: frozenset[str] = frozenset()) -> None:
        cached, loaded = row._state.fields_cache, row.__dict__
        for attname, name, model in _place_fields(type(row)):
            # Not deferred (``only``), nor the record a related manager reads from
            # (``kelurahan.activities``), which Django sets on every row itself.
            if attname in loaded and name not in known:
                pk = loaded[attname]
                cached[name] = None if pk is None else self.place(model, pk)


class HeldPlaces(ModelIterable):
    """Django's model instances, each with its places set from the city's table: a chunk of
    rows at a time, so that ``iterator()`` still holds no more than a chunk."""

    def __iter__(self):
        known = frozenset(field.name for field in self.queryset._known_related_objects)
        rows = super().__iter__()
        while chunk := list(islice(rows, self.chunk_size)):
            places = _Places(self.queryset.db, place_table())
            places.missing(chunk)
            for row in chunk:
                places.set_on(row, known)
            yield from chunk


def with_held_places(queryset):
    """``queryset``, its records' kelurahan, RW and RT (with its RW) set from the city's places
    rather than joined (as ``select_related("kelurahan", "rw", "rt__rw")`` sets those it has)."""
    queryset = queryset._chain()
    queryset._iterable_class = HeldPlaces
    return queryset
