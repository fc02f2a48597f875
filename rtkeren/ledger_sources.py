"""The ledger rows the core's own records call for (see ``rtkeren.services.ledger_sync``)."""

from collections.abc import Iterator

from django.db.models import Min
from django.utils import timezone

from rtkeren.models import Activity, ActivityStatus, ActivityTransition
from rtkeren.services.activities import KIND_ACTIVITY_PROPOSED
from rtkeren.services.ledger_sync import ExpectedParticipation


def expected_rows() -> Iterator[ExpectedParticipation]:
    """The resident an activity was first proposed as (``Activity.proposed_as``) proposed it on
    the day it first went to "proposed"; sending it back to draft, rejecting or cancelling it
    keeps the row, as the transition service does."""
    proposed = (
        ActivityTransition.objects.filter(
            to_status=ActivityStatus.PROPOSED, activity__proposed_as__isnull=False
        )
        .values("activity_id", "activity__proposed_as_id")
        .annotate(first=Min("at"))
        .values_list("activity_id", "activity__proposed_as_id", "first")
    )
    for activity_id, resident_id, first in proposed.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_ACTIVITY_PROPOSED,
            subject_model=Activity,
            subject_id=activity_id,
            activity_id=activity_id,
            occurred_on=timezone.localdate(first),
        )
