"""Resident reads: each starts from what the user may see, with the joins a page needs."""

import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rtkeren import nik as nik_codec
from rtkeren import scopes
from rtkeren.models import RT, Resident, ResidentInterest, Role, RoleAssignment, User
from rtkeren.scopecache import cached_for_person, read_ahead_of

_LOOKS_LIKE_NIK = re.compile(r"[0-9]{16}")


def looks_like_nik(text: str) -> bool:
    return bool(_LOOKS_LIKE_NIK.fullmatch(nik_codec.normalize_nik(text)))


def resident_list(
    *,
    user: User,
    rt: RT | int | None = None,
    verification: str = "",
    status: str = "",
    name: str = "",
    nik: str = "",
) -> QuerySet:
    """The residents a staff member may list, filtered, with their places joined. ``nik`` finds
    an exact NIK through the keyed hash (the table is never decrypted to search it): for an
    officer only among the residents whose NIK they may reveal, since a match would otherwise
    tell the NIK of a resident they may only list; for the administrator in the whole register,
    as its admin search does (see ``rtkeren.search_nik``)."""
    queryset = scopes.residents_visible_to(user).with_places()
    if nik:
        queryset = queryset.with_nik(nik)
        if not scopes.is_admin(user):
            queryset = queryset.filter(
                rt__rw__kelurahan__in=scopes.kelurahan_ids(user, Role.OFFICER)
            )
    if rt:
        queryset = queryset.filter(rt=rt)
    if verification:
        queryset = queryset.filter(verification=verification)
    if status:
        queryset = queryset.filter(status=status)
    if name.strip():
        queryset = queryset.filter(name__icontains=name.strip())
    return queryset.order_by("name", "pk")


def resident_rts_for(user: User) -> QuerySet:
    """The RTs whose residents the user may list (the choices of a filter)."""
    queryset = RT.objects.with_places()
    if scopes.sees_whole_city(user):
        return queryset
    condition = Q(pk__in=[])
    kelurahan = scopes.official_kelurahan_ids(user)
    if kelurahan:
        condition |= Q(rw__kelurahan__in=kelurahan)
    rws = scopes.rw_ids(user, Role.RW_CHAIR)
    if rws:
        condition |= Q(rw__in=rws)
    rts = scopes.rt_ids(user, Role.RT_CHAIR)
    if rts:
        condition |= Q(pk__in=rts)
    return queryset.filter(condition)


def own_entry(user: User) -> Q:
    """The register entry the user is confirmed as: linked to the account, verified, and in an
    RT the user holds the resident role for. That role comes only from the RT chair or an officer
    (verifying the registration, or entering the person), so an account that merely claimed an
    entry by NIK, name and birth date, or that waits with an entry it typed itself, has none:
    it may be someone else, and both kinds of waiting account must look alike, or the portal
    would tell a stranger which NIK, name and birth date are in the register."""
    return Q(
        user=user,
        verification=Resident.Verification.VERIFIED,
        rt__in=scopes.rt_ids(user, Role.RESIDENT),
    )


def is_confirmed_as(user: User, resident: Resident) -> bool:
    """``resident`` is the entry ``user`` is confirmed as (``own_entry``, for one object)."""
    return (
        user.is_authenticated
        and resident.user_id == user.pk
        and resident.verification == Resident.Verification.VERIFIED
        and resident.rt_id in scopes.rt_ids(user, Role.RESIDENT)
    )


#: The name ``acting_resident`` caches a person's entry under.
ACTING_RESIDENT_ENTRY = "acting-resident"


def acting_resident(user: User) -> Resident | None:
    """The resident ``user`` may act as (check in, vote, evaluate, endorse, record, comment,
    propose...): their confirmed entry (``own_entry``) while it is active. Read once per user
    object, i.e. per request, with its RT and RW joined."""
    if not user or not user.is_authenticated:
        return None
    try:
        return getattr(user, scopes.ACTING_RESIDENT_ATTRIBUTE)
    except AttributeError:
        pass
    rts = scopes.rt_ids(user, Role.RESIDENT)
    resident = None
    if rts:
        entry = cached_for_person(
            user.pk,
            ACTING_RESIDENT_ENTRY,
            partial(_linked_entry, user.pk),
            ahead=read_ahead_of(user),
        )
        # The RT is checked against today's assignments, not cached with the entry: a resident
        # role that ended yesterday ends the acting today.
        if entry is not None and entry.rt_id in rts:
            resident = entry
    setattr(user, scopes.ACTING_RESIDENT_ATTRIBUTE, resident)
    return resident


#: Never copied into the cache with the acting resident; read from the database when asked.
_NOT_CACHED = ("nik_ciphertext", "nik_digest", "kk_number", "religion", "religion_consent_at")


def _linked_entry(user_id: int) -> Resident | None:
    """The active, verified entry linked to the account ``user_id`` (at most one), with its RT
    and RW: what ``acting_resident`` shares across the person's requests. Every save or delete
    of an entry renews its account's version (``rtkeren.signals``)."""
    entries = (
        Resident.objects.active()
        .verified()
        .filter(user_id=user_id)
        .select_related("rt__rw")
        .defer(*_NOT_CACHED)
        .order_by()
    )
    return next(iter(entries[:1]), None)


