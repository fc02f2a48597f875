"""An evaluation kept on a phone without a signal and sent later: applied once per key, through
the same service and checks as the form (window, who may evaluate, once per person), counted in
the ledger like one given on the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Criterion, Evaluation
from rtkeren.models import OfflineSubmission, Participation, Stage
from rtkeren.services.ledger import distinct_participants
from tests import factories as core
from tests.offline import send, submission

from .factories import EvaluationFactory, all_scores, score_data, take_part

pytestmark = pytest.mark.django_db


def _url(activity):
    return reverse("assessment:evaluation-submit", args=[activity.pk])


def _body(user, value=4, **fields):
    scores = {str(pk): v for pk, v in all_scores(value).items()}
    fields = {"obstacles": "Kain habis.", "suggestions": "", "evaluation": None, **fields}
    return submission(user, scores=scores, **fields)


def test_sent_twice_it_is_applied_once(client, participant, activity):
    client.force_login(participant)
    body = _body(participant)

    first = send(client, _url(activity), body)
    second = send(client, _url(activity), body)

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "applied"
    assert second.json() == {**first.json(), "repeated": True}
    evaluation = Evaluation.objects.get()
    assert evaluation.obstacles == "Kain habis."
    assert sorted(evaluation.scores.values_list("value", flat=True)) == [4] * 5
    assert OfflineSubmission.objects.get().subject == activity


def test_the_ledger_counts_it_as_one_given_on_the_page(
    client, participant, neighbour, activity, rt
):
    """One resident evaluates offline, another on the form: both count for co-assessment."""
    take_part(neighbour.resident, activity)
    client.force_login(participant)
    send(client, _url(activity), _body(participant))
    client.force_login(neighbour)
    client.post(reverse("assessment:evaluation-edit", args=[activity.pk]), score_data(3))

    rows = Participation.objects.filter(stage=Stage.ASSESSMENT)
    assert set(rows.values_list("resident", flat=True)) == {
        participant.resident.pk,
        neighbour.resident.pk,
    }
    assert not rows.filter(on_behalf=True).exists()
    assert distinct_participants(period=activity.period, stage=Stage.ASSESSMENT, rt=rt) == 2


def test_a_closed_window_is_a_conflict_with_its_message(client, resident_user, closed_activity):
    take_part(resident_user.resident, closed_activity)
    client.force_login(resident_user)
    body = _body(resident_user)

    response = send(client, _url(closed_activity), body)

    assert response.status_code == 409
    assert response.json()["status"] == "conflict"
    assert response.json()["retry"] is False
    assert "Masa penilaian kegiatan ini berakhir" in response.json()["message"]
    assert (
        send(client, _url(closed_activity), body).json()["message"] == (response.json()["message"])
    )
    assert not Evaluation.objects.exists()
    assert not Participation.objects.filter(stage=Stage.ASSESSMENT).exists()


def test_an_evaluation_given_meanwhile_is_a_conflict(client, participant, activity):
    """The person evaluated on another phone while this one waited for a signal."""
    client.force_login(participant)
    send(client, _url(activity), _body(participant, value=5))
    response = send(client, _url(activity), _body(participant, value=2))

    assert response.status_code == 409
    assert "sudah" in response.json()["message"], response.json()
    assert sorted(Evaluation.objects.get().scores.values_list("value", flat=True)) == [5] * 5


def test_a_change_to_the_own_evaluation_is_applied(client, participant, activity):
    client.force_login(participant)
    send(client, _url(activity), _body(participant, value=5))
    own = Evaluation.objects.get()

    response = send(client, _url(activity), _body(participant, value=2, evaluation=own.pk))

    assert response.status_code == 200
    assert sorted(own.scores.values_list("value", flat=True)) == [2] * 5


def test_a_change_to_someone_elses_evaluation_is_a_conflict(
    client, participant, neighbour, activity
):
    other = EvaluationFactory(activity=activity, evaluator=neighbour, resident=neighbour.resident)
    client.force_login(participant)
    response = send(client, _url(activity), _body(participant, value=1, evaluation=other.pk))
    assert response.status_code == 409
    assert sorted(other.scores.values_list("value", flat=True)) == [4] * 5


def test_someone_who_did_not_take_part_gets_the_pages_refusal(client, neighbour, activity):
    client.force_login(neighbour)
    response = send(client, _url(activity), _body(neighbour))
    assert response.status_code == 409
    assert response.json()["message"]
    assert not Evaluation.objects.exists()


def test_another_kelurahan_changing_the_id_is_refused(client, outsider, activity):
    client.force_login(outsider)
    response = send(client, _url(activity), _body(outsider))
    assert response.status_code in (403, 404)
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"scores": "4,4,4"},
        {"scores": {}},
        {"scores": {"1": 9}},
        {"evaluation": "12"},
        {"evaluation": True},
        {"obstacles": "x" * 4001},
    ],
)
def test_a_malformed_body_gets_400_with_a_message(client, participant, activity, change):
    client.force_login(participant)
    response = send(client, _url(activity), {**_body(participant), **change})
    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    assert response.json()["message"]
    assert not Evaluation.objects.exists()
    assert not OfflineSubmission.objects.exists()


def test_too_many_at_once_wait_for_later(client, participant, activity, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "evaluate": ("1/m", None)}
    client.force_login(participant)
    send(client, _url(activity), _body(participant))
    response = send(client, _url(activity), _body(participant))
    assert response.status_code == 429
    assert response.json()["retry"] is True


def test_queries_are_bounded(client, participant, activity):
    client.force_login(participant)
    body = _body(participant)
    with CaptureQueriesContext(connection) as applied:
        assert send(client, _url(activity), body).status_code == 200
    with CaptureQueriesContext(connection) as repeated:
        assert send(client, _url(activity), body).status_code == 200
    # The criteria are few and fixed; the evaluation writes one row per criterion.
    assert len(applied) <= 45 + Criterion.objects.count()
    assert len(repeated) <= 12


def test_a_government_evaluation_does_not_count_as_participation(client, officer, activity):
    client.force_login(officer)
    assert send(client, _url(activity), _body(officer)).status_code == 200
    assert Evaluation.objects.get().side == "government"
    assert not Participation.objects.filter(stage=Stage.ASSESSMENT).exists()


def test_a_resident_without_an_account_link_is_refused_without_a_500(client, rt, activity):
    user = core.make_user_with_role("resident", "tanpa_data", rt=rt)
    client.force_login(user)
    response = send(client, _url(activity), _body(user))
    assert response.status_code in (403, 404, 409)
