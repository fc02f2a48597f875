"""A person's role assignments are shared across their requests through the cache, and every
change of an assignment, by any path, counts from the next request on."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import RoleAssignment
from rtkeren.scopecache import cached_for_person, person_changed, scope_changed_everywhere
from rtkeren.services.roles import role_end
from tests import factories as core

pytestmark = pytest.mark.django_db

RESIDENTS = reverse("resident-list")


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured)


def test_the_second_request_reads_the_assignments_from_the_cache(client, officer):
    client.force_login(officer)  # logging in reads them into the cache
    warm = _queries(client, RESIDENTS)
    person_changed(officer.pk)

    first = _queries(client, RESIDENTS)
    second = _queries(client, RESIDENTS)

    assert first[0] == second[0] == 200
    assert second[1] == warm[1] == first[1] - 1


def test_a_role_ended_by_the_service_counts_from_the_next_request(client, officer, admin_user):
    client.force_login(officer)
    assert client.get(RESIDENTS).status_code == 200

    role_end(assignment=RoleAssignment.objects.get(user=officer), by=admin_user)

    assert client.get(RESIDENTS).status_code == 403


def test_a_role_deleted_or_moved_in_the_admin_counts_from_the_next_request(
    client, officer, facilitator, rt_chair
):
    client.force_login(officer)
    assert client.get(RESIDENTS).status_code == 200
    client.force_login(facilitator)
    assert client.get(RESIDENTS).status_code == 200

    moved = RoleAssignment.objects.get(user=officer)
    moved.user = rt_chair
    moved.save()
    RoleAssignment.objects.get(user=facilitator).delete()

    client.force_login(officer)
    assert client.get(RESIDENTS).status_code == 403
    client.force_login(facilitator)
    assert client.get(RESIDENTS).status_code == 403


def test_a_role_given_counts_from_the_next_request(client, resident_user, kelurahan):
    client.force_login(resident_user)
    assert client.get(RESIDENTS).status_code == 403

    core.RoleAssignmentFactory(user=resident_user, role="officer", kelurahan=kelurahan)

    assert client.get(RESIDENTS).status_code == 200


def test_a_role_that_ended_yesterday_is_not_read_from_todays_cache(client, officer, monkeypatch):
    client.force_login(officer)
    RoleAssignment.objects.filter(user=officer).update(ends_on=timezone.localdate())
    assert client.get(RESIDENTS).status_code == 200  # cached for today, updated out of band

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)

    assert client.get(RESIDENTS).status_code == 403


def test_what_a_reader_cached_before_the_change_committed_is_not_believed_after(
    django_capture_on_commit_callbacks, officer
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        person_changed(officer.pk)
        # Another transaction, not seeing the change yet, reads and stores the old records
        # under the version the change gave at once.
        stale = cached_for_person(officer.pk, "roles", lambda: ["before"])
    for callback in callbacks:
        callback()

    assert stale == ["before"]
    assert cached_for_person(officer.pk, "roles", lambda: ["after"]) == ["after"]


def test_a_place_renamed_everywhere_is_read_again(django_capture_on_commit_callbacks, officer):
    assert cached_for_person(officer.pk, "roles", lambda: ["old name"]) == ["old name"]

    with django_capture_on_commit_callbacks(execute=True):
        scope_changed_everywhere()

    assert cached_for_person(officer.pk, "roles", lambda: ["new name"]) == ["new name"]
