"""Programme years: starting the next one from the last one's settings, closing one (which
freezes its figures), reading its budget rules (ceilings per RT, the fisik/nonfisik split), and
the one rule saying which year an action counts in."""

import datetime
import logging

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rtkeren.models import RT, Activity, Participation, Period, RtCeiling
from rtkeren.permissions import can
from rtkeren.registry import period_closing
from rtkeren.scopecache import scope_changed_everywhere
from rtkeren.services.base import base_open

logger = logging.getLogger(__name__)


@transaction.atomic
def period_start(*, year: int, starts_on: datetime.date, ends_on: datetime.date, by=None) -> Period:
    """Open the budget year ``year``. Its settings (``Period.SETTINGS``) and the RTs whose
    ceiling differs from the default are copied from the latest earlier period; the model's
    defaults apply when there is none."""
    previous = Period.objects.filter(year__lt=year).order_by("-year").first()
    period = Period(year=year, starts_on=starts_on, ends_on=ends_on)
    if previous is not None:
        for name in Period.SETTINGS:
            setattr(period, name, getattr(previous, name))
    period.full_clean()
    overlapping = (
        Period.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            _("These dates overlap %(period)s (%(starts_on)s to %(ends_on)s).")
            % {
                "period": overlapping,
                "starts_on": formats.date_format(overlapping.starts_on, "SHORT_DATE_FORMAT"),
                "ends_on": formats.date_format(overlapping.ends_on, "SHORT_DATE_FORMAT"),
            }
        )
    period.save()
    if previous is not None:
        RtCeiling.objects.bulk_create(
            RtCeiling(period=period, rt_id=rt_id, ceiling=ceiling)
            for rt_id, ceiling in previous.rt_ceilings.values_list("rt_id", "ceiling")
        )
    participations_place()
    base_open(period=period)
    scope_changed_everywhere()
    logger.info("Period %s started by %s, settings from %s", year, by, previous)
    return period


@transaction.atomic
def period_close(*, period: Period, by) -> Period:
    """Close ``period`` for good: no longer open, with who closed it and when, and every
    ``period_closing`` hook run inside the same transaction (assessment freezes the scorecard
    of every scope), so that either all of it happens or none. A closed period never reopens.

    Only an admin closes a period: ``rtkeren.close_period``.
    """
    if not can(by, "rtkeren.close_period"):
        raise PermissionDenied(_("Only an administrator may close a period."))
    locked = Period.objects.select_for_update().get(pk=period.pk)
    if locked.closed_at is not None or not locked.is_open:
        raise ValidationError(
            _("%(period)s is already closed; its figures are frozen.") % {"period": locked}
        )
    locked.is_open = False
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.full_clean()
    locked._history_user = by
    locked.save(update_fields=["is_open", "closed_at", "closed_by"])
    for _name, hook in period_closing.items():
        hook(locked)
    # The nearest open period changed: actions placed by date alone may count elsewhere.
    participations_place()
    # Every scope's scorecard of this period is now read from its frozen row.
    scope_changed_everywhere()
    logger.info("Period %s closed by %s", locked.year, by)
    period.is_open, period.closed_at, period.closed_by = False, locked.closed_at, by
    return locked


def period_for(
    *, day: datetime.date, activity: Activity | None = None, period: Period | None = None
) -> Period | None:
    """The period an action done on ``day`` counts in (docs/scorecard.md, "Which year an
    action counts in"):

    1. the period of what it was done in: ``period`` (a voting or evaluation round's own) or
       the period of ``activity``;
    2. else the period whose dates cover ``day``;
    3. else the nearest open period: the first one starting after ``day``, else the last one
       that ended before it;
    4. else none. The action is still recorded; ``participations_place`` gives it a period
       when one is created.

    Lacking a period never stops a resident's action.
    """
    if period is not None:
        return period
    if activity is not None:
        return activity.period
    covering = Period.objects.containing(day).order_by("starts_on").first()
    if covering is not None:
        return covering
    open_periods = Period.objects.filter(is_open=True)
    return (
        open_periods.filter(starts_on__gt=day).order_by("starts_on").first()
        or open_periods.filter(ends_on__lt=day).order_by("-ends_on").first()
    )


