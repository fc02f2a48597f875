"""Factories of co-delivery, on top of the core's."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from delivery.models import (
    Attendance,
    CommitteeNote,
    Implementer,
    Meeting,
    MeetingPhoto,
    Output,
    Spending,
    Task,
)
from rtkeren.models import ActivityStatus
from tests import factories as core


def approved_activity(rt, *, status=ActivityStatus.APPROVED, budget=700_000, **fields):
    """An activity of ``rt`` in a delivery status, with one budget line worth ``budget``."""
    activity = core.ActivityFactory(rt=rt, status=status, **fields)
    core.BudgetLineFactory(activity=activity, quantity=1, unit="paket", unit_price=budget)
    return activity


def meeting_at(activity, start: datetime.datetime, **fields) -> Meeting:
    """A meeting starting at the aware moment ``start``, two hours long (no end time, so that
    a meeting near midnight stays valid)."""
    local = timezone.localtime(start)
    return MeetingFactory(activity=activity, date=local.date(), starts_at=local.time(), **fields)


def image_upload(name="foto.jpg", size=(1200, 900), kind="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 90, 40)).save(buffer, format=kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    activity = factory.SubFactory(core.ActivityFactory, status=ActivityStatus.IN_DELIVERY)
    title = factory.Sequence(lambda n: f"Pertemuan {n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    starts_at = datetime.time(19, 0)
    ends_at = None
    place = "Balai RT"
    facilitator = "Bu Sri (pelatih batik)"
    created_by = factory.SubFactory(core.UserFactory)


class ImplementerFactory(DjangoModelFactory):
    class Meta:
        model = Implementer

    activity = factory.SubFactory(core.ActivityFactory, status=ActivityStatus.IN_DELIVERY)
    resident = factory.SubFactory(core.ResidentFactory, rt=factory.SelfAttribute("..activity.rt"))
    role = Implementer.Role.CORE_PARTICIPANT
    added_by = factory.SubFactory(core.UserFactory)


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    resident = factory.SubFactory(
        core.ResidentFactory, rt=factory.SelfAttribute("..meeting.activity.rt")
    )
    method = Attendance.Method.MARKED


class OutputFactory(DjangoModelFactory):
    class Meta:
        model = Output

    activity = factory.SubFactory(core.ActivityFactory, status=ActivityStatus.IN_DELIVERY)
    name = factory.Sequence(lambda n: f"Kain batik {n}")
    target_quantity = 10
    unit = "lembar"
    finished_quantity = 0
    status = Output.Status.NOT_STARTED
    updated_by = factory.SubFactory(core.UserFactory)


class CommitteeNoteFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeNote

    activity = factory.SubFactory(core.ActivityFactory, status=ActivityStatus.IN_DELIVERY)
    text = "Bahan kain dibeli bendahara hari Sabtu."
    author = factory.SubFactory(core.UserFactory)


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    activity = factory.SubFactory(core.ActivityFactory, status=ActivityStatus.IN_DELIVERY)
    title = factory.Sequence(lambda n: f"Tugas {n}")
    assignee = factory.SubFactory(core.UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    created_by = factory.SubFactory(core.UserFactory)


class PhotoFactory(DjangoModelFactory):
    class Meta:
        model = MeetingPhoto

    meeting = factory.SubFactory(MeetingFactory)
    image = "pelaksanaan/foto/x.jpg"
    uploaded_by = factory.SubFactory(core.UserFactory)


class SpendingFactory(DjangoModelFactory):
    class Meta:
        model = Spending

    activity = factory.SubFactory(core.ActivityFactory, status=ActivityStatus.IN_DELIVERY)
    spent_on = factory.LazyFunction(timezone.localdate)
    item = "Kain mori"
    amount = 100_000
    receipt = "pelaksanaan/nota/x.jpg"
    recorded_by = factory.SubFactory(core.UserFactory)
