"""Meeting attendance kept on a phone without a signal and sent later: applied once per key,
through the same service (and ledger) as the page, refused per submission with a message."""

import contextlib
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delivery import services
from delivery.models import Attendance
from rtkeren.models import OfflineSubmission, Participation, Stage
from rtkeren.services.ledger import distinct_participants
from rtkeren.services.offline import payload_hash
from tests import factories as core
from tests.offline import send, submission

from . import factories

pytestmark = pytest.mark.django_db


def _url(meeting):
    return reverse("delivery:meeting-attendance-submit", args=[meeting.pk])


@pytest.fixture
def crowd(rt):
    return [core.ResidentFactory(rt=rt) for _ in range(6)]


def test_sent_twice_it_is_applied_once_and_answered_the_same(client, rt_chair, meeting, crowd):
    client.force_login(rt_chair)
    body = submission(rt_chair, present=[r.pk for r in crowd[:5]], absent=[crowd[5].pk])

    first = send(client, _url(meeting), body)
    second = send(client, _url(meeting), body)

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "applied"
    assert "5" in first.json()["message"]
    assert second.json() == {**first.json(), "repeated": True}
    assert meeting.attendances.count() == 5
    assert OfflineSubmission.objects.get().outcome == "applied"


def test_the_ledger_counts_them_as_the_page_does(client, rt_chair, meeting, crowd, period):
    """Ticked offline or on the page, each resident is one delivery participant."""
    client.force_login(rt_chair)
    send(client, _url(meeting), submission(rt_chair, present=[r.pk for r in crowd[:3]]))
    other = factories.MeetingFactory(activity=meeting.activity, created_by=rt_chair)
    services.attendance_mark(meeting=other, by=rt_chair, present=[r.pk for r in crowd[2:5]])

    rows = Participation.objects.filter(stage=Stage.DELIVERY, resident__in=crowd)
    assert rows.count() == 6
    assert set(rows.values_list("recorded_by", flat=True)) == {rt_chair.pk}
    assert distinct_participants(period=meeting.activity.period, stage=Stage.DELIVERY) == 5


def test_another_rts_chair_changing_the_id_is_refused(client, other_rt_chair, meeting, crowd):
    client.force_login(other_rt_chair)
    response = send(client, _url(meeting), submission(other_rt_chair, present=[crowd[0].pk]))
    assert response.status_code in (403, 404)
    assert not Attendance.objects.exists()
    assert not Participation.objects.exists()


def test_a_resident_may_not_record_attendance(client, resident_user, meeting, crowd):
    client.force_login(resident_user)
    response = send(client, _url(meeting), submission(resident_user, present=[crowd[0].pk]))
    assert response.status_code in (403, 404)
    assert not Attendance.objects.exists()


def test_a_resident_outside_the_scope_is_a_conflict_with_a_message(
    client, rt_chair, meeting, crowd, foreign_rt
):
    stranger = core.ResidentFactory(rt=foreign_rt)
    client.force_login(rt_chair)
    body = submission(rt_chair, present=[crowd[0].pk, stranger.pk])

    first = send(client, _url(meeting), body)
    second = send(client, _url(meeting), body)

    assert first.status_code == second.status_code == 409
    assert first.json()["status"] == "conflict"
    assert first.json()["retry"] is False
    assert "RT" in first.json()["message"]
    assert second.json()["message"] == first.json()["message"]
    assert not Attendance.objects.exists()
    assert OfflineSubmission.objects.get().outcome == "conflict"


def test_a_meeting_no_longer_in_delivery_is_not_allowed(client, rt_chair, meeting, crowd):
    """The activity was evaluated while the phone was offline: its lists are closed."""
    meeting.activity.status = "evaluated"
    meeting.activity.save(update_fields=["status"])
    client.force_login(rt_chair)
    response = send(client, _url(meeting), submission(rt_chair, present=[crowd[0].pk]))
    assert response.status_code == 404
    assert response.json()["status"] == "not_found"
    assert response.json()["message"]
    assert not Attendance.objects.exists()


def test_a_chair_who_lost_the_role_is_not_allowed(client, rt_chair, meeting, crowd):
    """The chair handed over while the phone was offline: still a resident who sees the
    meeting, no longer one who records its attendance. The answer is kept for the key."""
    rt_chair.assignments.filter(role="rt_chair").delete()
    client.force_login(rt_chair)
    body = submission(rt_chair, present=[crowd[0].pk])
    response = send(client, _url(meeting), body)
    assert response.status_code == 403
    assert response.json()["status"] == "forbidden"
    assert response.json()["message"]
    assert send(client, _url(meeting), body).json()["repeated"] is True
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        {"present": [1]},
        {"key": "not-a-uuid", "present": [1]},
        {"key": "6a1f0b52-8b0e-4d8e-9d55-3d1c1a0e7a11", "present": "1,2"},
        {"key": "6a1f0b52-8b0e-4d8e-9d55-3d1c1a0e7a11", "present": [1, "2"]},
        {"key": "6a1f0b52-8b0e-4d8e-9d55-3d1c1a0e7a11", "present": [True]},
        {"key": "6a1f0b52-8b0e-4d8e-9d55-3d1c1a0e7a11", "present": [10**30]},
        {"key": "6a1f0b52-8b0e-4d8e-9d55-3d1c1a0e7a11", "present": list(range(1, 1100))},
        {"key": "6a1f0b52-8b0e-4d8e-9d55-3d1c1a0e7a11", "present": [1], "absent": None},
    ],
)
def test_a_malformed_body_gets_400_with_a_message(client, rt_chair, meeting, body):
    client.force_login(rt_chair)
    response = send(client, _url(meeting), body)
    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    assert response.json()["message"]
    assert not OfflineSubmission.objects.exists()


