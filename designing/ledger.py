"""The ledger rows co-designing's records call for (see ``rtkeren.services.ledger_sync``)."""

from collections.abc import Iterator

from django.db.models import Min
from django.utils import timezone

from rtkeren.models import Activity
from rtkeren.services.ledger_sync import ExpectedParticipation

from .models import Comment, VotingRound
from .services import KIND_COMMENTED, KIND_VOTED


def expected_rows() -> Iterator[ExpectedParticipation]:
    """One row per resident and activity they commented on as (``Comment.resident``: the entry
    the author acted as when writing), from their first comment still shown: a hidden comment
    does not count (moderation hides abuse or spam, which is no taking part), so a resident
    whose every comment there is hidden has no row, and one with another comment shown is
    dated by it; restoring a comment counts it again on the day it was
    written, as ``comment_hide`` and ``comment_restore`` do. Cancelling the activity keeps every
    row (they took part before it was cancelled). One row per resident and voting round
    while they hold a vote in it, from the earliest vote they still hold (the ballot stays
    secret: the row names the round). Withdrawing the earliest of two votes cast on different
    days leaves the service's row on the first day: only that date would then differ."""
    commented = (
        Comment.objects.visible()
        .filter(resident__isnull=False)
        .values("activity_id", "resident_id")
        .annotate(first=Min("created_at"))
        .values_list("activity_id", "resident_id", "first")
    )
    for activity_id, resident_id, first in commented.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_COMMENTED,
            subject_model=Activity,
            subject_id=activity_id,
            activity_id=activity_id,
            occurred_on=timezone.localdate(first),
        )
    voted = (
        VotingRound.objects.filter(votes__isnull=False)
        .values("pk", "votes__resident_id", "period_id")
        .annotate(first=Min("votes__created_at"))
        .values_list("pk", "votes__resident_id", "period_id", "first")
    )
    for round_id, resident_id, period_id, first in voted.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_VOTED,
            subject_model=VotingRound,
            subject_id=round_id,
            period_id=period_id,
            occurred_on=timezone.localdate(first),
        )
