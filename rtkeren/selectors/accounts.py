"""Reads for accounts: registrations waiting for a decision, and residents a chair can help."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from rtkeren import scopes
from rtkeren.models import Resident, Role, RoleAssignment, User


def residents_decided_by(user: User) -> QuerySet:
    """Residents whose registration ``user`` decides: RT chairs their RT, officers their
    kelurahan (the scope of ``rtkeren.verify_resident``)."""
    condition = Q(pk__in=[])
    rts = scopes.rt_ids(user, Role.RT_CHAIR)
    if rts:
        condition |= Q(rt__in=rts)
    kelurahan = scopes.kelurahan_ids(user, Role.OFFICER)
    if kelurahan:
        condition |= Q(rt__rw__kelurahan__in=kelurahan)
    return Resident.objects.filter(condition)


def awaiting_verification(user: User) -> QuerySet:
    """Pending residents, and register entries claimed by an account that has not been confirmed
    yet, oldest registration first. ``nik_taken`` flags a NIK that a verified resident holds."""
    confirmed = RoleAssignment.objects.current().filter(
        user=OuterRef("user"), role=Role.RESIDENT, rt=OuterRef("rt")
    )
    verified_twin = (
        Resident.objects.verified()
        .filter(nik_digest=OuterRef("nik_digest"))
        .exclude(pk=OuterRef("pk"))
    )
    return (
        residents_decided_by(user)
        .filter(
            Q(verification=Resident.Verification.PENDING)
            | (
                Q(verification=Resident.Verification.VERIFIED, user__isnull=False)
                & ~Exists(confirmed)
            )
        )
        .annotate(nik_taken=Exists(verified_twin))
        .with_places()
        .select_related("user")
        .order_by(Coalesce("user__date_joined", "created_at"), "pk")
    )


def password_code_candidates(user: User, query: str = "") -> QuerySet:
    """Verified residents with a working account whom ``user`` may give a one-time code."""
    queryset = (
        residents_decided_by(user)
        .verified()
        .filter(user__isnull=False, user__is_active=True)
        .with_places()
        .select_related("user")
        .order_by("name", "pk")
    )
    query = " ".join((query or "").split())
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(user__username__iexact=query))
    return queryset


def role_holders(role: str, **scope) -> list[User]:
    """The users holding ``role`` today in the given scope (``rt_id=...``, ``kelurahan_id=...``)."""
    return list(
        User.objects.filter(
            pk__in=RoleAssignment.objects.current(timezone.localdate())
            .filter(role=role, **scope)
            .values("user")
        )
    )
