"""Who reaches which page of co-assessment: role x scope x state.

Out of the user's reach (another RT's chair for an RT activity, another kelurahan, including an
id changed in the URL) is a 404; in reach without the right is a 403; anonymous visitors go to
the login page.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import EvaluationRoundFactory, FollowUpFactory, score_data

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin_user",
    "officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "community_lead",
    "participant",
    "neighbour",
    "outsider",
    "foreign_officer",
    "city_viewer",
]
OUT_OF_REACH = {"other_rt_chair": 404, "outsider": 404, "foreign_officer": 404}


def _expect(allowed: dict[str, int], *, otherwise: int = 403, unreachable=OUT_OF_REACH):
    return {
        persona: allowed.get(persona, unreachable.get(persona, otherwise)) for persona in PERSONAS
    }


READERS = _expect({}, otherwise=200)
EVALUATORS = _expect(
    dict.fromkeys(
        (
            "officer",
            "facilitator",
            "rw_chair",
            "rt_chair",
            "pokmas_member",
            "community_lead",
            "participant",
        ),
        200,
    )
)
RECORDERS = _expect({"officer": 200, "rw_chair": 200, "rt_chair": 200})


def _status(client, request, persona, method, url, data=None):
    client.force_login(request.getfixturevalue(persona))
    return getattr(client, method)(url, data or {}).status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_evaluation_page(client, request, persona, activity):
    url = reverse("assessment:evaluation-summary", args=[activity.pk])
    assert _status(client, request, persona, "get", url) == READERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_evaluation_form(client, request, persona, activity):
    url = reverse("assessment:evaluation-edit", args=[activity.pk])
    assert _status(client, request, persona, "get", url) == EVALUATORS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_submitting_an_evaluation(client, request, persona, activity):
    url = reverse("assessment:evaluation-edit", args=[activity.pk])
    expected = {200: 302}.get(EVALUATORS[persona], EVALUATORS[persona])
    assert _status(client, request, persona, "post", url, score_data(4)) == expected
    assert activity.evaluations.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_on_behalf(client, request, persona, activity):
    url = reverse("assessment:evaluation-record", args=[activity.pk])
    assert _status(client, request, persona, "get", url) == RECORDERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_follow_up_form(client, request, persona, activity):
    url = reverse("assessment:followup-create", args=[activity.pk])
    assert _status(client, request, persona, "get", url) == RECORDERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_follow_up_page_and_its_update(client, request, persona, activity, pokmas_member):
    follow_up = FollowUpFactory(activity=activity, owner=pokmas_member)
    detail = reverse("assessment:followup-detail", args=[follow_up.pk])
    update = reverse("assessment:followup-update", args=[follow_up.pk])
    changers = _expect({"officer": 302, "rw_chair": 302, "rt_chair": 302, "pokmas_member": 302})

    assert _status(client, request, persona, "get", detail) == READERS[persona]
    data = {"status": "in_progress", "resolution": "", "owner": pokmas_member.pk}
    data["due_on"] = follow_up.due_on.isoformat()
    assert _status(client, request, persona, "post", update, data) == changers[persona]


@pytest.fixture
def evaluation_round(kelurahan, rt, officer, period):
    return EvaluationRoundFactory(
        kelurahan=kelurahan,
        rt=rt,
        period=period,
        opened_by=officer,
        forum_on=timezone.localdate() - datetime.timedelta(days=1),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_round_pages(client, request, persona, evaluation_round):
    detail = reverse("assessment:round-detail", args=[evaluation_round.pk])
    attendance = reverse("assessment:round-attendance", args=[evaluation_round.pk])
    foreign = {"outsider": 404, "foreign_officer": 404}

    assert (
        _status(client, request, persona, "get", detail)
        == _expect({}, otherwise=200, unreachable=foreign)[persona]
    )
    assert (
        _status(client, request, persona, "get", attendance)
        == _expect({"officer": 200, "rt_chair": 200, "rw_chair": 200}, unreachable=foreign)[persona]
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_opening_and_closing_rounds(client, request, persona, evaluation_round):
    create = reverse("assessment:round-create")
    close = reverse("assessment:round-close", args=[evaluation_round.pk])
    foreign = {"outsider": 404, "foreign_officer": 404}

    assert _status(client, request, persona, "get", create) == (
        200 if persona in ("officer", "foreign_officer") else 403
    )
    assert (
        _status(client, request, persona, "post", close)
        == _expect({"officer": 302}, unreachable=foreign)[persona]
    )


def test_anonymous_visitors_log_in_first(client, activity):
    for url in (
        reverse("assessment:evaluation-list"),
        reverse("assessment:evaluation-summary", args=[activity.pk]),
        reverse("assessment:evaluation-edit", args=[activity.pk]),
        reverse("assessment:followup-list"),
        reverse("assessment:round-list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_draft_activity_has_no_evaluation_page(client, officer, rt, period):
    from tests import factories as core

    draft = core.ActivityFactory(rt=rt, period=period)
    client.force_login(officer)
    assert client.get(reverse("assessment:evaluation-summary", args=[draft.pk])).status_code == 404


def test_names_behind_obstacles_only_for_chairs_and_government(
    client, activity, participant, rt_chair, officer
):
    from .factories import EvaluationFactory

    EvaluationFactory(activity=activity, evaluator=participant, resident=participant.resident)
    url = reverse("assessment:evaluation-summary", args=[activity.pk])
    name = participant.resident.name

    client.force_login(participant)
    assert name not in client.get(url).content.decode().split("Hambatan dan saran")[1]
    for user in (rt_chair, officer):
        client.force_login(user)
        assert name in client.get(url).content.decode()