def confirmed_accounts(residents: QuerySet) -> QuerySet:
    """The active accounts confirmed as one of ``residents`` (see ``own_entry``): whom what is
    said to those residents reaches. A claimant waiting for the RT chair hears nothing of the
    entry it claimed."""
    confirmed = RoleAssignment.objects.current(timezone.localdate()).filter(
        user=OuterRef("user"), role=Role.RESIDENT, rt=OuterRef("rt")
    )
    entries = residents.filter(
        Exists(confirmed), verification=Resident.Verification.VERIFIED, user__isnull=False
    )
    return User.objects.filter(pk__in=entries.values("user"), is_active=True)


def awaits_confirmation(user: User) -> bool:
    """The account has an entry in the register that it is not confirmed as yet: one it typed
    in itself, or one it claimed. The two are told the same thing."""
    if not user or not user.is_authenticated:
        return False
    return Resident.objects.filter(user=user).exclude(own_entry(user)).exists()


def resident_detail_queryset(user: User) -> QuerySet:
    """Residents whose page the user may open: staff of their scope, and the resident themself."""
    condition = scopes.resident_filter(user)
    own = own_entry(user) if user.is_authenticated else Q(pk__in=[])
    queryset = (
        Resident.objects.all() if condition is None else Resident.objects.filter(condition | own)
    )
    return (
        queryset.with_places()
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "interest_links",
                queryset=ResidentInterest.objects.select_related("interest").order_by(
                    "kind", "interest__name"
                ),
            )
        )
    )


# History.

#: Fields shown in a resident's history, in the order of the form. The encrypted NIK is not
#: recorded; its keyed hash tells that the NIK changed, and no digit of it is ever shown.
HISTORY_FIELDS = (
    "name",
    "nik_digest",
    "kk_number",
    "sex",
    "birth_date",
    "rt",
    "address",
    "phone",
    "occupation",
    "status",
    "religion",
    "verification",
    "verified_by",
    "rejection_reason",
    "user",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    record: Any
    changes: list[FieldChange]


#: Numbers the history says were recorded or replaced, without a digit of them.
_NUMBERS = {
    "nik_digest": (_("NIK recorded"), _("previous NIK"), _("new NIK")),
    "kk_number": (
        _("Family card number recorded"),
        _("previous family card number"),
        _("new family card number"),
    ),
}
_HIDDEN = "•••"


def _display(field: str, value, names: dict, *, show_birth_date: bool) -> Any:
    if value in (None, ""):
        return ""
    if field in _NUMBERS:
        return _NUMBERS[field][0]
    if field == "religion" or (field == "birth_date" and not show_birth_date):
        # Religion appears only in aggregates, and a birth date only to those who may see it:
        # the history says that it changed, not to what.
        return _HIDDEN
    if field in ("rt", "verified_by", "user"):
        return names.get((field, value), value)
    model_field = Resident._meta.get_field(field)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    return value


def _number_change(field: str, old, new) -> tuple[str, str]:
    recorded, previous, replacement = _NUMBERS[field]
    if old in (None, ""):
        return "", recorded
    if new in (None, ""):
        return recorded, ""
    return previous, replacement


def resident_history(
    *, records: list, base=None, show_birth_date: bool = False
) -> list[HistoryEntry]:
    """What changed in each of ``records`` (newest first). ``base`` is the record just before the
    oldest one, if any (the previous page's last diff needs it). Two queries, whatever the number
    of records."""
    everything = [*records, base] if base is not None else list(records)
    rt_ids = {r.rt_id for r in everything if r.rt_id}
    user_ids = {r.verified_by_id for r in everything if r.verified_by_id} | {
        r.user_id for r in everything if r.user_id
    }
    names: dict = {}
    if rt_ids:
        for rt in RT.objects.with_places().filter(pk__in=rt_ids):
            names[("rt", rt.pk)] = rt.full_name
    if user_ids:
        for account in User.objects.filter(pk__in=user_ids):
            names[("verified_by", account.pk)] = names[("user", account.pk)] = str(account)

    entries = []
    for newer, older in zip(records, [*records[1:], base], strict=True):
        changes = []
        for field in HISTORY_FIELDS:
            attname = Resident._meta.get_field(field).attname
            new_value = getattr(newer, attname)
            old_value = getattr(older, attname) if older is not None else None
            if older is not None and new_value == old_value:
                continue
            if older is None and new_value in (None, ""):
                continue
            if field == "nik_digest" and older is not None and not old_value:
                # Records from before the history kept the hash: not a change.
                continue
            if field in _NUMBERS:
                old_shown, new_shown = _number_change(field, old_value, new_value)
            else:
                old_shown = _display(field, old_value, names, show_birth_date=show_birth_date)
                new_shown = _display(field, new_value, names, show_birth_date=show_birth_date)
            changes.append(
                FieldChange(
                    field=field,
                    label=str(
                        _("NIK")
                        if field == "nik_digest"
                        else Resident._meta.get_field(field).verbose_name
                    ),
                    old=old_shown,
                    new=new_shown,
                )
            )
        entries.append(HistoryEntry(record=newer, changes=changes))
    return entries


def resident_history_records(resident: Resident) -> QuerySet:
    return resident.history.select_related("history_user").order_by("-history_date", "-history_id")
