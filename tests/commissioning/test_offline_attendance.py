"""A forum's attendance kept on a phone without a signal and sent later: applied once per key,
with the element each resident represents, through the same service as the page."""

import pytest
from django.urls import reverse

from commissioning.models import Attendance
from rtkeren.models import Participation, Stage
from tests import factories as core
from tests.offline import send, submission

pytestmark = pytest.mark.django_db


def _url(forum):
    return reverse("commissioning:forum-attendance-submit", args=[forum.pk])


def test_sent_twice_it_is_applied_once_with_elements_and_guests(client, rt_chair, past_forum, rt):
    crowd = [core.ResidentFactory(rt=rt) for _ in range(3)]
    client.force_login(rt_chair)
    body = submission(
        rt_chair,
        present=[
            {"resident": crowd[0].pk, "element": "tokoh_agama"},
            {"resident": crowd[1].pk, "element": "pkk"},
        ],
        absent=[crowd[2].pk],
        guests=[{"name": "Pak Lurah", "origin": "Kelurahan Blitar", "element": "tokoh_masyarakat"}],
    )

    first = send(client, _url(past_forum), body)
    second = send(client, _url(past_forum), body)

    assert first.status_code == second.status_code == 200, first.json()
    assert second.json()["repeated"] is True
    assert dict(
        Attendance.objects.filter(resident__isnull=False).values_list("resident", "element")
    ) == {crowd[0].pk: "tokoh_agama", crowd[1].pk: "pkk"}
    assert Attendance.objects.filter(guest_name="Pak Lurah").count() == 1
    assert Participation.objects.filter(stage=Stage.COMMISSIONING).count() == 2


def test_a_forum_still_to_come_is_not_allowed(client, rt_chair, forum, rt):
    resident = core.ResidentFactory(rt=rt)
    client.force_login(rt_chair)
    response = send(client, _url(forum), submission(rt_chair, present=[{"resident": resident.pk}]))
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_another_rts_chair_changing_the_id_is_refused(client, other_rt_chair, past_forum, rt):
    resident = core.ResidentFactory(rt=rt)
    client.force_login(other_rt_chair)
    response = send(
        client,
        _url(past_forum),
        submission(other_rt_chair, present=[{"resident": resident.pk}]),
    )
    assert response.status_code in (403, 404)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        {"present": [1, 2]},
        {"present": [{"resident": "1"}]},
        {"present": [{"resident": 1, "element": "raja"}]},
        {"present": [], "guests": [{"name": "x" * 200}]},
        {"present": [], "guests": "Pak Lurah"},
    ],
)
def test_a_malformed_body_gets_400_with_a_message(client, rt_chair, past_forum, content):
    client.force_login(rt_chair)
    response = send(client, _url(past_forum), submission(rt_chair, **content))
    assert response.status_code == 400
    assert response.json()["message"]
    assert not Attendance.objects.exists()
