"""The participation ledger recomputed from the stage records, compared with what it holds, and
mended.

Each stage app registers a source in ``rtkeren.registry.ledger_sources`` from its
``AppConfig.ready()``: a function that reads the app's own records and yields one
``ExpectedParticipation`` per row the ledger should hold, as that app's services write it. The
core puts the sources together without naming any app.

A row is identified as the ledger's unique constraint identifies it (resident, kind, subject);
its stage, activity, date, period and on-behalf flag are compared. Where the resident lived
(``rt``, ``kelurahan``) and who typed the row in (``recorded_by``) are facts of the moment of
writing that no stage record keeps, so they are not compared; a row added by ``ledger_repair``
takes the resident's present place, as ``participation_record`` does, and no recorder.

What the recomputation holds, as the services write it (the rules are the services'; the
recomputation states them again, no policy of its own):

- A hidden comment does not count: moderation hides abuse or spam, which is no taking part.
  The ledger keeps one "commented" row per resident and activity, so hiding a resident's only
  visible comment there takes the row away, hiding their first one while another stays shown
  dates the row by the first one still shown, and restoring a comment counts it again on the
  day it was written (``comment_hide``, ``comment_restore``, ``designing.ledger``).
- Cancelling, rejecting or withdrawing an activity keeps every row its records call for
  (proposal, comments, implementers, attendance, evaluations): residents did take part before
  it ended. Only deleting a record, hiding a comment, or taking part back through a service
  (withdrawing an endorsement or a vote, marking someone absent, removing an implementer)
  takes a row away.
- Comments and proposals name an account, not a resident: they count for the verified register
  entry linked to the account now, which is the entry the account acted as when it wrote them
  unless the link has changed since.
- A vote row is dated by the earliest vote the resident still holds in the round; a row whose
  first vote was withdrawn after a later one was cast on another day keeps the first day, and
  only its date is then reported as different.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from rtkeren.models import RT, Activity, Participation, Resident
from rtkeren.registry import ledger_sources, participation_kinds
from rtkeren.scopecache import scope_changed_everywhere
from rtkeren.services.periods import period_for

COMPARED_FIELDS = ("stage", "activity_id", "period_id", "occurred_on", "on_behalf")


@dataclass(frozen=True)
class ExpectedParticipation:
    """One row the ledger should hold. ``period_id`` is given where the service passes a period
    itself (a voting round's, an evaluation round's); otherwise it follows from the activity or
    the date by the ledger's own rule (``period_for``). Its stage is the one its kind is
    registered with, as ``participation_record`` gives it."""

    resident_id: int
    kind: str
    subject_model: type[models.Model]
    subject_id: int
    occurred_on: datetime.date
    activity_id: int | None = None
    period_id: int | None = None
    on_behalf: bool = False


Key = tuple[int, str, int, int]


@dataclass(frozen=True)
class LedgerRow:
    """A row with only what is compared: ``fields`` follows ``COMPARED_FIELDS``."""

    key: Key
    fields: tuple

    def as_dict(self) -> dict:
        return dict(zip(COMPARED_FIELDS, self.fields, strict=True))

    def describe(self) -> str:
        resident_id, kind, content_type_id, object_id = self.key
        model = ContentType.objects.get_for_id(content_type_id).model
        values = " ".join(f"{name}={value}" for name, value in self.as_dict().items())
        return f"resident={resident_id} kind={kind} subject={model}#{object_id} {values}"


@dataclass(frozen=True)
class LedgerDifferences:
    missing: list[LedgerRow]
    extra: list[LedgerRow]
    # (what the ledger holds, what it should hold)
    changed: list[tuple[LedgerRow, LedgerRow]]

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.changed)

    def lines(self) -> list[str]:
        found = [f"missing: {row.describe()}" for row in self.missing]
        found += [f"extra: {row.describe()}" for row in self.extra]
        for held, expected in self.changed:
            was, should = held.as_dict(), expected.as_dict()
            fields = ", ".join(
                f"{name} {was[name]} -> {should[name]}" for name in was if was[name] != should[name]
            )
            found.append(f"changed: {held.describe()}: {fields}")
        return found


class _Periods:
    """The ledger's period rule, asked once per activity or day."""

    def __init__(self):
        self.by_activity: dict[int, int | None] = {}
        self.by_day: dict[datetime.date, int | None] = {}

    def _resolve(self, *, activity: Activity | None, day: datetime.date) -> int | None:
        # No period at all: the service keeps the row with none, and so does the recomputation.
        period = period_for(day=day, activity=activity)
        return period.pk if period is not None else None

    def for_row(self, expected: ExpectedParticipation) -> int | None:
        if expected.period_id is not None:
            return expected.period_id
        if expected.activity_id is not None:
            if expected.activity_id not in self.by_activity:
                activity = Activity.objects.select_related("period").get(pk=expected.activity_id)
                self.by_activity[expected.activity_id] = self._resolve(
                    activity=activity, day=expected.occurred_on
                )
            return self.by_activity[expected.activity_id]
        if expected.occurred_on not in self.by_day:
            self.by_day[expected.occurred_on] = self._resolve(
                activity=None, day=expected.occurred_on
            )
        return self.by_day[expected.occurred_on]


