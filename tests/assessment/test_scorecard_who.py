"""Who took part: residents on their own account or through records made on their behalf, and
which side evaluated when co-assessment falls short."""

import factory
import pytest
from django.urls import reverse
from django.utils import translation

from assessment import scorecard
from assessment.models import Side
from assessment.scorecard import Scope
from rtkeren.models import Stage
from rtkeren.services.ledger import participation_record
from tests import factories as core

from .factories import EvaluationFactory, delivered_activity

pytestmark = pytest.mark.django_db


def _adults(rt, count):
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=80)
    return [core.ResidentFactory(rt=rt, birth_date=birth_date) for _ in range(count)]


def _attend(resident, activity, *, on_behalf, kind="attended"):
    return participation_record(
        resident=resident,
        kind=kind,
        subject=activity,
        activity=activity,
        on_behalf=on_behalf,
    )


@pytest.fixture
def delivery_mix(rt, period, officer):
    """Five attendees: two on their own account, two only through the chair's records, one
    both (own check-in at one meeting, recorded by the chair at the other)."""
    residents = _adults(rt, 10)
    first = delivered_activity(by=officer, rt=rt, period=period)
    second = delivered_activity(by=officer, rt=rt, period=period)
    for resident in residents[:2]:
        _attend(resident, first, on_behalf=False)
    for resident in residents[2:4]:
        _attend(resident, first, on_behalf=True)
    _attend(residents[4], first, on_behalf=True)
    _attend(residents[4], second, on_behalf=False)
    return residents


def test_each_stage_counts_own_and_on_behalf_participants(rt, other_rt, period, delivery_mix):
    card = scorecard.scorecard(scope=Scope(rt=rt), period=period)
    delivery = card.result(Stage.DELIVERY)

    assert (delivery.participants, delivery.own, delivery.on_behalf) == (5, 3, 2)
    assert card.result(Stage.DESIGNING).own == 0

    compared = scorecard.compare_rts(kelurahan=rt.rw.kelurahan, period=period)
    assert {c.scope_name: c.result(Stage.DELIVERY).on_behalf for c in compared} == {
        str(rt): 2,
        str(other_rt): 0,
    }
    (across,) = scorecard.across_periods(scope=Scope(rt=rt), periods=[period])
    assert (across.result(Stage.DELIVERY).own, across.result(Stage.DELIVERY).on_behalf) == (3, 2)
    (kelurahan,) = [
        c for c in scorecard.compare_kelurahan(period=period) if c.key[1].pk == rt.rw.kelurahan_id
    ]
    assert kelurahan.result(Stage.DELIVERY).on_behalf == 2


def test_the_page_says_how_many_were_recorded_on_behalf(
    client, officer, kelurahan, rt, period, delivery_mix
):
    client.force_login(officer)
    card = client.get(reverse("assessment:scorecard-rt", args=[rt.pk])).content.decode()
    compared = client.get(
        reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]) + "?view=compare"
    ).content.decode()

    assert "5 warga · 2 dicatat oleh pengurus atas nama warga" in card
    assert "2 atas nama warga" in compared


def _evaluations(activity, *, community, government, on_behalf=0, rt):
    for index, resident in enumerate(_adults(rt, community)):
        if index < on_behalf:
            EvaluationFactory(
                activity=activity,
                evaluator=None,
                resident=resident,
                recorded_by=core.UserFactory(),
                on_behalf=True,
            )
        else:
            EvaluationFactory(activity=activity, resident=resident)
    for _ in range(government):
        EvaluationFactory(activity=activity, side=Side.GOVERNMENT)


def test_below_the_threshold_the_card_says_which_side_evaluated(rt, period, officer):
    _adults(rt, 40)
    activity = delivered_activity(by=officer, rt=rt, period=period)
    _evaluations(activity, community=2, government=12, on_behalf=1, rt=rt)

    card = scorecard.scorecard(scope=Scope(rt=rt), period=period)
    assert not card.result(Stage.ASSESSMENT).met
    assert card.community_on_behalf_evaluations == 1

    joined = " ".join(card.sentences)
    assert "hanya 2 dari 14 penilaian berasal dari warga" in joined
    assert "1 penilaian warga dicatat oleh ketua RT atau petugas atas nama warga" in joined
    assert "Hanya pihak pemerintah yang menilai" not in joined
    with translation.override("en"):
        english = " ".join(scorecard.describe(card))
    assert "only 2 of 14 evaluations came from residents" in english
    assert "1 of the residents' evaluations was recorded by an RT chair or officer" in english


def test_when_co_assessment_is_fulfilled_no_proportion_is_said(rt, period, officer):
    residents = _adults(rt, 10)
    activity = delivered_activity(by=officer, rt=rt, period=period)
    _evaluations(activity, community=2, government=12, rt=rt)
    for resident in residents[:2]:
        participation_record(
            resident=resident,
            kind="evaluation_submitted",
            subject=activity,
            activity=activity,
        )

    card = scorecard.scorecard(scope=Scope(rt=rt), period=period)

    assert card.result(Stage.ASSESSMENT).met
    assert not any("penilaian berasal dari warga" in s for s in card.sentences)


def test_only_government_keeps_the_studys_sentence(rt, period, officer):
    _adults(rt, 10)
    activity = delivered_activity(by=officer, rt=rt, period=period)
    _evaluations(activity, community=0, government=3, rt=rt)

    sentences = scorecard.scorecard(scope=Scope(rt=rt), period=period).sentences

    assert any("Hanya pihak pemerintah yang menilai" in s for s in sentences)
    assert not any("penilaian berasal dari warga" in s for s in sentences)
