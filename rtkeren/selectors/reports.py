"""What the printable reports of every stage read: the RTs a user may report on, and the period
a report is about."""

from django.db.models import Q, QuerySet

from rtkeren import scopes
from rtkeren.models import RT, Period, Role
from rtkeren.models.periods import current_period


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


def chosen_period(request) -> tuple[Period | None, list[Period]]:
    """The period asked for in ``?period=``, else the current one (``current_period``); and all
    periods."""
    periods = list(Period.objects.order_by("-year"))
    chosen = request.GET.get("period", "")
    by_id = {str(period.pk): period for period in periods}
    if chosen in by_id:
        return by_id[chosen], periods
    return current_period(periods), periods
