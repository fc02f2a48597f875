"""The ledger rows co-assessment's records call for (see ``rtkeren.services.ledger_sync``)."""

from collections.abc import Iterator

from django.utils import timezone

from rtkeren.services.ledger_sync import ExpectedParticipation

from .models import Evaluation, EvaluationRound, ForumAttendance, Side
from .services import KIND_EVALUATION_FORUM_ATTENDED, KIND_EVALUATION_SUBMITTED


def expected_rows() -> Iterator[ExpectedParticipation]:
    """Each community evaluation of a resident, on the day it was first submitted and marked
    on behalf when it was recorded so (the government side is no resident's participation);
    each resident at a round's evaluation forum, on the forum's day, in the round's period."""
    evaluations = Evaluation.objects.filter(
        side=Side.COMMUNITY, resident__isnull=False
    ).values_list("pk", "resident_id", "activity_id", "on_behalf", "created_at")
    for evaluation_id, resident_id, activity_id, on_behalf, created_at in evaluations.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_EVALUATION_SUBMITTED,
            subject_model=Evaluation,
            subject_id=evaluation_id,
            activity_id=activity_id,
            on_behalf=on_behalf,
            occurred_on=timezone.localdate(created_at),
        )
    attended = ForumAttendance.objects.values_list(
        "round_id", "resident_id", "round__period_id", "round__forum_on", "recorded_at"
    )
    for round_id, resident_id, period_id, forum_on, recorded_at in attended.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_EVALUATION_FORUM_ATTENDED,
            subject_model=EvaluationRound,
            subject_id=round_id,
            period_id=period_id,
            # A round without a forum date is written on the day the presence was recorded.
            occurred_on=forum_on or timezone.localdate(recorded_at),
        )
