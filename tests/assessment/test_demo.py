"""The demo data of the stage, on top of the core's and co-delivery's, whose training it
evaluates (seeded once for the module, rolled back at its end): both sides, divergences,
follow-ups in every status, a round with its forum."""

import io

import pytest
from django.db import transaction
from django.urls import reverse

from assessment import selectors
from assessment.demo import TITLE, seed_assessment
from assessment.models import Evaluation, EvaluationRound, FollowUp, Side
from delivery.demo import seed_delivery
from rtkeren.demo import seed_core
from rtkeren.models import Activity, Participation, Stage, User


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_core(stdout=io.StringIO())
        seed_delivery(stdout=io.StringIO())
        seed_assessment(stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_has_both_sides_divergences_and_every_follow_up_status(seeded):
    activity = Activity.objects.get(title=TITLE)
    summary = selectors.side_by_side(activity)

    assert summary.community_evaluators == 10
    assert summary.government_evaluators == 2
    assert summary.on_behalf == 9
    assert [row.criterion.code for row in summary.divergent] == [
        "kualitas-pelaksanaan",
        "luaran-produk",
        "komunikasi-pengurus",
    ]
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {"open", "in_progress", "done"}
    assert FollowUp.objects.overdue().count() == 1
    assert EvaluationRound.objects.get().attendances.count() == 12
    assert Participation.objects.filter(stage=Stage.DELIVERY, activity=activity).count() == 14
    assert not Evaluation.objects.filter(evaluator__username="warga").exists()


@pytest.mark.django_db
def test_running_the_demo_again_creates_nothing(seeded):
    before = (Evaluation.objects.count(), FollowUp.objects.count(), Participation.objects.count())

    assert seed_assessment(stdout=io.StringIO()) == "nothing new"

    after = (Evaluation.objects.count(), FollowUp.objects.count(), Participation.objects.count())
    assert after == before


@pytest.mark.django_db
def test_the_demo_resident_is_asked_to_evaluate(seeded, client):
    client.force_login(User.objects.get(username="warga"))
    activity = Activity.objects.get(title=TITLE)

    page = client.get(reverse("assessment:evaluation-summary", args=[activity.pk]))

    assert page.status_code == 200
    assert "Nilai kegiatan ini" in page.content.decode()
    assert Evaluation.objects.filter(side=Side.GOVERNMENT).count() == 2