def test_a_malformed_body_from_someone_not_allowed_is_refused(client, resident_user, meeting):
    client.force_login(resident_user)
    response = send(client, _url(meeting), "not json")
    assert response.status_code in (403, 404)


def test_kept_under_another_account_it_waits_for_that_account(
    client, rt_chair, officer, meeting, crowd
):
    client.force_login(officer)
    response = send(client, _url(meeting), submission(rt_chair, present=[crowd[0].pk]))
    assert response.status_code == 409
    assert response.json() | {"message": ""} == {
        "status": "other_account",
        "message": "",
        "retry": True,
        "repeated": False,
    }
    assert not Attendance.objects.exists()
    assert not OfflineSubmission.objects.exists()


def test_the_same_key_with_other_content_is_not_replayed(client, rt_chair, meeting, crowd):
    client.force_login(rt_chair)
    body = submission(rt_chair, present=[crowd[0].pk])
    send(client, _url(meeting), body)
    response = send(client, _url(meeting), {**body, "present": [crowd[1].pk]})
    assert response.status_code == 409
    assert list(meeting.attendances.values_list("resident", flat=True)) == [crowd[0].pk]


def test_another_account_never_reads_an_answer_by_its_key(
    client, rt_chair, officer, meeting, crowd
):
    client.force_login(rt_chair)
    body = submission(rt_chair, present=[crowd[0].pk])
    send(client, _url(meeting), body)
    client.force_login(officer)
    response = send(client, _url(meeting), {**body, "account": submission(officer)["account"]})
    assert response.status_code == 409
    assert response.json()["repeated"] is False
    assert meeting.attendances.count() == 1


def test_a_visitor_is_sent_to_log_in(client, meeting):
    response = send(client, _url(meeting), {"key": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_get_is_not_allowed(client, rt_chair, meeting):
    client.force_login(rt_chair)
    assert client.get(_url(meeting)).status_code == 405


def test_csrf_is_checked(rt_chair, meeting, crowd):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rt_chair)
    response = send(client, _url(meeting), submission(rt_chair, present=[crowd[0].pk]))
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def _queries(client, url, body) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = send(client, url, body)
    assert response.status_code == 200, response.content
    return len(captured)


def _service_queries(meeting, by, present) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.attendance_mark(meeting=meeting, by=by, present=present)
    return len(captured)


def test_queries_beyond_the_service_do_not_grow_with_the_list(client, rt_chair, running, rt):
    """The endpoint adds a fixed number of queries to the service's own (the session, the
    meeting, the key's row); the answer to a resend is a fixed number whatever its size."""
    client.force_login(rt_chair)
    residents = [core.ResidentFactory(rt=rt) for _ in range(24)]
    meetings = [factories.MeetingFactory(activity=running, created_by=rt_chair) for _ in range(4)]
    small, large = [r.pk for r in residents[:1]], [r.pk for r in residents[4:16]]
    send(client, _url(meetings[0]), submission(rt_chair, present=[residents[0].pk]))

    extra_small = _queries(
        client, _url(meetings[1]), submission(rt_chair, present=small)
    ) - _service_queries(meetings[2], rt_chair, small)
    body = submission(rt_chair, present=large)
    extra_large = _queries(client, _url(meetings[1]), body) - _service_queries(
        meetings[3], rt_chair, large
    )
    resent = _queries(client, _url(meetings[1]), body)

    assert extra_small == extra_large
    assert extra_large <= 12
    assert resent <= 10


@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicates_are_applied_once():
    """The same submission sent four times at once (a phone retrying on a flaky line): one
    applies it, the others wait for its key and repeat its answer."""
    rt = core.RTFactory(rw=core.RWFactory(kelurahan=core.kelurahan(), number=7), number=2)
    period = core.PeriodFactory()
    chair, _resident = core.make_resident_user(rt, "ketua_rt")
    core.RoleAssignmentFactory(user=chair, role="rt_chair", rt=rt)
    running = factories.approved_activity(rt, period=period, author=chair, status="in_delivery")
    meeting = factories.MeetingFactory(activity=running, created_by=chair)
    crowd = [core.ResidentFactory(rt=rt) for _ in range(5)]
    body = submission(chair, present=[r.pk for r in crowd])
    barrier = threading.Barrier(4)
    answers = []
    # SQLite's in-memory test database answers "table is locked" rather than waiting, as the
    # file database does: there the requests take turns (test_voting does the same).
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def post():
        try:
            client = Client()
            with turns:
                client.force_login(chair)
            barrier.wait(timeout=60)
            with turns:
                response = send(client, _url(meeting), body)
            answers.append((response.status_code, response.json()["repeated"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [(200, False), (200, True), (200, True), (200, True)]
    assert Attendance.objects.filter(meeting=meeting).count() == 5
    assert Participation.objects.filter(stage=Stage.DELIVERY).count() == 5
    assert OfflineSubmission.objects.count() == 1


def test_a_key_whose_first_try_is_still_running_waits(client, rt_chair, meeting, crowd):
    """A resend that finds the key claimed but not yet answered (only possible where two
    requests share one connection) is told to come back, and nothing is applied twice."""
    client.force_login(rt_chair)
    body = submission(rt_chair, present=[crowd[0].pk])
    OfflineSubmission.objects.create(
        key=body["key"],
        user=rt_chair,
        kind="meeting_attendance",
        content_type=ContentType.objects.get_for_model(meeting),
        object_id=meeting.pk,
        payload_hash=payload_hash({"present": body["present"]}),
        outcome="applied",
    )
    response = send(client, _url(meeting), body)
    assert response.status_code == 409
    assert response.json()["status"] == "in_progress"
    assert response.json()["retry"] is True
    assert not Attendance.objects.exists()
