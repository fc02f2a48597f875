"""Who reaches which page of co-delivery: role x scope x state.

Out of the user's reach (another RT or kelurahan, including an id changed in the URL) is a 404;
in reach without the right is a 403; anonymous visitors are sent to the login page.
"""

import pytest
from django.urls import reverse

from delivery.checks import is_coordinator
from delivery.models import Implementer, Meeting, Output, Task
from delivery.selectors import task_assignees
from rtkeren.models import ActivityStatus, Consent
from tests import factories as core

from . import factories

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
    "resident_user",
    "coordinator",
    "outsider",
    "foreign_officer",
    "city_viewer",
]
OUT_OF_REACH = ("other_rt_chair", "community_lead", "outsider", "foreign_officer")


def _expect(allowed: dict[str, int], *, otherwise: int = 403) -> dict[str, int]:
    return {
        persona: allowed.get(persona, 404 if persona in OUT_OF_REACH else otherwise)
        for persona in PERSONAS
    }


READERS = _expect(
    {p: 200 for p in PERSONAS if p not in OUT_OF_REACH},
)
MANAGERS = _expect({"officer": 200, "rt_chair": 200, "pokmas_member": 200, "coordinator": 200})
RECORD_READERS = _expect({**MANAGERS, "facilitator": 200, "city_viewer": 200, "admin_user": 200})


def _matrix(client, request, method, url, *, data=None, success=None, reset=None):
    got = {}
    for persona in PERSONAS:
        client.force_login(request.getfixturevalue(persona))
        response = getattr(client, method)(url, data or {})
        got[persona] = (
            success if (success and response.status_code == 302) else response.status_code
        )
        if reset:
            reset()
    return got


def test_the_activity_page_is_read_by_everyone_who_sees_the_activity(client, request, running):
    url = reverse("delivery:activity-detail", args=[running.pk])
    assert _matrix(client, request, "get", url) == READERS


def test_a_draft_or_proposed_activity_has_no_delivery_page(client, officer, rt, period):
    proposed = factories.approved_activity(rt, period=period, status=ActivityStatus.PROPOSED)
    client.force_login(officer)
    response = client.get(reverse("delivery:activity-detail", args=[proposed.pk]))
    assert response.status_code == 404


def test_the_activity_list_shows_only_reachable_activities(client, running, outsider, officer):
    client.force_login(outsider)
    assert running.title not in client.get(reverse("delivery:activity-list")).content.decode()
    client.force_login(officer)
    assert running.title in client.get(reverse("delivery:activity-list")).content.decode()


@pytest.mark.parametrize(
    "name",
    ["meeting-create", "implementer-list", "output-create"],
)
def test_management_pages_are_for_managers(client, request, running, name):
    url = reverse(f"delivery:{name}", args=[running.pk])
    assert _matrix(client, request, "get", url) == MANAGERS


@pytest.mark.parametrize("name", ["committee", "spending-list"])
def test_records_are_read_by_managers_facilitators_and_the_city(client, request, running, name):
    url = reverse(f"delivery:{name}", args=[running.pk])
    assert _matrix(client, request, "get", url) == RECORD_READERS


def test_meeting_pages(client, request, meeting):
    assert (
        _matrix(client, request, "get", reverse("delivery:meeting-detail", args=[meeting.pk]))
        == READERS
    )
    for name in ("meeting-update", "meeting-attendance", "meeting-qr"):
        url = reverse(f"delivery:{name}", args=[meeting.pk])
        assert _matrix(client, request, "get", url) == MANAGERS, name
    print_url = reverse("delivery:meeting-print", args=[meeting.pk])
    assert _matrix(client, request, "get", print_url) == RECORD_READERS


def test_planning_a_meeting_only_by_managers(client, request, running):
    url = reverse("delivery:meeting-create", args=[running.pk])
    data = {"title": "Latihan", "date": "2030-01-05", "starts_at": "19:00", "place": "Balai RT"}
    got = _matrix(client, request, "post", url, data=data, success=200)
    assert got == MANAGERS
    assert Meeting.objects.filter(activity=running).count() == 4


def test_a_delivered_activity_takes_no_new_meetings(client, rt_chair, rt, period):
    delivered = factories.approved_activity(rt, period=period, status=ActivityStatus.DELIVERED)
    client.force_login(rt_chair)
    response = client.get(reverse("delivery:meeting-create", args=[delivered.pk]))
    assert response.status_code == 403


def test_another_rts_chair_cannot_change_outputs_by_id(client, other_rt_chair, running):
    output = factories.OutputFactory(activity=running)
    client.force_login(other_rt_chair)
    response = client.post(
        reverse("delivery:output-update", args=[output.pk]),
        {"finished_quantity": 5, "status": "in_progress"},
    )
    assert response.status_code == 404
    output.refresh_from_db()
    assert output.finished_quantity == 0


