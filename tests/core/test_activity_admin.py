"""The admin for activities, the ledger and notifications: readable, and statuses not editable."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import ActivityStatus
from rtkeren.services.activities import activity_approve
from rtkeren.services.ledger import participation_record
from rtkeren.services.notifications import notification_send
from tests import factories

pytestmark = pytest.mark.django_db


def test_activity_change_page_shows_the_timeline_read_only(client, admin_user, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.PROPOSED)
    factories.BudgetLineFactory(activity=activity, item="Kain mori")
    activity_approve(activity=activity, by=officer)
    client.force_login(admin_user)

    response = client.get(reverse("admin:rtkeren_activity_change", args=[activity.pk]))

    assert response.status_code == 200
    assert "Kain mori" in response.text
    assert 'name="status"' not in response.text  # statuses move through the state machine only
    assert 'name="transitions-0-to_status"' not in response.text
    assert str(officer) in response.text


def test_activity_changelist_query_count_does_not_grow(client, admin_user, rt, other_rt):
    factories.ActivityFactory(rt=rt)
    client.force_login(admin_user)
    url = reverse("admin:rtkeren_activity_changelist")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for place in (rt, other_rt) * 5:
        factories.ActivityFactory(rt=place)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(one)


def test_participation_admin_is_read_only(client, admin_user, resident, rt):
    activity = factories.ActivityFactory(rt=rt)
    row = participation_record(
        resident=resident,
        kind="vote_cast",
        subject=activity,
        activity=activity,
    )
    client.force_login(admin_user)

    assert client.get(reverse("admin:rtkeren_participation_changelist")).status_code == 200
    assert client.get(reverse("admin:rtkeren_participation_add")).status_code == 403
    delete = client.post(
        reverse("admin:rtkeren_participation_delete", args=[row.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    change = client.get(reverse("admin:rtkeren_participation_change", args=[row.pk]))
    assert 'name="kind"' not in change.text


def test_notification_admin_reads_but_does_not_write(client, admin_user, officer):
    notification = notification_send(recipients=[officer], message="Halo petugas")[0]
    client.force_login(admin_user)

    listing = client.get(reverse("admin:rtkeren_notification_changelist"))

    assert "Halo petugas" in listing.text
    assert client.get(reverse("admin:rtkeren_notification_add")).status_code == 403
    change = client.get(reverse("admin:rtkeren_notification_change", args=[notification.pk]))
    assert 'name="message"' not in change.text
