"""What the printable reports of every stage read: the RTs a user may report on, and the period
a report is about."""

from django.db.models import Q, QuerySet
from django.http import Http404

from rtkeren import scopes
from rtkeren.models import RT, Period, Role
from rtkeren.models.periods import current_period
from rtkeren.scopecache import cached_public_records


def rts_for_reports(user) -> QuerySet[RT]:
    """RTs whose reports ``user`` may reach: their own RT as chair or Pokmas, their kelurahan's
    as officer or facilitator, every RT for the city."""
    queryset = RT.objects.select_related("rw__kelurahan")
    if scopes.sees_whole_city(user):
        return queryset
    return queryset.filter(
        Q(pk__in=scopes.rt_ids(user, Role.POKMAS_MEMBER, Role.RT_CHAIR))
        | Q(rw__kelurahan__in=scopes.official_kelurahan_ids(user))
    )


def all_periods() -> list[Period]:
    """Every period, newest first: kept in the cache as the public records they are (a period
    saved anywhere renews them; ``cached_public_records``)."""
    return cached_public_records("periods", Period, "-year")


def chosen_period(request) -> tuple[Period | None, list[Period]]:
    """The period asked for in ``?period=``, else the current one (``current_period``); and all
    periods."""
    periods = all_periods()
    chosen = request.GET.get("period", "")
    by_id = {str(period.pk): period for period in periods}
    if chosen in by_id:
        return by_id[chosen], periods
    return current_period(periods), periods


def public_period(request, periods: list[Period]) -> Period:
    """Among ``periods`` (every period, newest first: one per year, read once for the page and
    its list of years), the year asked for in ``?tahun=``, else the current one
    (``current_period``). An unknown year, or no period at all, is 404."""
    asked = request.GET.get("tahun", "")
    if asked:
        if not asked.isdecimal():
            raise Http404
        found = [period for period in periods if period.year == int(asked)]
    else:
        found = [current_period(periods)] if periods else []
    if not found:
        raise Http404
    return found[0]
