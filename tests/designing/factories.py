"""Factories of co-designing, on top of the core's."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from designing.models import Comment, Vote, VotingRound
from rtkeren.models import ActivityStatus
from tests import factories as core


def proposal(**fields):
    """A submitted proposal with one budget line (Rp700.000)."""
    fields.setdefault("status", ActivityStatus.PROPOSED)
    activity = core.ActivityFactory(**fields)
    core.BudgetLineFactory(activity=activity)
    return activity


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    activity = factory.LazyFunction(proposal)
    author = factory.SubFactory(core.UserFactory)
    body = factory.Sequence(lambda n: f"Komentar nomor {n}: usul yang bagus.")


class VotingRoundFactory(DjangoModelFactory):
    """An RT round, open since yesterday for a week, two votes per resident."""

    class Meta:
        model = VotingRound
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Pemilihan usulan {n}")
    rt = factory.SubFactory(core.RTFactory)
    kelurahan = factory.LazyAttribute(lambda o: o.rt.rw.kelurahan if o.rt else core.kelurahan())
    period = factory.SubFactory(core.PeriodFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    votes_per_resident = 2
    opened_by = factory.SubFactory(core.UserFactory)

    @factory.post_generation
    def proposals(obj, create, extracted, **kwargs):
        for activity in extracted or []:
            obj.proposals.add(activity)


class VoteFactory(DjangoModelFactory):
    class Meta:
        model = Vote

    round = factory.SubFactory(VotingRoundFactory)
    activity = factory.LazyFunction(proposal)
    resident = factory.SubFactory(core.ResidentFactory)


def closed(voting_round: VotingRound) -> VotingRound:
    """Move a round into the past (it closed an hour ago)."""
    now = timezone.now()
    VotingRound.objects.filter(pk=voting_round.pk).update(
        opens_at=now - datetime.timedelta(days=8), closes_at=now - datetime.timedelta(hours=1)
    )
    voting_round.refresh_from_db()
    return voting_round