def test_implementer_removal_and_tasks_by_foreign_id(client, outsider, foreign_officer, running):
    implementer = factories.ImplementerFactory(activity=running)
    task = factories.TaskFactory(activity=running)
    for user in (outsider, foreign_officer):
        client.force_login(user)
        assert (
            client.post(reverse("delivery:implementer-delete", args=[implementer.pk])).status_code
            == 404
        )
        assert client.post(reverse("delivery:task-done", args=[task.pk])).status_code == 404
    assert Implementer.objects.filter(pk=implementer.pk).exists()
    assert Task.objects.get(pk=task.pk).done_at is None


def test_a_task_is_ticked_off_by_its_assignee(client, resident_user, running):
    task = factories.TaskFactory(activity=running, assignee=resident_user)
    other = factories.TaskFactory(activity=running)
    client.force_login(resident_user)
    assert client.post(reverse("delivery:task-done", args=[task.pk])).status_code == 302
    assert client.post(reverse("delivery:task-done", args=[other.pk])).status_code == 403
    task.refresh_from_db()
    other.refresh_from_db()
    assert task.done_at is not None
    assert other.done_at is None


def test_rt_spending_for_pokmas_chairs_and_kelurahan(client, request, rt):
    url = reverse("delivery:rt-spending", args=[rt.pk])
    got = _matrix(client, request, "get", url)
    assert got == {
        "admin_user": 200,
        "officer": 200,
        "facilitator": 200,
        "rw_chair": 404,
        "rt_chair": 200,
        "other_rt_chair": 404,
        "pokmas_member": 200,
        "community_lead": 404,
        "resident_user": 404,
        "coordinator": 404,
        "outsider": 404,
        "foreign_officer": 404,
        "city_viewer": 200,
    }


def test_the_transition_buttons_are_for_managers(client, request, activity):
    url = reverse("delivery:activity-transition", args=[activity.pk, "in_delivery"])

    def reset():
        type(activity).objects.filter(pk=activity.pk).update(status=ActivityStatus.APPROVED)

    got = _matrix(client, request, "post", url, success=200, reset=reset)
    # The coordinator coordinates another activity; the pokmas member manages delivery but the
    # core's table gives starting it to the RT chair, coordinators and officers only.
    assert got == {**MANAGERS, "coordinator": 403}
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED


def test_anonymous_visitors_go_to_the_login_page(client, running, meeting):
    for url in (
        reverse("delivery:activity-list"),
        reverse("delivery:activity-detail", args=[running.pk]),
        reverse("delivery:meeting-detail", args=[meeting.pk]),
    ):
        assert client.get(url).status_code == 302


def test_public_pages_hide_attendee_names_and_spending(client, resident_user, meeting):
    minor = factories.AttendanceFactory(meeting=meeting, is_minor=True)
    adult = factories.AttendanceFactory(meeting=meeting)
    client.force_login(resident_user)
    page = client.get(reverse("delivery:meeting-detail", args=[meeting.pk])).content.decode()
    assert minor.resident.name not in page
    assert adult.resident.name not in page
    detail = client.get(reverse("delivery:activity-detail", args=[meeting.activity_id]))
    assert "Rp" not in core.without_per_request(detail.content.decode())


def test_minors_are_never_public_implementers(client, resident_user, running):
    import datetime

    from django.utils import timezone

    from tests import factories as core

    child = core.ResidentFactory(
        rt=running.rt, birth_date=timezone.localdate() - datetime.timedelta(days=365 * 12)
    )
    factories.ImplementerFactory(activity=running, resident=child)
    adult = factories.ImplementerFactory(activity=running)
    # Even a recorded consent to a public name does not put a minor on the list.
    for resident in (child, adult.resident):
        Consent.objects.create(resident=resident, purpose=Consent.Purpose.PUBLIC_NAME, text="-")
    client.force_login(resident_user)
    page = client.get(reverse("delivery:activity-detail", args=[running.pk])).content.decode()
    assert adult.resident.name in page
    assert child.name not in page


def test_outputs_permission_unchanged_for_readers(client, resident_user, running):
    output = factories.OutputFactory(activity=running)
    client.force_login(resident_user)
    response = client.post(
        reverse("delivery:output-update", args=[output.pk]),
        {"finished_quantity": 5, "status": "in_progress"},
    )
    assert response.status_code == 403
    assert Output.objects.get(pk=output.pk).finished_quantity == 0


def test_rt_spending_with_a_malformed_period_falls_back_to_the_current_one(client, officer, rt):
    client.force_login(officer)
    url = reverse("delivery:rt-spending", args=[rt.pk])

    for period in ["²", "abc", "-1"]:
        assert client.get(url, {"period": period}).status_code == 200


# An account that claimed a coordinator's register entry is nobody until the RT chair confirms it.


def test_a_claimant_of_a_coordinators_entry_neither_coordinates_nor_gets_tasks(client, running):
    claimant, entry = core.make_claimant(running.rt)
    factories.ImplementerFactory(
        activity=running, resident=entry, role=Implementer.Role.COORDINATOR
    )

    assert not is_coordinator(claimant, running)
    assert claimant not in task_assignees(running)
    client.force_login(claimant)
    response = client.get(reverse("delivery:meeting-create", args=[running.pk]))
    assert response.status_code in (403, 404)
