"""Co-assessment's section of the public page: the kelurahan's scorecard and follow-ups whose
owners appear as a role, never by name."""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from assessment.models import FollowUp
from assessment.public import kelurahan_section, scorecard_section
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

    _template, context = kelurahan_section(rt.rw.kelurahan, period, QueryDict())
    assert [f.pk for f in context["follow_ups"]] == [late.pk, nobody.pk, done.pk]
    assert [f.owner_label for f in context["follow_ups"]] == [
        "Petugas kelurahan",
        "",
        "Petugas kelurahan",
    ]
    assert "card" not in context
    _template, scorecard = scorecard_section(rt.rw.kelurahan, period, QueryDict())
    assert scorecard["card"].base == 0

    text = client.get(f"/publik/{rt.rw.kelurahan.code}/").content.decode()
    assert "Petugas kelurahan" in text
    assert "Sulistyowati" not in text
    assert "Rahayuningsih" not in text
    assert officer.username not in text


def test_the_follow_ups_are_paged_those_not_done_first(client, rt, period):
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DELIVERED)
    today = timezone.localdate()
    done = FollowUpFactory(activity=activity, status=FollowUp.Status.DONE, resolution="Selesai.")
    open_ones = [
        FollowUpFactory(activity=activity, due_on=today + datetime.timedelta(days=days))
        for days in range(1, 12)
    ]

    first = kelurahan_section(rt.rw.kelurahan, period, QueryDict())[1]
    last = kelurahan_section(rt.rw.kelurahan, period, QueryDict("tindak-lanjut=2"))[1]
    past_the_end = kelurahan_section(rt.rw.kelurahan, period, QueryDict("tindak-lanjut=99"))[1]
    garbage = kelurahan_section(rt.rw.kelurahan, period, QueryDict("tindak-lanjut=x"))[1]

    assert [f.pk for f in first["follow_ups"]] == [f.pk for f in open_ones[:10]]
    assert [f.pk for f in last["follow_ups"]] == [open_ones[10].pk, done.pk]
    assert [f.pk for f in past_the_end["follow_ups"]] == [open_ones[10].pk, done.pk]
    assert [f.pk for f in garbage["follow_ups"]] == [f.pk for f in open_ones[:10]]
    assert first["page_obj"].paginator.count == 12
    response = client.get(reverse("public-kelurahan", args=[rt.rw.kelurahan.code]))
    assert response.status_code == 200
    assert "?tindak-lanjut=2#public-follow-ups" in response.text


def test_names_phone_numbers_and_niks_in_a_follow_up_are_blanked(client, rt, period):
    factories.ResidentFactory(rt=rt, name="Bambang Wicaksono")
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DELIVERED)
    FollowUpFactory(
        activity=activity,
        obstacle="Kain dari Pak Bambang Wicaksono terlambat",
        action="Tagih Pak Bambang Wicaksono di 0812-3456-7890",
        status=FollowUp.Status.DONE,
        resolution="NIK 3572024101800001 dicatat",
    )

    [follow_up] = kelurahan_section(rt.rw.kelurahan, period, QueryDict())[1]["follow_ups"]
    text = client.get(reverse("public-kelurahan", args=[rt.rw.kelurahan.code])).text

    assert follow_up.action.startswith("Tagih Pak [")
    assert follow_up.obstacle.startswith("Kain dari Pak [")
    assert follow_up.resolution.startswith("NIK [")
    assert "Tagih Pak [" in text
    for hidden in ("Bambang", "Wicaksono", "0812", "3456-7890", "3572024101800001"):
        assert hidden not in text
        assert hidden not in " ".join((follow_up.obstacle, follow_up.action, follow_up.resolution))
