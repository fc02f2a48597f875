"""Obstacles turned into follow-ups: owners, statuses, who sees them, overdue on the home page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import services
from assessment.models import FollowUp
from rtkeren.models import Notification

from .factories import EvaluationFactory, FollowUpFactory

pytestmark = pytest.mark.django_db


def next_week():
    return timezone.localdate() + datetime.timedelta(days=7)


def test_an_officer_turns_an_obstacle_into_a_follow_up(
    officer, rt_chair, activity, django_capture_on_commit_callbacks
):
    evaluation = EvaluationFactory(activity=activity, obstacles="Kain habis.")

    with django_capture_on_commit_callbacks(execute=True):
        follow_up = services.follow_up_create(
            activity=activity,
            by=officer,
            evaluation=evaluation,
            obstacle=evaluation.obstacles,
            action="Pokmas membeli kain tambahan.",
            owner=rt_chair,
            due_on=next_week(),
        )

    assert (follow_up.status, follow_up.owner, follow_up.evaluation) == (
        "open",
        rt_chair,
        evaluation,
    )
    assert Notification.objects.filter(recipient=rt_chair, message__contains="kain").exists()


def test_the_owner_must_belong_to_the_activity(officer, activity, outsider):
    with pytest.raises(ValidationError):
        services.follow_up_create(
            activity=activity,
            by=officer,
            obstacle="x",
            action="y",
            owner=outsider,
            due_on=next_week(),
        )
    assert not FollowUp.objects.exists()


def test_residents_cannot_create_follow_ups(participant, activity, officer):
    with pytest.raises(PermissionDenied):
        services.follow_up_create(
            activity=activity,
            by=participant,
            obstacle="x",
            action="y",
            owner=officer,
            due_on=next_week(),
        )


def test_the_owner_moves_it_through_every_status(rt_chair, activity):
    follow_up = FollowUpFactory(activity=activity, owner=rt_chair)

    services.follow_up_update(follow_up=follow_up, by=rt_chair, status="in_progress")
    with pytest.raises(ValidationError) as error:
        services.follow_up_update(follow_up=follow_up, by=rt_chair, status="done")
    assert "Jelaskan penyelesaiannya" in str(error.value)
    done = services.follow_up_update(
        follow_up=follow_up, by=rt_chair, status="done", resolution="Kain sudah dibeli."
    )

    assert (done.status, done.resolution) == ("done", "Kain sudah dibeli.")
    assert follow_up.history.count() == 3


def test_a_resident_of_the_scope_sees_follow_ups_but_cannot_change_them(
    client, resident_user, outsider, activity, rt_chair
):
    follow_up = FollowUpFactory(activity=activity, owner=rt_chair)
    client.force_login(resident_user)

    assert (
        "Menjadwalkan ulang pelatih"
        in client.get(reverse("assessment:followup-list")).content.decode()
    )
    detail = client.get(reverse("assessment:followup-detail", args=[follow_up.pk]))
    assert detail.status_code == 200
    assert "Perbarui" not in detail.content.decode()
    update = reverse("assessment:followup-update", args=[follow_up.pk])
    assert client.post(update, {"status": "done", "resolution": "x"}).status_code == 403

    client.force_login(outsider)
    assert client.get(reverse("assessment:followup-detail", args=[follow_up.pk])).status_code == 404
    assert (
        "Menjadwalkan ulang pelatih"
        not in client.get(reverse("assessment:followup-list")).content.decode()
    )


def test_overdue_follow_ups_show_on_the_owners_home_page(client, rt_chair, officer, activity):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    FollowUpFactory(activity=activity, owner=rt_chair, due_on=yesterday)
    FollowUpFactory(
        activity=activity, owner=rt_chair, due_on=yesterday, status="done", resolution="ok"
    )
    FollowUpFactory(activity=activity, owner=officer, due_on=yesterday)
    FollowUpFactory(activity=activity, owner=rt_chair)

    client.force_login(rt_chair)
    items = {item.title: item for item in client.get("/").context["attention_items"]}

    overdue = items["Tindak lanjut Anda yang lewat tenggat"]
    assert overdue.count == 1
    assert overdue.url == reverse("assessment:followup-list") + "?mine=1&overdue=1"
    listed = client.get(overdue.url).context["follow_ups"]
    assert [f.owner for f in listed] == [rt_chair]


def test_waiting_evaluations_show_on_the_home_page(client, participant, activity):
    client.force_login(participant)

    items = {item.title: item for item in client.get("/").context["attention_items"]}

    assert items["Kegiatan yang menunggu penilaian Anda"].count == 1
