"""The ledger rows co-delivery's records call for (see ``rtkeren.services.ledger_sync``)."""

from collections.abc import Iterator

from django.utils import timezone

from rtkeren.services.ledger_sync import ExpectedParticipation

from .models import Attendance, Implementer
from .services import KIND_ATTENDED, KIND_IMPLEMENTED


def expected_rows() -> Iterator[ExpectedParticipation]:
    """Each implementer role from the day it was given, each attendance on its meeting's day
    (in person, whoever typed it in). A cancelled activity keeps its rows, as the services do."""
    implementers = Implementer.objects.values_list("pk", "resident_id", "activity_id", "created_at")
    for implementer_id, resident_id, activity_id, created_at in implementers.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_IMPLEMENTED,
            subject_model=Implementer,
            subject_id=implementer_id,
            activity_id=activity_id,
            occurred_on=timezone.localdate(created_at),
        )
    attendances = Attendance.objects.values_list(
        "pk", "resident_id", "meeting__activity_id", "meeting__date"
    )
    for attendance_id, resident_id, activity_id, day in attendances.iterator():
        yield ExpectedParticipation(
            resident_id=resident_id,
            kind=KIND_ATTENDED,
            subject_model=Attendance,
            subject_id=attendance_id,
            activity_id=activity_id,
            occurred_on=day,
        )
