"""The writes of co-delivery: the ledger contract, attendance, implementers, outputs, the
committee, photos, spending and the transition to delivered."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from delivery import selectors, services
from delivery.models import Attendance, Implementer, Output, Spending
from rtkeren.models import ActivityStatus, Notification, Participation, Stage
from rtkeren.registry import attention_items
from rtkeren.services.activities import activity_mark_delivered, activity_start_delivery
from rtkeren.transitions import TransitionError
from tests import factories as core

from . import factories

pytestmark = pytest.mark.django_db


def _delivery_rows(activity):
    return Participation.objects.filter(stage=Stage.DELIVERY, activity=activity)


# The ledger.


def test_implementing_writes_one_row_per_implementer_row(running, rt_chair, resident):
    for role in (Implementer.Role.TRAINER, Implementer.Role.DOCUMENTATION):
        services.implementer_add(activity=running, by=rt_chair, resident=resident, role=role)
    rows = _delivery_rows(running).filter(kind=services.KIND_IMPLEMENTED)
    assert rows.count() == 2
    assert {row.subject for row in rows.all()} == set(Implementer.objects.filter(activity=running))
    with pytest.raises(ValidationError, match="sudah memegang peran ini"):
        services.implementer_add(
            activity=running, by=rt_chair, resident=resident, role=Implementer.Role.TRAINER
        )
    assert rows.count() == 2
    implementer = Implementer.objects.filter(activity=running).first()
    services.implementer_remove(implementer=implementer, by=rt_chair)
    assert rows.count() == 1


def test_an_implementer_from_elsewhere_is_refused(running, rt_chair, outsider):
    with pytest.raises(ValidationError, match="warga aktif dari RT atau kelurahan"):
        services.implementer_add(
            activity=running, by=rt_chair, resident=outsider.resident, role="pelatih"
        )
    assert not Implementer.objects.exists()


def test_attendance_writes_one_row_per_resident_per_meeting(running, meeting, rt_chair, rt):
    residents = [core.ResidentFactory(rt=rt) for _ in range(3)]
    ids = {resident.pk for resident in residents}
    change = services.attendance_mark(meeting=meeting, by=rt_chair, present=ids)
    assert change.added == 3
    again = services.attendance_mark(meeting=meeting, by=rt_chair, present=ids)
    assert again.added == 0
    rows = _delivery_rows(running).filter(kind=services.KIND_ATTENDED)
    assert rows.count() == 3
    assert all(not row.on_behalf and row.recorded_by == rt_chair for row in rows.all())
    assert {row.occurred_on for row in rows.all()} == {meeting.date}
    services.attendance_mark(
        meeting=meeting, by=rt_chair, present=ids - {residents[0].pk}, absent={residents[0].pk}
    )
    assert rows.count() == 2
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_a_chair_may_record_a_minor_who_stays_off_public_lists(meeting, rt_chair, rt):
    child = core.ResidentFactory(rt=rt, birth_date=timezone.localdate().replace(year=2020))
    services.attendance_mark(meeting=meeting, by=rt_chair, present={child.pk})
    attendance = Attendance.objects.get(resident=child)
    assert attendance.is_minor
    assert list(selectors.attendance_of(meeting, public=True)) == []


def test_attendance_of_a_resident_of_another_rt_changes_nothing(meeting, rt_chair, other_rt):
    stranger = core.ResidentFactory(rt=other_rt)
    neighbour = core.ResidentFactory(rt=meeting.activity.rt)
    with pytest.raises(ValidationError, match="bukan warga aktif"):
        services.attendance_mark(meeting=meeting, by=rt_chair, present={stranger.pk, neighbour.pk})
    assert not Attendance.objects.exists()
    assert not Participation.objects.exists()


def test_attendance_is_for_managers(meeting, resident_user, resident):
    with pytest.raises(PermissionDenied):
        services.attendance_mark(meeting=meeting, by=resident_user, present={resident.pk})


# Outputs and completion.


@pytest.mark.parametrize(
    ("finished", "status", "message"),
    [
        (-1, "in_progress", "kurang dari nol"),
        (11, "in_progress", "melebihi target"),
        (5, "finished", "seluruh target"),
        (3, "not_started", "sudah dimulai"),
    ],
)
def test_bad_progress_is_refused(running, rt_chair, finished, status, message):
    output = factories.OutputFactory(activity=running, target_quantity=10)
    with pytest.raises(ValidationError, match=message):
        services.output_progress(
            output=output, by=rt_chair, finished_quantity=finished, status=status
        )
    assert Output.objects.get(pk=output.pk).finished_quantity == 0


def test_an_other_obstacle_needs_a_note(running, rt_chair):
    output = factories.OutputFactory(activity=running)
    with pytest.raises(ValidationError, match="Jelaskan kendalanya"):
        services.output_progress(
            output=output, by=rt_chair, finished_quantity=2, status="in_progress", obstacle="other"
        )
    services.output_progress(
        output=output,
        by=rt_chair,
        finished_quantity=2,
        status="in_progress",
        obstacle="materials",
        obstacle_note="Malam batik habis",
    )
    output.refresh_from_db()
    assert (output.finished_quantity, output.obstacle) == (2, "materials")


def test_completion_per_activity_and_for_the_kelurahan(running, rt, other_rt, period, kelurahan):
    factories.OutputFactory(
        activity=running, target_quantity=10, finished_quantity=10, status="finished"
    )
    factories.OutputFactory(
        activity=running, target_quantity=20, finished_quantity=5, status="in_progress"
    )
    other = factories.approved_activity(other_rt, period=period, status=ActivityStatus.DELIVERED)
    factories.OutputFactory(activity=other, target_quantity=10, finished_quantity=0)
    # Not counted: still only approved, and a cancelled one.
    approved = factories.approved_activity(rt, period=period)
    factories.OutputFactory(activity=approved, target_quantity=50)
    cancelled = factories.approved_activity(rt, period=period, status=ActivityStatus.CANCELLED)
    factories.OutputFactory(activity=cancelled, target_quantity=50)

    assert Output.objects.filter(activity=running).completion() == {
        "planned": 30,
        "finished": 15,
        "rate": 50,
    }
    assert selectors.kelurahan_completion(kelurahan=kelurahan, period=period) == {
        "planned": 40,
        "finished": 15,
        "rate": 37,  # 37.5 rounded down: 100% only when everything is finished
    }
    assert Output.objects.none().completion()["rate"] is None


def test_kelurahan_completion_is_one_query(django_assert_num_queries, kelurahan, period):
    with django_assert_num_queries(1):
        selectors.kelurahan_completion(kelurahan=kelurahan, period=period)


# The committee.


def test_tasks_appear_on_the_assignees_home_page(client, running, rt_chair, resident_user):
    factories.ImplementerFactory(activity=running, resident=resident_user.resident)
    services.task_assign(
        activity=running,
        by=rt_chair,
        title="Beli malam batik",
        assignee=resident_user,
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    services.task_assign(
        activity=running,
        by=rt_chair,
        title="Foto kegiatan",
        assignee=resident_user,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    counts = {item.title: item.count for item in attention_items(resident_user)}
    assert counts["Tugas pengurus Anda yang belum selesai"] == 2
    assert counts["Tugas pengurus Anda yang lewat tenggat"] == 1
    client.force_login(resident_user)
    page = client.get(reverse("home")).content.decode()
    assert "Tugas pengurus Anda yang lewat tenggat" in page
    assert "Beli malam batik" in client.get(reverse("delivery:task-list")).content.decode()


def test_an_implementer_marks_a_task_done_from_the_task_list(
    client, running, rt_chair, resident_user
):
    factories.ImplementerFactory(activity=running, resident=resident_user.resident)
    task = services.task_assign(
        activity=running,
        by=rt_chair,
        title="Beli malam batik",
        assignee=resident_user,
        due_on=timezone.localdate(),
    )
    client.force_login(resident_user)
    page = client.get(reverse("delivery:task-list")).content.decode()
    assert reverse("delivery:task-done", args=[task.pk]) in page
    # The list links to pages the implementer may open, not to the committee's records.
    assert reverse("delivery:committee", args=[running.pk]) not in page

    response = client.post(reverse("delivery:task-done", args=[task.pk]), {"done": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:task-list")
    assert client.get(response["Location"]).status_code == 200
    task.refresh_from_db()
    assert task.is_done


def test_a_task_for_someone_from_elsewhere_is_refused(running, rt_chair, outsider):
    with pytest.raises(ValidationError, match="pelaksana atau pengelola"):
        services.task_assign(
            activity=running,
            by=rt_chair,
            title="x",
            assignee=outsider,
            due_on=timezone.localdate(),
        )


def test_attention_is_one_query(django_assert_num_queries, resident_user):
    from delivery.attention import committee_tasks
    from rtkeren.registry import with_counts

    with django_assert_num_queries(1):
        with_counts(committee_tasks(resident_user))


# Notifications.


def test_meeting_planned_or_moved_notifies_implementers_and_attendees(
    running, rt_chair, meeting, rt, django_capture_on_commit_callbacks
):
    implementer_user, implementer = core.make_resident_user(rt, "pelatih")
    factories.ImplementerFactory(activity=running, resident=implementer)
    attendee_user, attendee = core.make_resident_user(rt, "peserta")
    factories.AttendanceFactory(meeting=meeting, resident=attendee)
    details = services.MeetingDetails(
        title="Latihan mewarnai",
        date=timezone.localdate() + datetime.timedelta(days=3),
        starts_at=datetime.time(19, 0),
        place="Balai RT",
    )
    with django_capture_on_commit_callbacks(execute=True):
        planned = services.meeting_plan(activity=running, by=rt_chair, details=details)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        implementer_user.pk,
        attendee_user.pk,
    }
    assert "dijadwalkan" in Notification.objects.first().message
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            meeting=planned,
            by=rt_chair,
            details=services.MeetingDetails(**{**details.__dict__, "title": "Judul baru"}),
        )
    assert Notification.objects.count() == 2  # the title alone is no move
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            meeting=planned,
            by=rt_chair,
            details=services.MeetingDetails(**{**details.__dict__, "place": "Masjid"}),
        )
    assert Notification.objects.filter(message__contains="berubah").count() == 2


# Photos and spending.


def test_a_photo_is_resized(meeting, rt_chair):
    photo = services.meeting_photo_add(
        meeting=meeting, by=rt_chair, image=factories.image_upload(size=(4000, 3000))
    )
    from PIL import Image

    with Image.open(photo.image) as image:
        assert max(image.size) == 1600


def test_an_oversized_or_false_photo_is_refused(meeting, rt_chair, monkeypatch):
    from rtkeren import photos

    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    with pytest.raises(ValidationError, match="paling besar"):
        services.meeting_photo_add(meeting=meeting, by=rt_chair, image=factories.image_upload())
    monkeypatch.undo()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("foto.jpg", b"bukan foto", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="bukan foto"):
        services.meeting_photo_add(meeting=meeting, by=rt_chair, image=fake)
    assert not meeting.photos.exists()


def _spend(activity, by, amount, reason=""):
    return services.spending_record(
        activity=activity,
        by=by,
        spent_on=timezone.localdate(),
        item="Kain mori",
        amount=amount,
        receipt=factories.image_upload(),
        over_budget_reason=reason,
    )


def test_spending_above_the_budget_needs_a_reason(running, rt_chair):
    _spend(running, rt_chair, 600_000)
    with pytest.raises(ValidationError, match="melebihi anggaran yang disetujui"):
        _spend(running, rt_chair, 200_000)
    assert Spending.objects.count() == 1
    line = _spend(running, rt_chair, 200_000, reason="Harga kain naik")
    assert line.over_budget_reason == "Harga kain naik"
    assert selectors.spent_on(running) == 800_000


def test_spending_page_shows_the_remaining_amount(client, running, rt_chair):
    _spend(running, rt_chair, 250_000)
    client.force_login(rt_chair)
    page = client.get(reverse("delivery:spending-list", args=[running.pk])).content.decode()
    assert "Rp450.000" in page


def test_spending_through_the_page_refuses_bad_input(client, running, rt_chair):
    client.force_login(rt_chair)
    url = reverse("delivery:spending-list", args=[running.pk])
    response = client.post(
        url,
        {
            "spent_on": "2030-01-01",
            "item": "Kain",
            "amount": "-5",
            "receipt": factories.image_upload(),
        },
    )
    assert response.status_code == 200
    assert "paling sedikit Rp1" in response.content.decode()
    assert not Spending.objects.exists()


# Transitions.


def test_delivered_only_after_the_last_meeting(activity, rt_chair):
    activity_start_delivery(activity=activity, by=rt_chair)
    factories.meeting_at(activity, timezone.now() - datetime.timedelta(days=2))
    coming = factories.meeting_at(activity, timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(TransitionError, match="belum berlangsung"):
        activity_mark_delivered(activity=activity, by=rt_chair)
    coming.delete()
    activity_mark_delivered(activity=activity, by=rt_chair)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DELIVERED


def test_an_output_below_target_needs_an_obstacle_before_delivered(running, rt_chair):
    short = factories.OutputFactory(
        activity=running, name="Kain batik tulis", finished_quantity=4, status="in_progress"
    )
    untouched = factories.OutputFactory(activity=running, name="Selendang")
    factories.OutputFactory(
        activity=running, name="Taplak", finished_quantity=10, status="finished"
    )
    with pytest.raises(TransitionError) as refused:
        activity_mark_delivered(activity=running, by=rt_chair)
    message = " ".join(refused.value.messages)
    assert "“Kain batik tulis”, “Selendang”" in message
    assert "kendala" in message
    assert "Taplak" not in message
    running.refresh_from_db()
    assert running.status == ActivityStatus.IN_DELIVERY
    for output in (short, untouched):
        services.output_progress(
            output=output,
            by=rt_chair,
            finished_quantity=output.finished_quantity,
            status=output.status,
            obstacle="materials",
        )
    activity_mark_delivered(activity=running, by=rt_chair)
    running.refresh_from_db()
    assert running.status == ActivityStatus.DELIVERED


def test_a_coordinator_counts_as_coordinator_for_the_core(running, coordinator, rt_chair):
    factories.meeting_at(running, timezone.now() - datetime.timedelta(days=1))
    activity_mark_delivered(activity=running, by=coordinator)
    running.refresh_from_db()
    assert running.status == ActivityStatus.DELIVERED
    assert running.transitions.get().by == coordinator
