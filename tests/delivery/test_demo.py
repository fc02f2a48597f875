"""The demo data of co-delivery (seeded once for the module, rolled back at its end)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from delivery.demo import RUNNING, TODAY_MEETING, TRAINING
from delivery.models import Attendance, Implementer, Meeting, Output, Spending, Task
from rtkeren.models import Activity, ActivityStatus, Participation, Stage, User


@pytest.mark.django_db
def test_a_delivered_training_with_unfinished_products_and_a_running_activity(seeded):
    training = Activity.objects.get(title=TRAINING)
    assert training.status == ActivityStatus.DELIVERED
    assert (training.rt.number, training.rt.rw.number) == (2, 7)
    assert training.period.is_open
    completion = Output.objects.filter(activity=training).completion()
    assert 0 < completion["rate"] < 100
    assert Output.objects.filter(activity=training).exclude(obstacle="").count() == 2
    assert Spending.objects.filter(activity=training).count() == 2
    running = Activity.objects.get(title=RUNNING)
    assert running.status == ActivityStatus.IN_DELIVERY
    assert Meeting.objects.filter(activity=running).count() == 3
    # The meeting of the day takes self check-in now, whenever the demo is loaded.
    [today] = Meeting.objects.filter(activity=running, title=TODAY_MEETING)
    assert today.is_checkin_open()
    assert today.is_checkin_open(timezone.now() + datetime.timedelta(hours=2))
    assert Task.objects.filter(assignee__username="warga").overdue().count() == 1
    # Other stages' demos may add delivery rows of their own activities.
    rows = Participation.objects.filter(stage=Stage.DELIVERY, activity__in=[training, running])
    ours = [training, running]
    implementers = Implementer.objects.filter(activity__in=ours)
    attendances = Attendance.objects.filter(meeting__activity__in=ours)
    assert rows.filter(kind="implemented").count() == implementers.count()
    assert rows.filter(kind="attended").count() == attendances.count() >= 30


@pytest.mark.django_db
def test_running_the_demo_again_creates_nothing(seeded):
    counts = lambda: (  # noqa: E731
        Activity.objects.count(),
        Meeting.objects.count(),
        Attendance.objects.count(),
        Participation.objects.count(),
    )
    before = counts()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert counts() == before


@pytest.mark.django_db
def test_the_demo_pages_open(seeded, client):
    client.force_login(User.objects.get(username="ketua_rt"))
    for activity in Activity.objects.filter(title__in=[TRAINING, RUNNING]):
        response = client.get(reverse("delivery:activity-detail", args=[activity.pk]))
        assert response.status_code == 200
    assert client.get(reverse("delivery:activity-list")).status_code == 200
