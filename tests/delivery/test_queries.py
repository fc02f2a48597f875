"""The number of queries of each page is the same with one row and with many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _fill(activity, count):
    """``count`` meetings, each with ``count`` attendees and photos, plus implementers,
    outputs, notes, tasks and spending lines."""
    for index in range(count):
        meeting = factories.MeetingFactory(activity=activity)
        for _ in range(count):
            factories.AttendanceFactory(meeting=meeting)
            factories.PhotoFactory(meeting=meeting)
        factories.ImplementerFactory(activity=activity)
        factories.OutputFactory(
            activity=activity,
            finished_quantity=index % 10,
            status="in_progress" if index % 10 else "not_started",
        )
        factories.CommitteeNoteFactory(activity=activity)
        factories.TaskFactory(activity=activity)
        factories.SpendingFactory(activity=activity)


@pytest.mark.parametrize("persona", ["rt_chair", "resident_user"])
def test_activity_page(client, request, rt, period, persona):
    client.force_login(request.getfixturevalue(persona))
    one = factories.approved_activity(rt, period=period, status="in_delivery")
    many = factories.approved_activity(rt, period=period, status="in_delivery")
    _fill(one, 1)
    _fill(many, 6)
    url = lambda activity: reverse("delivery:activity-detail", args=[activity.pk])  # noqa: E731
    assert _queries(client, url(one)) == _queries(client, url(many))


@pytest.mark.parametrize("name", ["committee", "spending-list", "implementer-list"])
def test_activity_record_pages(client, rt_chair, rt, period, name):
    client.force_login(rt_chair)
    one = factories.approved_activity(rt, period=period, status="in_delivery")
    many = factories.approved_activity(rt, period=period, status="in_delivery")
    _fill(one, 1)
    _fill(many, 5)
    url = lambda activity: reverse(f"delivery:{name}", args=[activity.pk])  # noqa: E731
    assert _queries(client, url(one)) == _queries(client, url(many))


@pytest.mark.parametrize("name", ["meeting-detail", "meeting-attendance", "meeting-print"])
def test_meeting_pages(client, rt_chair, rt, period, name):
    client.force_login(rt_chair)
    activity = factories.approved_activity(rt, period=period, status="in_delivery")
    one = factories.MeetingFactory(activity=activity)
    many = factories.MeetingFactory(activity=activity)
    factories.AttendanceFactory(meeting=one)
    factories.PhotoFactory(meeting=one)
    for _ in range(12):
        factories.AttendanceFactory(meeting=many)
        factories.PhotoFactory(meeting=many)
    url = lambda meeting: reverse(f"delivery:{name}", args=[meeting.pk])  # noqa: E731
    assert _queries(client, url(one)) == _queries(client, url(many))


def test_activity_list(client, officer, rt, other_rt, period):
    client.force_login(officer)
    url = reverse("delivery:activity-list")
    activity = factories.approved_activity(rt, period=period, status="in_delivery")
    _fill(activity, 1)
    one = _queries(client, url)
    for index in range(8):
        more = factories.approved_activity(other_rt if index % 2 else rt, period=period)
        _fill(more, 2)
    assert _queries(client, url) == one


def test_rt_spending_and_task_list(client, rt_chair, rt, period):
    client.force_login(rt_chair)
    activity = factories.approved_activity(rt, period=period, status="in_delivery")
    factories.SpendingFactory(activity=activity)
    factories.TaskFactory(activity=activity, assignee=rt_chair)
    urls = [reverse("delivery:rt-spending", args=[rt.pk]), reverse("delivery:task-list")]
    one = [_queries(client, url) for url in urls]
    for _ in range(10):
        factories.SpendingFactory(activity=activity)
        factories.TaskFactory(activity=activity, assignee=rt_chair)
    assert [_queries(client, url) for url in urls] == one
