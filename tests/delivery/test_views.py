"""The pages of co-delivery do what they say, and bad input gets a clear Indonesian message."""

import pytest
from django.urls import reverse

from delivery.models import Attendance, Implementer, MeetingPhoto, Output
from rtkeren.models import ActivityStatus, Participation, Stage
from tests import factories as core

from . import factories

pytestmark = pytest.mark.django_db


def test_the_chair_ticks_attendance_on_one_form(client, rt_chair, meeting, rt):
    residents = [core.ResidentFactory(rt=rt) for _ in range(3)]
    client.force_login(rt_chair)
    url = reverse("delivery:meeting-attendance", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert all(resident.name in page for resident in residents)
    shown = ",".join(str(r.pk) for r in meeting.activity.rt.residents.order_by("name", "pk"))
    data = {"shown": shown, f"present_{residents[0].pk}": "on", f"present_{residents[1].pk}": "on"}
    response = client.post(url, data, follow=True)
    assert "2 ditambahkan" in response.content.decode()
    data.pop(f"present_{residents[1].pk}")
    client.post(url, data)
    assert list(Attendance.objects.values_list("resident", flat=True)) == [residents[0].pk]
    assert Participation.objects.filter(stage=Stage.DELIVERY).count() == 1


def test_a_damaged_list_changes_nothing(client, rt_chair, meeting, resident):
    client.force_login(rt_chair)
    url = reverse("delivery:meeting-attendance", args=[meeting.pk])
    response = client.post(url, {"shown": "abc", f"present_{resident.pk}": "on"})
    assert response.status_code == 200
    assert "Daftar warga pada formulir rusak" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("finished", "message"),
    [("-3", "tidak boleh kurang dari nol"), ("11", "tidak boleh melebihi target (10)")],
)
def test_output_progress_out_of_range(client, rt_chair, running, finished, message):
    output = factories.OutputFactory(activity=running, target_quantity=10)
    client.force_login(rt_chair)
    response = client.post(
        reverse("delivery:output-update", args=[output.pk]),
        {"finished_quantity": finished, "status": "in_progress"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Output.objects.get(pk=output.pk).finished_quantity == 0


def test_output_plan_and_progress_through_the_pages(client, rt_chair, running):
    client.force_login(rt_chair)
    client.post(
        reverse("delivery:output-create", args=[running.pk]),
        {"name": "Kain batik", "target_quantity": "20", "unit": "lembar"},
    )
    output = Output.objects.get()
    client.post(
        reverse("delivery:output-update", args=[output.pk]),
        {"finished_quantity": "5", "status": "in_progress", "obstacle": "funds"},
    )
    page = client.get(reverse("delivery:activity-detail", args=[running.pk])).content.decode()
    assert "25% selesai (5 dari 20)" in page


def test_an_oversized_photo_gets_a_message(client, rt_chair, meeting, monkeypatch):
    from rtkeren import photos

    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    client.force_login(rt_chair)
    response = client.post(
        reverse("delivery:photo-create", args=[meeting.pk]),
        {"image": factories.image_upload()},
        follow=True,
    )
    assert "foto paling besar" in response.content.decode()
    assert not MeetingPhoto.objects.exists()


def test_implementers_are_added_through_the_page(client, rt_chair, running, resident):
    client.force_login(rt_chair)
    url = reverse("delivery:implementer-list", args=[running.pk])
    client.post(url, {"resident": resident.pk, "role": "pelatih"})
    assert Implementer.objects.filter(activity=running, resident=resident).exists()
    response = client.post(url, {"resident": resident.pk, "role": "pelatih"})
    assert "sudah memegang peran ini" in response.content.decode()
    assert Participation.objects.filter(kind="implemented").count() == 1


def test_marking_delivered_too_early_says_why(client, rt_chair, meeting):
    client.force_login(rt_chair)
    url = reverse("delivery:activity-transition", args=[meeting.activity_id, "delivered"])
    response = client.post(url, follow=True)
    assert "belum berlangsung" in response.content.decode()
    meeting.activity.refresh_from_db()
    assert meeting.activity.status == ActivityStatus.IN_DELIVERY


def test_the_delivery_page_names_the_output_that_lacks_an_obstacle(client, rt_chair, running):
    factories.OutputFactory(activity=running, name="Tas anyaman", finished_quantity=3)
    client.force_login(rt_chair)
    page = client.get(reverse("delivery:activity-detail", args=[running.pk])).content.decode()
    assert "“Tas anyaman”" in page
    assert "belum mencapai target" in page
    url = reverse("delivery:activity-transition", args=[running.pk, "delivered"])
    response = client.post(url, follow=True)
    assert "“Tas anyaman”" in response.content.decode()
    running.refresh_from_db()
    assert running.status == ActivityStatus.IN_DELIVERY


def test_an_unknown_transition_is_a_404(client, rt_chair, running):
    client.force_login(rt_chair)
    url = reverse("delivery:activity-transition", args=[running.pk, "evaluated"])
    assert client.post(url).status_code == 404


def test_committee_note_and_task_through_the_page(client, rt_chair, running):
    client.force_login(rt_chair)
    url = reverse("delivery:committee", args=[running.pk])
    client.post(url, {"form": "note", "kind": "decision", "text": "Latihan pindah ke Sabtu."})
    response = client.post(
        url, {"form": "task", "title": "Beli kain", "assignee": rt_chair.pk, "due_on": "bukan"}
    )
    assert response.status_code == 200
    page = client.get(url).content.decode()
    assert "Latihan pindah ke Sabtu." in page
    assert "Beli kain" not in page


def test_the_activity_page_adds_up_the_budget_lines_and_what_is_left(client, rt_chair, running):
    running.budget_lines.all().delete()
    core.BudgetLineFactory(activity=running, quantity=3, unit_price=1_500_000_000)
    core.BudgetLineFactory(activity=running, quantity=2, unit_price=250_000)
    factories.SpendingFactory(activity=running, amount=700_000)
    client.force_login(rt_chair)
    page = client.get(reverse("delivery:activity-detail", args=[running.pk])).content.decode()
    assert "<strong>Rp4.500.500.000</strong>" in page
    assert "<strong>Rp4.499.800.000</strong>" in page


def test_the_activity_page_of_an_activity_without_budget_lines_shows_nothing_left(
    client, rt_chair, running
):
    running.budget_lines.all().delete()
    factories.SpendingFactory(activity=running, amount=700_000)
    client.force_login(rt_chair)
    page = client.get(reverse("delivery:activity-detail", args=[running.pk])).content.decode()
    assert "<strong>Rp0</strong>" in page
    assert 'class="text-danger">-Rp700.000</strong>' in page
