"""The ledger rows the core's own records call for (see ``rtkeren.services.ledger_sync``)."""

from collections.abc import Iterator

from django.db.models import Min
from django.utils import timezone

from rtkeren.models import Activity, ActivityStatus, ActivityTransition, Resident
from rtkeren.services.activities import KIND_ACTIVITY_PROPOSED
from rtkeren.services.ledger_sync import ExpectedParticipation


def account_residents() -> dict[int, int]:
    """The verified register entry linked to each account: whom an account's writing is
    counted for. The ledger wrote the entry the account was confirmed as at the time; this
    assumes the account still has that entry linked, whatever its status now."""
    return dict(
        Resident.objects.filter(
            user__isnull=False, verification=Resident.Verification.VERIFIED
        ).values_list("user_id", "pk")
    )


def expected_rows() -> Iterator[ExpectedParticipation]:
    """The author of an activity proposed it on the day it first went to "proposed"; sending it
    back to draft, rejecting or cancelling it keeps the row, as the transition service does."""
    residents = account_residents()
    proposed = (
        ActivityTransition.objects.filter(to_status=ActivityStatus.PROPOSED)
        .values("activity_id", "activity__author_id")
        .annotate(first=Min("at"))
        .values_list("activity_id", "activity__author_id", "first")
    )
    for activity_id, author_id, first in proposed.iterator():
        if author_id in residents:
            yield ExpectedParticipation(
                resident_id=residents[author_id],
                kind=KIND_ACTIVITY_PROPOSED,
                subject_model=Activity,
                subject_id=activity_id,
                activity_id=activity_id,
                occurred_on=timezone.localdate(first),
            )
