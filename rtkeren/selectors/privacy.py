"""Reads for Data Saya and the kelurahan's list of deletion requests."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from rtkeren import scopes
from rtkeren.models import (
    Consent,
    DeletionRequest,
    Notification,
    Participation,
    Resident,
    ResidentInterest,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.registry import participation_subjects
from rtkeren.selectors.residents import own_entry


def consent_in_force(purpose: str, resident_ref: str = "resident") -> Exists:
    """Whether the resident at ``resident_ref`` of the outer query has ``purpose`` in force."""
    return Exists(
        Consent.objects.in_force().filter(purpose=purpose, resident=OuterRef(resident_ref))
    )


@dataclass
class ConsentState:
    purpose: str
    label: str
    text: str
    current: Consent | None
    #: Data held without a consent record (an imported phone number) still counts as given, so
    #: the resident can withdraw it.
    in_force: bool


def _confirmed_own_entry(user: User) -> QuerySet:
    return Resident.objects.filter(own_entry(user))


def has_own_data(user: User) -> bool:
    return _confirmed_own_entry(user).exists()


def own_resident(user: User) -> Resident | None:
    """The user's own register entry (see ``own_entry``) with everything Data Saya shows, in a fixed
    number of queries."""
    return (
        _confirmed_own_entry(user)
        .with_places()
        .prefetch_related(
            Prefetch(
                "interest_links",
                queryset=ResidentInterest.objects.select_related("interest").order_by(
                    "kind", "interest__name"
                ),
            ),
            Prefetch(
                "consents",
                queryset=Consent.objects.select_related("recorded_by", "withdrawn_by"),
            ),
            "deletion_requests",
        )
        .first()
    )


def consent_states(resident: Resident) -> list[ConsentState]:
    consents = list(resident.consents.all())
    held = {
        Consent.Purpose.RELIGION: bool(resident.religion),
        Consent.Purpose.PHONE: bool(resident.phone),
    }
    states = []
    for purpose in Consent.Purpose:
        current = next(
            (c for c in consents if c.purpose == purpose and c.withdrawn_at is None), None
        )
        states.append(
            ConsentState(
                purpose=purpose.value,
                label=purpose.label,
                text=str(Consent.TEXTS[purpose]),
                current=current,
                in_force=current is not None or held.get(purpose, False),
            )
        )
    return states


def own_participations(resident: Resident) -> QuerySet:
    return Participation.objects.filter(resident=resident).select_related(
        "activity", "content_type"
    )


def named_participations(rows: Iterable[Participation]) -> list[Participation]:
    """``rows`` (from ``own_participations``), each with ``subject_name``: the potential, forum
    or round it is about as its app names it, else its activity's title, else "". One query per
    kind of record named, whatever the number of rows."""
    rows = list(rows)
    names = participation_subjects.names(rows)
    for row in rows:
        name = names.get((row.content_type_id, row.object_id))
        if name is None and row.activity is not None:
            name = row.activity.title
        row.subject_name = name or ""
    return rows


def own_notification_count(user: User) -> int:
    return Notification.objects.filter(recipient=user).count()


def own_role_assignments(user: User) -> QuerySet:
    return RoleAssignment.objects.filter(user=user).select_related(
        "kota", "kelurahan", "rw__kelurahan", "rt__rw__kelurahan", "community"
    )


def deletion_requests_for(user: User) -> QuerySet:
    """Requests from residents of the kelurahan(s) where the user is an officer."""
    return (
        DeletionRequest.objects.filter(
            resident__rt__rw__kelurahan_id__in=scopes.kelurahan_ids(user, Role.OFFICER)
        )
        .select_related("resident__rt__rw__kelurahan", "completed_by")
        .order_by("status", "-requested_at", "-pk")
    )
