"""The number of queries of each page is the same with one row and with many."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Side
from tests import factories as core

from .factories import (
    EvaluationFactory,
    EvaluationRoundFactory,
    FollowUpFactory,
    delivered_activity,
    take_part,
)

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _evaluations(activity, rt, officer, count):
    for _ in range(count):
        resident = core.ResidentFactory(rt=rt)
        take_part(resident, activity)
        evaluation = EvaluationFactory(
            activity=activity,
            evaluator=None,
            resident=resident,
            recorded_by=officer,
            on_behalf=True,
        )
        FollowUpFactory(activity=activity, evaluation=evaluation, owner=officer)
    EvaluationFactory(activity=activity, side=Side.GOVERNMENT)


def test_the_evaluation_page(client, officer, activity, rt):
    client.force_login(officer)
    url = reverse("assessment:evaluation-summary", args=[activity.pk])
    _evaluations(activity, rt, officer, 1)
    one = _queries(client, url)

    _evaluations(activity, rt, officer, 15)

    assert _queries(client, url) == one


def test_the_evaluation_list(client, participant, rt, period, officer):
    client.force_login(participant)
    url = reverse("assessment:evaluation-list")

    def more(count):
        for _ in range(count):
            activity = delivered_activity(by=officer, rt=rt, period=period)
            take_part(participant.resident, activity)
            EvaluationFactory(activity=activity)

    more(1)
    one, one_todo = _queries(client, url), _queries(client, url + "?show=todo")
    more(12)

    assert (_queries(client, url), _queries(client, url + "?show=todo")) == (one, one_todo)


def test_the_evaluation_form_and_on_behalf_page(client, rt_chair, activity, rt, officer):
    client.force_login(rt_chair)
    form = reverse("assessment:evaluation-edit", args=[activity.pk])
    record = reverse("assessment:evaluation-record", args=[activity.pk])
    _evaluations(activity, rt, officer, 1)
    one = (_queries(client, form), _queries(client, record))

    _evaluations(activity, rt, officer, 10)
    for _ in range(10):
        take_part(core.ResidentFactory(rt=rt), activity)

    assert (_queries(client, form), _queries(client, record)) == one


def test_the_follow_up_list_and_page(client, resident_user, activity, officer):
    client.force_login(resident_user)
    follow_up = FollowUpFactory(activity=activity, owner=officer)
    url = reverse("assessment:followup-list")
    one = (
        _queries(client, url),
        _queries(client, reverse("assessment:followup-detail", args=[follow_up.pk])),
    )

    FollowUpFactory.create_batch(12, activity=activity, owner=officer)

    assert (
        _queries(client, url),
        _queries(client, reverse("assessment:followup-detail", args=[follow_up.pk])),
    ) == one


def test_the_round_pages(client, officer, kelurahan, rt, period):
    client.force_login(officer)
    evaluation_round = EvaluationRoundFactory(
        kelurahan=kelurahan,
        period=period,
        opened_by=officer,
        forum_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    urls = [
        reverse("assessment:round-list"),
        reverse("assessment:round-detail", args=[evaluation_round.pk]),
        reverse("assessment:round-attendance", args=[evaluation_round.pk]),
    ]
    delivered_activity(by=officer, rt=rt, period=period)
    core.ResidentFactory(rt=rt)
    one = [_queries(client, url) for url in urls]

    for _ in range(8):
        delivered_activity(by=officer, rt=rt, period=period)
        core.ResidentFactory(rt=rt)
        EvaluationRoundFactory(kelurahan=kelurahan, period=period, opened_by=officer)

    assert [_queries(client, url) for url in urls] == one
