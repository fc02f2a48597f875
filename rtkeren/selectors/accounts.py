"""Reads for accounts: registrations waiting for a decision, and residents a chair can help."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from rtkeren import scopes
from rtkeren.models import CalendarFeed, Resident, Role, RoleAssignment, User
from rtkeren.prepared import Prepared, id_value


def residents_decided_by(user: User) -> QuerySet:
    """Residents whose registration ``user`` decides: RT chairs their RT, officers their
    kelurahan (the scope of ``rtkeren.verify_resident``)."""
    return _decided_by(_deciders(user))


def _deciders(user: User) -> dict:
    """What ``_decided_by`` reads of ``user``, as prepared values."""
    return {
        "chaired": id_value(scopes.rt_ids(user, Role.RT_CHAIR)),
        "official": id_value(scopes.kelurahan_ids(user, Role.OFFICER)),
    }


def _decided_by(values: dict) -> QuerySet:
    condition = Q(pk__in=[])
    if values["chaired"]:
        condition |= Q(rt__in=values["chaired"])
    if values["official"]:
        condition |= Q(rt__rw__kelurahan__in=values["official"])
    return Resident.objects.filter(condition)


def awaiting_verification(user: User) -> QuerySet:
    """Pending residents, and register entries claimed by an account that has not been confirmed
    yet, oldest registration first. ``nik_taken`` flags a NIK that a verified resident holds;
    ``phone_shared`` a phone given at registration that another account uses."""
    return awaiting_verification_list(user).queryset()


def awaiting_verification_list(user: User) -> Prepared:
    """``awaiting_verification``, built and compiled once per shape (``rtkeren.prepared``)."""
    return Prepared(Resident, _awaiting_verification, (), _deciders(user))


def _awaiting_verification(shape: tuple, values: dict) -> QuerySet:
    confirmed = RoleAssignment.objects.current().filter(
        user=OuterRef("user"), role=Role.RESIDENT, rt=OuterRef("rt")
    )
    verified_twin = (
        Resident.objects.verified()
        .filter(nik_digest=OuterRef("nik_digest"))
        .exclude(pk=OuterRef("pk"))
    )
    phone_of_another_account = (
        Resident.objects.filter(phone=OuterRef("registration_phone"), user__isnull=False)
        .exclude(phone="")
        .exclude(pk=OuterRef("pk"))
    )
    return (
        _decided_by(values)
        .filter(
            Q(verification=Resident.Verification.PENDING)
            | (
                # A resident who moved away or died is not confirmed again: only one who
                # moved in from another RT, or whose entry an account claimed.
                Q(
                    verification=Resident.Verification.VERIFIED,
                    user__isnull=False,
                    status=Resident.Status.ACTIVE,
                )
                & ~Exists(confirmed)
            )
        )
        .annotate(nik_taken=Exists(verified_twin), phone_shared=Exists(phone_of_another_account))
        .with_places()
        .select_related("user")
        .order_by(Coalesce("user__date_joined", "created_at"), "pk")
    )


def _roles_beyond_resident(account) -> QuerySet:
    """Role assignments of ``account`` other than resident that have not ended: held today or
    starting later."""
    return (
        RoleAssignment.objects.filter(user=account)
        .exclude(role=Role.RESIDENT)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))
    )


def code_eligible_accounts() -> QuerySet:
    """Accounts a one-time code may reset: active, neither staff nor superuser, holding no role
    but resident. A code handed over in person must never open a chair's, an officer's or an
    admin's account; those reset by e-mail or through an administrator."""
    return User.objects.filter(is_active=True, is_staff=False, is_superuser=False).exclude(
        Exists(_roles_beyond_resident(OuterRef("pk")))
    )


def password_code_residents(user: User) -> QuerySet:
    """Verified residents with a working account in ``user``'s scope, whatever roles the
    account holds (the service says why a code is refused)."""
    return (
        residents_decided_by(user)
        .verified()
        .filter(user__isnull=False, user__is_active=True)
        .with_places()
        .select_related("user")
        .order_by("name", "pk")
    )


def password_code_candidates(user: User, query: str = "") -> QuerySet:
    """The residents ``user`` may give a one-time code: those of ``password_code_residents``
    whose account holds no role but resident."""
    queryset = password_code_residents(user).filter(user__in=code_eligible_accounts())
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


def calendar_feed_url(user: User) -> str:
    """The address of ``user``'s calendar feed, in full, or "" while they have none."""
    token = CalendarFeed.objects.active().filter(user=user).values_list("token", flat=True).first()
    if token is None:
        return ""
    return settings.PORTAL_URL + reverse("calendar-feed", kwargs={"token": token})
