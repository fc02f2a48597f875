"""Programme years: starting the next one from the last one's settings, and reading its budget
rules (ceilings per RT, the fisik/nonfisik split)."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from rtkeren.models import RT, Period, RtCeiling

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
    logger.info("Period %s started by %s, settings from %s", year, by, previous)
    return period


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


def period_split_warning(*, period: Period, fisik: int, nonfisik: int) -> str | None:
    """A warning (never an error: the split is a guideline) when the RT-Keren-funded plan of an
    RT divides its money between physical and non-physical work otherwise than ``period`` says.

    ``fisik`` and ``nonfisik`` are the planned amounts in whole rupiah, counting only what the
    RT's RT Keren allocation funds. Shares are compared in whole percent. None means no warning.
    """
    if fisik < 0 or nonfisik < 0:
        raise ValueError("Planned amounts cannot be negative.")
    total = fisik + nonfisik
    if total == 0:
        return None
    fisik_share = _percent(fisik, total)
    if fisik_share == period.fisik_percent:
        return None
    return _(
        "The plan puts %(fisik)s%% into physical works and %(nonfisik)s%% into non-physical "
        "activities, while %(period)s sets %(period_fisik)s%% physical and "
        "%(period_nonfisik)s%% non-physical. "
        "This is a warning only; the plan can still be submitted."
    ) % {
        "fisik": fisik_share,
        "nonfisik": 100 - fisik_share,
        "period": period,
        "period_fisik": period.fisik_percent,
        "period_nonfisik": period.nonfisik_percent,
    }
