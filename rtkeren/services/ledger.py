"""The participation ledger: its one writer, and the count the scorecard reads.

Every stage records here when a resident takes an active part, so that the scorecard never has to
read another stage's tables.
"""

import datetime
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.utils import timezone

from rtkeren.models import RT, Activity, Kelurahan, Participation, Period, Resident, Stage
from rtkeren.registry import participation_kinds
from rtkeren.scopecache import scope_changed
from rtkeren.services.periods import period_for

REFERENCES = ["resident", "content_type", "activity", "period", "rt", "kelurahan", "recorded_by"]


@transaction.atomic
def participation_record(
    *,
    resident: Resident,
    kind: str,
    subject: models.Model,
    activity: Activity | None = None,
    period: Period | None = None,
    occurred_on: datetime.date | None = None,
    on_behalf: bool = False,
    recorded_by=None,
) -> Participation:
    """Record that ``resident`` took part (``kind``, e.g. "vote_cast") in ``subject``.

    The stage is the one ``kind`` is registered with (``rtkeren.registry.participation_kinds``),
    so a kind cannot be counted in the wrong stage; a kind nobody registered raises
    ``ImproperlyConfigured`` and nothing is written. Idempotent: the same resident, kind and
    subject give back the row already there. Minors are recorded too; the scorecard decides whom
    it counts. The place is where the resident lives now, so that a later move does not rewrite
    this period's figures.
    """
    stage = participation_kinds.stage_of(kind)
    content_type = ContentType.objects.get_for_model(subject)
    identity = {
        "resident": resident,
        "kind": kind,
        "content_type": content_type,
        "object_id": subject.pk,
    }
    existing = Participation.objects.filter(**identity).first()
    if existing is not None:
        return existing
    day = occurred_on or timezone.localdate()
    rt = RT.objects.select_related("rw").get(pk=resident.rt_id)
    participation = Participation(
        **identity,
        stage=stage,
        activity=activity,
        period=period_for(day=day, activity=activity, period=period),
        rt=rt,
        kelurahan_id=rt.rw.kelurahan_id,
        occurred_on=day,
        on_behalf=on_behalf,
        recorded_by=recorded_by,
    )
    # The references come from saved objects; the unique constraint is left to the database,
    # so that a concurrent writer is caught below instead of racing a check.
    participation.full_clean(exclude=REFERENCES, validate_constraints=False)
    try:
        with transaction.atomic():
            participation.save()
    except IntegrityError:
        return Participation.objects.get(**identity)
    scope_changed(kelurahan_ids=[participation.kelurahan_id], rt_ids=[participation.rt_id])
    return participation


def _rows_changing(rows: models.QuerySet) -> list[int]:
    """The ids of ``rows``, after giving the kelurahan and RTs they count in a new scope
    version on commit (one query)."""
    found = list(rows.values_list("pk", "kelurahan_id", "rt_id"))
    scope_changed(
        kelurahan_ids={kelurahan_id for _pk, kelurahan_id, _rt_id in found},
        rt_ids={rt_id for _pk, _kelurahan_id, rt_id in found},
    )
    return [pk for pk, _kelurahan_id, _rt_id in found]


@transaction.atomic
def participation_remove(*, resident: Resident, kind: str, subject: models.Model) -> int:
    """Take back a participation (e.g. a vote withdrawn). Returns how many rows went (0 or 1)."""
    found = _rows_changing(
        Participation.objects.filter(
            resident=resident,
            kind=kind,
            content_type=ContentType.objects.get_for_model(subject),
            object_id=subject.pk,
        )
    )
    if not found:
        return 0
    deleted, _per_model = Participation.objects.filter(pk__in=found).delete()
    return deleted


def distinct_participants(
    *,
    period: Period,
    stage: str,
    kelurahan: Kelurahan | None = None,
    rt: RT | None = None,
) -> int:
    """How many distinct residents took part in ``stage`` in ``period`` (one query).

    Counts by where they lived when they took part; neither scope given means the whole city.
    """
    queryset = Participation.objects.filter(period=period, stage=Stage(stage))
    if kelurahan is not None:
        queryset = queryset.filter(kelurahan=kelurahan)
    if rt is not None:
        queryset = queryset.filter(rt=rt)
    return queryset.aggregate(residents=Count("resident", distinct=True))["residents"]


@transaction.atomic
def participation_redate(
    *,
    resident: Resident,
    kind: str,
    subject: models.Model,
    occurred_on: datetime.date,
    activity: Activity | None = None,
    period: Period | None = None,
) -> int:
    """Date a participation ``occurred_on`` instead, in the period ``participation_record`` gives
    that day with the same ``activity`` and ``period``: the occasion it was dated by no longer
    counts (a comment hidden) and a later one still does. Its place and recorder stay. Returns
    how many rows changed (0 or 1)."""
    found = _rows_changing(
        Participation.objects.filter(
            resident=resident,
            kind=kind,
            content_type=ContentType.objects.get_for_model(subject),
            object_id=subject.pk,
        ).exclude(occurred_on=occurred_on)
    )
    if not found:
        return 0
    return Participation.objects.filter(pk__in=found).update(
        occurred_on=occurred_on,
        period=period_for(day=occurred_on, activity=activity, period=period),
    )


@transaction.atomic
def participation_move(
    *, kind: str, source: models.Model, target: models.Model, residents: Iterable[int]
) -> int:
    """Move the ``kind`` rows of ``residents`` from ``source`` to ``target`` (a merge), keeping
    their date, period and place. Returns how many rows moved."""
    found = _rows_changing(
        Participation.objects.filter(
            resident__in=list(residents),
            kind=kind,
            content_type=ContentType.objects.get_for_model(source),
            object_id=source.pk,
        )
    )
    if not found:
        return 0
    return Participation.objects.filter(pk__in=found).update(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    )
