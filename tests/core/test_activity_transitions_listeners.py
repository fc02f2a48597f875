"""Transition listeners: called once per transition, after the commit, never for a refused one."""

import pytest

from rtkeren.models import ActivityStatus
from rtkeren.services import activities as services
from rtkeren.transitions import TransitionForbidden, transition_guards, transition_listeners
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listener(*, activity, from_status, to_status, by):
        calls.append((activity.pk, from_status, to_status, by.pk))

    transition_listeners.register("test.listener")(listener)
    yield calls
    transition_listeners.unregister("test.listener")


def test_a_listener_hears_the_transition_once_it_commits(
    heard, officer, rt, period, monkeypatch, django_capture_on_commit_callbacks
):
    # Stage apps' guards (e.g. "a meeting was held") are not the question here.
    monkeypatch.setattr(transition_guards, "entries", {})
    activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.IN_DELIVERY, period=period)

    with django_capture_on_commit_callbacks() as callbacks:
        services.activity_mark_delivered(activity=activity, by=officer)
        assert heard == []
    for callback in callbacks:
        callback()

    assert heard == [
        (activity.pk, ActivityStatus.IN_DELIVERY, ActivityStatus.DELIVERED, officer.pk)
    ]


def test_a_refused_transition_is_not_heard(
    heard, resident_user, rt, period, django_capture_on_commit_callbacks
):
    activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.IN_DELIVERY, period=period)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionForbidden):
        services.activity_mark_delivered(activity=activity, by=resident_user)

    assert heard == []
