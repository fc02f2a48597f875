"""The ledger rows co-commissioning's records call for (see ``rtkeren.services.ledger_sync``)."""

from collections.abc import Iterator

from django.utils import timezone

from rtkeren.services.ledger_sync import ExpectedParticipation

from .models import Attendance, Endorsement, Forum, Potential
from .services import KIND_FORUM_ATTENDED, KIND_POTENTIAL_ENDORSED, KIND_POTENTIAL_RECORDED


def expected_rows() -> Iterator[ExpectedParticipation]:
    """A potential's author and each endorser took part on the day they did it; whoever was at
    a forum took part on its day, in person. Merged and archived potentials and cancelled forums
    keep what was done, as the services do."""
    authored = Potential.objects.filter(author_resident__isnull=False).values_list(
        "pk", "author_resident_id", "created_at"
    )
    for potential_id, resident_id, created_at in authored.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_POTENTIAL_RECORDED,
            subject_model=Potential,
            subject_id=potential_id,
            occurred_on=timezone.localdate(created_at),
        )
    endorsed = Endorsement.objects.values_list("potential_id", "resident_id", "created_at")
    for potential_id, resident_id, created_at in endorsed.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_POTENTIAL_ENDORSED,
            subject_model=Potential,
            subject_id=potential_id,
            occurred_on=timezone.localdate(created_at),
        )
    attended = Attendance.objects.filter(resident__isnull=False).values_list(
        "forum_id", "resident_id", "forum__date"
    )
    for forum_id, resident_id, day in attended.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_FORUM_ATTENDED,
            subject_model=Forum,
            subject_id=forum_id,
            occurred_on=day,
        )
