"""Co-assessment's section of the public page: the kelurahan's scorecard and follow-ups whose
owners appear as a role, never by name."""

import datetime

import pytest
from django.utils import timezone

from assessment.models import FollowUp
from assessment.public import kelurahan_section
from rtkeren.models import ActivityStatus
from tests import factories
from tests.assessment.factories import FollowUpFactory

pytestmark = pytest.mark.django_db


def test_follow_ups_show_a_role_not_a_name(client, rt, period, officer):
    officer.first_name, officer.last_name = "Sulistyowati", "Rahayuningsih"
    officer.save()
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DELIVERED)
    today = timezone.localdate()
    done = FollowUpFactory(
        activity=activity, owner=officer, status=FollowUp.Status.DONE, resolution="Selesai."
    )
    late = FollowUpFactory(
        activity=activity, owner=officer, due_on=today - datetime.timedelta(days=3)
    )
    nobody = FollowUpFactory(activity=activity)

    _template, context = kelurahan_section(rt.rw.kelurahan, period)
    assert [f.pk for f in context["follow_ups"]] == [late.pk, nobody.pk, done.pk]
    assert [f.owner_label for f in context["follow_ups"]] == [
        "Petugas kelurahan",
        "",
        "Petugas kelurahan",
    ]
    assert context["card"].base == 0

    text = client.get(f"/publik/{rt.rw.kelurahan.code}/").content.decode()
    assert "Petugas kelurahan" in text
    assert "Sulistyowati" not in text
    assert "Rahayuningsih" not in text
    assert officer.username not in text
