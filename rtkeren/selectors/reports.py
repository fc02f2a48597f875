"""What the printable reports of every stage read: the RTs a user may report on, and the period
a report is about."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from rtkeren import scopes
from rtkeren.models import RT, Period, Role


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
    """The period asked for in ``?period=``, else today's, else the latest; and all periods."""
    periods = list(Period.objects.order_by("-year"))
    chosen = request.GET.get("period", "")
    by_id = {str(period.pk): period for period in periods}
    if chosen in by_id:
        return by_id[chosen], periods
    today = timezone.localdate()
    current = next((p for p in periods if p.starts_on <= today <= p.ends_on), None)
    return current or (periods[0] if periods else None), periods
