"""The scorecard base: who counts in the denominator of a period's scorecard, where.

A resident is in the base of a period P (from S to E) in an RT when, at some time during
[S, E], they were an eligible resident of that RT: verified (confirmed by the RT chair or
entered by an officer), aged 17 or more at S, and living there. Where someone lived when
follows from the recorded moves and deaths (``ResidentStatusChange``), in the order they
happened:

- before the first change, in its ``from_rt``; after a move within the city, in its ``to_rt``;
  after a move out of the city or a death, nowhere;
- with no change recorded: in their RT when active; when not active (older data), in their RT
  until ``status_changed_on`` if it is known, otherwise nowhere.

The day of a move counts in both RTs. A resident counts once per RT and period, however often
they moved in and out (``since`` is the first day, ``until`` the last, empty when they were
still there at E).

The entries are stored (``BaseEntry``) so that the scorecard counts them with the ledger in one
query, and so that a closed period keeps the base it had: only open periods follow the
register. Every write that can change who is eligible or where calls ``base_resident_sync``
(or ``base_residents_sync`` for many), which also tells the apps' ``resident_changes`` hooks;
``base_differences`` compares the entries of the open
periods with ``expected_base`` and ``base_repair`` mends them.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from rtkeren.models import BaseEntry, Period, Resident, ResidentStatusChange
from rtkeren.models.people import adult_born_on_or_before
from rtkeren.registry import residents_changed
from rtkeren.scopecache import scope_changed

BATCH_SIZE = 1000
MOVED_WITHIN = ResidentStatusChange.Kind.MOVED_WITHIN

#: (period, resident, rt)
Key = tuple[int, int, int]


@dataclass(frozen=True)
class BaseRow:
    """One entry, with what is compared: the kelurahan of the RT and the days."""

    key: Key
    kelurahan_id: int
    since: datetime.date
    until: datetime.date | None

    @property
    def fields(self) -> tuple:
        return (self.kelurahan_id, self.since, self.until)

    def describe(self) -> str:
        period_id, resident_id, rt_id = self.key
        return (
            f"period={period_id} resident={resident_id} rt={rt_id} "
            f"kelurahan={self.kelurahan_id} since={self.since} until={self.until}"
        )


@dataclass(frozen=True)
class BaseDifferences:
    missing: list[BaseRow]
    extra: list[BaseRow]
    # (what is stored, what it should be)
    changed: list[tuple[BaseRow, BaseRow]]

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.changed)

    def lines(self) -> list[str]:
        found = [f"base missing: {row.describe()}" for row in self.missing]
        found += [f"base extra: {row.describe()}" for row in self.extra]
        found += [
            f"base changed: {held.describe()} -> since={expected.since} until={expected.until}"
            for held, expected in self.changed
        ]
        return found


# Where a resident lived when.

#: (rt, kelurahan, first day or None for "always before", last day or None for "still there")
Segment = tuple[int, int, datetime.date | None, datetime.date | None]


def _segments(resident: tuple, changes: list[tuple]) -> list[Segment]:
    """The places of one resident over time. ``resident`` is (pk, birth date, status,
    status_changed_on, rt, kelurahan); ``changes`` its changes in the order they happened, each
    (kind, happened_on, from rt, from kelurahan, to rt, to kelurahan)."""
    _pk, _born, status, changed_on, rt_id, kelurahan_id = resident
    if not changes:
        if status == Resident.Status.ACTIVE:
            return [(rt_id, kelurahan_id, None, None)]
        if changed_on is not None:
            return [(rt_id, kelurahan_id, None, changed_on)]
        return []
    _kind, first_day, from_rt, from_kelurahan, _to_rt, _to_kelurahan = changes[0]
    segments = [(from_rt, from_kelurahan, None, first_day)]
    for index, (kind, day, _from_rt, _from_kel, to_rt, to_kelurahan) in enumerate(changes):
        if kind == MOVED_WITHIN:
            following = changes[index + 1][1] if index + 1 < len(changes) else None
            segments.append((to_rt, to_kelurahan, day, following))
    return segments


def _entries(resident: tuple, changes: list[tuple], periods: list[Period]) -> Iterator[BaseRow]:
    """The entries of one resident in ``periods``, one per period and RT."""
    birth_date = resident[1]
    segments = _segments(resident, changes)
    for period in periods:
        if birth_date is None or birth_date > adult_born_on_or_before(period.starts_on):
            continue
        rows: dict[Key, BaseRow] = {}
        for rt_id, kelurahan_id, first, last in segments:
            if (first is not None and first > period.ends_on) or (
                last is not None and last < period.starts_on
            ):
                continue
            since = max(first, period.starts_on) if first is not None else period.starts_on
            until = last if last is not None and last <= period.ends_on else None
            key = (period.pk, resident[0], rt_id)
            if key in rows:  # back in an RT they had left: one entry, from first to last day
                held = rows[key]
                since = min(since, held.since)
                until = None if until is None or held.until is None else max(until, held.until)
            rows[key] = BaseRow(key=key, kelurahan_id=kelurahan_id, since=since, until=until)
        yield from rows.values()


def _expected(periods: list[Period], resident_ids: Iterable[int] | None = None) -> dict:
    """The entries ``periods`` should hold, for every resident or for ``resident_ids`` (three
    queries; the register is read with an iterator)."""
    if not periods:
        return {}
    eligible = Resident.objects.verified().filter(
        birth_date__lte=adult_born_on_or_before(max(period.starts_on for period in periods))
    )
    if resident_ids is not None:
        eligible = eligible.filter(pk__in=list(resident_ids))
    changes: dict[int, list[tuple]] = {}
    for resident_id, *change in (
        ResidentStatusChange.objects.filter(resident__in=eligible.values("pk"))
        .order_by("resident_id", "happened_on", "pk")
        .values_list(
            "resident_id",
            "kind",
            "happened_on",
            "from_rt_id",
            "from_rt__rw__kelurahan_id",
            "to_rt_id",
            "to_rt__rw__kelurahan_id",
        )
        .iterator()
    ):
        changes.setdefault(resident_id, []).append(tuple(change))
    expected = {}
    for resident in (
        eligible.order_by()
        .values_list(
            "pk", "birth_date", "status", "status_changed_on", "rt_id", "rt__rw__kelurahan_id"
        )
        .iterator(chunk_size=5000)
    ):
        for row in _entries(resident, changes.get(resident[0], []), periods):
            expected[row.key] = row
    return expected


def expected_base(period: Period) -> dict[Key, BaseRow]:
    """Every entry ``period`` should hold, recomputed from the register and its recorded moves
    and deaths, by (period, resident, rt)."""
    return _expected([period])


def _held(periods: list[Period], resident_ids: Iterable[int] | None = None) -> dict:
    stored = BaseEntry.objects.filter(period__in=periods)
    if resident_ids is not None:
        stored = stored.filter(resident_id__in=list(resident_ids))
    return {
        (period_id, resident_id, rt_id): (
            pk,
            BaseRow(
                key=(period_id, resident_id, rt_id),
                kelurahan_id=kelurahan_id,
                since=since,
                until=until,
            ),
        )
        for pk, period_id, resident_id, rt_id, kelurahan_id, since, until in stored.values_list(
            "pk", "period_id", "resident_id", "rt_id", "kelurahan_id", "since", "until"
        ).iterator(chunk_size=5000)
    }


def _differences(expected: dict[Key, BaseRow], held: dict) -> BaseDifferences:
    return BaseDifferences(
        missing=[expected[key] for key in sorted(expected.keys() - held.keys())],
        extra=[held[key][1] for key in sorted(held.keys() - expected.keys())],
        changed=[
            (held[key][1], expected[key])
            for key in sorted(expected.keys() & held.keys())
            if held[key][1].fields != expected[key].fields
        ],
    )


INSERTED_COLUMNS = ("period_id", "resident_id", "rt_id", "kelurahan_id", "since", "until")


def _insert(rows: list[BaseRow]) -> None:
    """Insert ``rows`` in multi-row statements. Not ``bulk_create``: building a model instance
    and compiling it per row takes most of the time when a period of the whole city is filled
    (three in four of it at city scale)."""
    if not rows:
        return
    table = connection.ops.quote_name(BaseEntry._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(BaseEntry._meta.get_field(name).column)
        for name in INSERTED_COLUMNS
    )
    limit = connection.features.max_query_params  # None: no limit (PostgreSQL)
    batch_size = BATCH_SIZE if limit is None else max(1, min(BATCH_SIZE, limit // 6))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders}",
                [
                    value
                    for row in batch
                    for value in (*row.key, row.kelurahan_id, row.since, row.until)
                ],
            )


def _write(expected: dict[Key, BaseRow], held: dict) -> BaseDifferences:
    """Make the stored entries ``held`` equal to ``expected``; returns what differed."""
    differences = _differences(expected, held)
    extra = [held[row.key][0] for row in differences.extra]
    for start in range(0, len(extra), BATCH_SIZE):
        BaseEntry.objects.filter(pk__in=extra[start : start + BATCH_SIZE]).delete()
    BaseEntry.objects.bulk_update(
        [
            BaseEntry(
                pk=held[row.key][0], kelurahan_id=row.kelurahan_id, since=row.since, until=row.until
            )
            for _held_row, row in differences.changed
        ],
        ["kelurahan_id", "since", "until"],
        batch_size=BATCH_SIZE,
    )
    _insert(differences.missing)
    rows = [
        *differences.missing,
        *differences.extra,
        *(row for pair in differences.changed for row in pair),
    ]
    # A row's key is (period, resident, RT).
    scope_changed(
        kelurahan_ids={row.kelurahan_id for row in rows}, rt_ids={row.key[2] for row in rows}
    )
    return differences


def _open_periods() -> list[Period]:
    return list(Period.objects.filter(is_open=True))


def base_open(*, period: Period) -> BaseDifferences:
    """Fill the base of ``period`` from the register (for a new period, or one whose dates
    changed while open); returns what it wrote."""
    return base_periods_open(periods=[period])


@transaction.atomic
def base_periods_open(*, periods: list[Period]) -> BaseDifferences:
    """``base_open`` for several periods in one pass over the register (the city data set)."""
    return _write(_expected(periods), _held(periods))


_deferred: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar(
    "base_deferred", default=None
)


@contextlib.contextmanager
def base_sync_deferred():
    """Inside this block, syncs only note the residents; they are synced together when it ends
    without an error (an import, which writes many residents one by one)."""
    if _deferred.get() is not None:
        yield
        return
    noted: set[int] = set()
    token = _deferred.set(noted)
    try:
        yield
    finally:
        _deferred.reset(token)
    base_residents_sync(resident_ids=noted)


@transaction.atomic
def base_residents_sync(*, resident_ids: Iterable[int]) -> BaseDifferences:
    """Recompute the entries of these residents in every open period and write the difference
    (a few queries per thousand residents). Closed periods are left as they were."""
    resident_ids = sorted(set(resident_ids))
    noted = _deferred.get()
    if noted is not None:
        noted.update(resident_ids)
        return BaseDifferences([], [], [])
    residents_changed(resident_ids=resident_ids)
    periods = _open_periods() if resident_ids else []
    missing, extra, changed = [], [], []
    for start in range(0, len(resident_ids) if periods else 0, BATCH_SIZE):
        batch = resident_ids[start : start + BATCH_SIZE]
        written = _write(_expected(periods, batch), _held(periods, batch))
        missing += written.missing
        extra += written.extra
        changed += written.changed
    return BaseDifferences(missing, extra, changed)


def base_resident_sync(*, resident: Resident) -> BaseDifferences:
    """Recompute ``resident``'s entries in every open period and write the difference."""
    return base_residents_sync(resident_ids=[resident.pk])


def base_differences() -> BaseDifferences:
    """How the stored entries of the open periods differ from their recomputation."""
    periods = _open_periods()
    return _differences(_expected(periods), _held(periods))


@transaction.atomic
def base_repair() -> BaseDifferences:
    """Make the entries of the open periods equal to their recomputation; returns what it
    changed."""
    periods = _open_periods()
    return _write(_expected(periods), _held(periods))