def _subjects_with_their_own_period() -> list[ContentType]:
    """Models that belong to a period themselves (an activity, a voting or evaluation round):
    a participation in one keeps that period whatever its date."""
    return [
        ContentType.objects.get_for_model(model)
        for model in apps.get_models()
        if any(
            field.many_to_one and field.related_model is Period
            for field in model._meta.concrete_fields
        )
    ]


@transaction.atomic
def participations_place() -> int:
    """Apply ``period_for`` again to the participations placed by date alone that no period
    covers (a potential recorded or a forum attended in a gap between periods, or before any
    period existed), after the periods changed. Returns how many rows moved.

    Rows placed by their activity or round, or by a period covering their date, never move.
    """
    unplaced = (
        Participation.objects.filter(activity__isnull=True)
        .exclude(content_type__in=_subjects_with_their_own_period())
        .filter(
            Q(period__isnull=True)
            | Q(occurred_on__lt=F("period__starts_on"))
            | Q(occurred_on__gt=F("period__ends_on"))
        )
    )
    moved = 0
    for day in unplaced.values_list("occurred_on", flat=True).distinct().order_by():
        target = period_for(day=day)
        if target is None:
            continue
        moved += unplaced.filter(occurred_on=day).exclude(period=target).update(period=target)
    if moved:
        # Rows of any kelurahan may have moved to another period.
        scope_changed_everywhere()
    return moved


def period_next_dates(period: Period) -> tuple[int, datetime.date, datetime.date]:
    """The year and dates of the period after ``period``: from the day after it ends until a
    year after its end."""
    try:
        ends_on = period.ends_on.replace(year=period.ends_on.year + 1)
    except ValueError:  # 29 February
        ends_on = period.ends_on.replace(year=period.ends_on.year + 1, day=28)
    return period.year + 1, period.ends_on + datetime.timedelta(days=1), ends_on


def period_ceiling_for(period: Period, rt: RT) -> int:
    """The RT Keren budget ceiling of ``rt`` in ``period`` (whole rupiah)."""
    return period_ceilings_for(period, [rt])[rt.pk]


def period_ceilings_for(period: Period, rts) -> dict[int, int]:
    """The ceilings of many RTs in one query: ``{rt.pk: ceiling}``."""
    rt_ids = [rt.pk for rt in rts]
    overrides = dict(period.rt_ceilings.filter(rt_id__in=rt_ids).values_list("rt_id", "ceiling"))
    return {rt_id: overrides.get(rt_id, period.rt_ceiling) for rt_id in rt_ids}


def _percent(part: int, whole: int) -> int:
    """``part`` as a whole percentage of ``whole``, rounded half up."""
    return (200 * part + whole) // (2 * whole)


def period_split_ok(*, period: Period, fisik: int, nonfisik: int) -> bool:
    """Whether an RT's RT-Keren-funded plan of ``fisik`` and ``nonfisik`` rupiah keeps to
    ``period``'s split: physical works at least ``fisik_percent`` of the total, less the
    period's tolerance (percentage points); a total under ``split_threshold`` is not checked."""
    if fisik < 0 or nonfisik < 0:
        raise ValueError("Planned amounts cannot be negative.")
    total = fisik + nonfisik
    if total == 0 or total < period.split_threshold:
        return True
    minimum = max(period.fisik_percent - period.split_tolerance, 0)
    return 100 * fisik >= minimum * total


def period_split_warning(*, period: Period, fisik: int, nonfisik: int) -> str | None:
    """A warning (never an error: the split is a guideline) when the RT-Keren-funded plan of an
    RT puts less into physical works than ``period`` asks (``period_split_ok``); None otherwise.
    Shares are shown in whole percent."""
    if period_split_ok(period=period, fisik=fisik, nonfisik=nonfisik):
        return None
    fisik_share = _percent(fisik, fisik + nonfisik)
    if period.split_tolerance:
        asked = _(
            "%(period)s asks for at least %(period_fisik)s%% physical, with a tolerance of "
            "%(tolerance)s points."
        )
    else:
        asked = _("%(period)s asks for at least %(period_fisik)s%% physical.")
    asked = asked % {
        "period": period,
        "period_fisik": period.fisik_percent,
        "tolerance": period.split_tolerance,
    }
    return _(
        "The plan puts %(fisik)s%% into physical works and %(nonfisik)s%% into non-physical "
        "activities. %(asked)s This is a warning only; the plan can still be submitted."
    ) % {"fisik": fisik_share, "nonfisik": 100 - fisik_share, "asked": asked}
