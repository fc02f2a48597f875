"""Factories of co-assessment, on top of the core's."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assessment.models import Criterion, Evaluation, EvaluationRound, FollowUp, Score, Side
from rtkeren.models import ActivityStatus, ActivityTransition
from rtkeren.services.ledger import participation_record
from tests import factories as core


def delivered_activity(*, by, days_ago: float = 2, **fields):
    """An activity delivered ``days_ago`` days ago, with its timeline entry."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    activity = core.ActivityFactory(status=ActivityStatus.DELIVERED, status_changed_at=at, **fields)
    ActivityTransition.objects.create(
        activity=activity,
        from_status=ActivityStatus.IN_DELIVERY,
        to_status=ActivityStatus.DELIVERED,
        by=by,
        at=at,
    )
    return activity


def take_part(resident, activity, kind: str = "attended"):
    """What the delivery app writes for an attendee or implementer of the activity."""
    return participation_record(resident=resident, kind=kind, subject=activity, activity=activity)


def all_scores(value: int) -> dict[int, int]:
    return {criterion.pk: value for criterion in Criterion.objects.active()}


def score_data(value, **extra) -> dict:
    """A POST of the evaluation form giving every criterion ``value``."""
    return {
        **{f"score_{criterion.pk}": value for criterion in Criterion.objects.active()},
        "obstacles": "",
        "suggestions": "",
        **extra,
    }


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation
        skip_postgeneration_save = True

    side = Side.COMMUNITY
    evaluator = factory.SubFactory(core.UserFactory)
    recorded_by = factory.LazyAttribute(lambda o: o.evaluator)
    obstacles = "Bahan kain kurang."
    suggestions = "Tambah pertemuan."

    @factory.post_generation
    def scores(obj, create, extracted, **kwargs):
        values = extracted if extracted is not None else {}
        for criterion in Criterion.objects.active():
            Score.objects.create(
                evaluation=obj, criterion=criterion, value=values.get(criterion.code, 4)
            )


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = FollowUp

    obstacle = "Pelatih sering terlambat."
    action = "Menjadwalkan ulang pelatih dengan kontrak tertulis."
    owner = factory.SubFactory(core.UserFactory)
    created_by = factory.LazyAttribute(lambda o: o.owner)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class EvaluationRoundFactory(DjangoModelFactory):
    class Meta:
        model = EvaluationRound

    title = factory.Sequence(lambda n: f"Evaluasi triwulan {n}")
    period = factory.SubFactory(core.PeriodFactory)
    covers_from = factory.LazyAttribute(lambda o: o.period.starts_on)
    covers_until = factory.LazyAttribute(lambda o: o.period.ends_on)
    opened_by = factory.SubFactory(core.UserFactory)