def participation_expected() -> dict[Key, LedgerRow]:
    """Every row the ledger should hold, from every registered source."""
    periods = _Periods()
    expected: dict[Key, LedgerRow] = {}
    for _name, source in ledger_sources.items():
        for row in source():
            content_type = ContentType.objects.get_for_model(row.subject_model)
            key = (row.resident_id, row.kind, content_type.pk, row.subject_id)
            expected[key] = LedgerRow(
                key=key,
                fields=(
                    participation_kinds.stage_of(row.kind),
                    row.activity_id,
                    periods.for_row(row),
                    row.occurred_on,
                    row.on_behalf,
                ),
            )
    return expected


def _held() -> dict[Key, LedgerRow]:
    rows = Participation.objects.values_list(
        "resident_id", "kind", "content_type_id", "object_id", *COMPARED_FIELDS
    ).iterator()
    return {tuple(row[:4]): LedgerRow(key=tuple(row[:4]), fields=tuple(row[4:])) for row in rows}


def ledger_differences() -> LedgerDifferences:
    """What the ledger holds that it should not, lacks, or holds differently."""
    expected, held = participation_expected(), _held()
    return LedgerDifferences(
        missing=[expected[key] for key in sorted(expected.keys() - held.keys())],
        extra=[held[key] for key in sorted(held.keys() - expected.keys())],
        changed=[
            (held[key], expected[key])
            for key in sorted(expected.keys() & held.keys())
            if held[key].fields != expected[key].fields
        ],
    )


def _identity(key: Key) -> dict:
    resident_id, kind, content_type_id, object_id = key
    return {
        "resident_id": resident_id,
        "kind": kind,
        "content_type_id": content_type_id,
        "object_id": object_id,
    }


@transaction.atomic
def ledger_repair() -> LedgerDifferences:
    """Make the ledger equal to the recomputation, in one transaction; returns what it changed.

    Raises ``ValidationError`` (and changes nothing) when a missing row has no period to go in.
    """
    differences = ledger_differences()
    unplaced = [row for row in differences.missing if row.as_dict()["period_id"] is None]
    if unplaced:
        raise ValidationError(
            "No budget period for: " + "; ".join(row.describe() for row in unplaced)
        )
    for row in differences.extra:
        Participation.objects.filter(**_identity(row.key)).delete()
    for _held_row, expected in differences.changed:
        Participation.objects.filter(**_identity(expected.key)).update(**expected.as_dict())
    places = dict(
        Resident.objects.filter(pk__in={row.key[0] for row in differences.missing}).values_list(
            "pk", "rt_id"
        )
    )
    kelurahan_of = _kelurahan_of_rts(places.values())
    Participation.objects.bulk_create(
        Participation(
            **_identity(row.key),
            **row.as_dict(),
            rt_id=places[row.key[0]],
            kelurahan_id=kelurahan_of[places[row.key[0]]],
        )
        for row in differences.missing
    )
    if differences:
        # A repair may touch any kelurahan, including where a removed row counted.
        scope_changed_everywhere()
    return differences


def _kelurahan_of_rts(rt_ids: Iterable[int]) -> dict[int, int]:
    return dict(RT.objects.filter(pk__in=set(rt_ids)).values_list("pk", "rw__kelurahan_id"))
