"""Audit reads: NIK reveals, exports and an account's reach, each cut to what the reader may see.

Officers read the events of their own kelurahan (reveals of its residents, exports of it); admins
and city viewers read everything.
"""

import datetime

from django.db.models import Q, QuerySet

from rtkeren import scopes
from rtkeren.models import ExportAudit, Kelurahan, NikReveal, Resident, Role, User
from rtkeren.selectors.activities import home_kelurahan_ids


def _kelurahan_filter(user: User, lookup: str) -> Q | None:
    """None: the whole city. Otherwise ``lookup`` within the user's kelurahan as an officer."""
    if scopes.sees_whole_city(user):
        return None
    return Q(**{f"{lookup}__in": scopes.kelurahan_ids(user, Role.OFFICER)})


def _scoped(queryset: QuerySet, user: User, lookup: str) -> QuerySet:
    condition = _kelurahan_filter(user, lookup)
    return queryset if condition is None else queryset.filter(condition)


def _in_period(queryset: QuerySet, since: datetime.date | None, until: datetime.date | None):
    if since:
        queryset = queryset.filter(at__date__gte=since)
    if until:
        queryset = queryset.filter(at__date__lte=until)
    return queryset


def _person_matches(lookup: str, text: str) -> Q:
    """An account by its exact username or a part of its name."""
    condition = Q(**{f"{lookup}__username__iexact": text})
    for part in text.split():
        condition |= Q(**{f"{lookup}__first_name__icontains": part}) | Q(
            **{f"{lookup}__last_name__icontains": part}
        )
    return condition


def audit_kelurahan_for(user: User) -> QuerySet:
    """The kelurahan whose events the user may read (the choices of the filter)."""
    return _scoped(Kelurahan.objects.order_by("name"), user, "pk")


def nik_reveal_list(
    *,
    user: User,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    officer: str = "",
    resident_name: str = "",
    kelurahan: Kelurahan | None = None,
) -> QuerySet:
    queryset = _scoped(NikReveal.objects.all(), user, "resident__rt__rw__kelurahan")
    queryset = _in_period(queryset, since, until)
    if officer.strip():
        queryset = queryset.filter(_person_matches("officer", officer.strip()))
    if resident_name.strip():
        queryset = queryset.filter(resident__name__icontains=resident_name.strip())
    if kelurahan:
        queryset = queryset.filter(resident__rt__rw__kelurahan=kelurahan)
    return queryset.select_related("officer", "resident__rt__rw__kelurahan").order_by("-at", "-pk")


def export_audit_list(
    *,
    user: User,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    account: str = "",
    export: str = "",
    kelurahan: Kelurahan | None = None,
) -> QuerySet:
    queryset = _scoped(ExportAudit.objects.all(), user, "kelurahan")
    queryset = _in_period(queryset, since, until)
    if account.strip():
        queryset = queryset.filter(_person_matches("user", account.strip()))
    if export:
        queryset = queryset.filter(export=export)
    if kelurahan:
        queryset = queryset.filter(kelurahan=kelurahan)
    return queryset.select_related("user", "kelurahan").order_by("-at", "-pk")


def account_kelurahan_ids(account: User) -> set[int] | None:
    """The kelurahan an account's current roles and own resident record sit in; None when a
    role reaches the whole city."""
    assignments = scopes.current_assignments(account)
    if scopes.sees_whole_city(account) or any(a.kota_id for a in assignments):
        return None
    found = home_kelurahan_ids(account)
    found.update(
        Resident.objects.filter(user=account).values_list("rt__rw__kelurahan_id", flat=True)
    )
    return found


def breach_reach(account: User) -> QuerySet:
    """Every resident whose personal data ``account`` could read: the residents its staff roles
    list, and its own resident record."""
    condition = scopes.resident_filter(account)
    if condition is None:
        queryset = Resident.objects.all()
    else:
        queryset = Resident.objects.filter(condition | Q(user=account))
    return queryset.with_places().order_by("rt__rw__kelurahan__name", "name", "pk")
