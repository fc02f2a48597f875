"""Factories of co-commissioning, on top of the core's."""

import datetime
import io

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from commissioning.models import (
    Attendance,
    Category,
    Element,
    Endorsement,
    Forum,
    InvitedElement,
    Potential,
    PriorityItem,
)
from tests import factories as core


class PotentialFactory(DjangoModelFactory):
    class Meta:
        model = Potential

    title = factory.Sequence(lambda n: f"Sanggar tari {n}")
    category = Category.ARTS
    description = "Anak-anak berlatih tari setiap Minggu sore."
    rt = factory.SubFactory(core.RTFactory)
    kelurahan = factory.LazyAttribute(lambda o: o.rt.rw.kelurahan if o.rt else core.kelurahan())
    author = factory.SubFactory(core.UserFactory)


class EndorsementFactory(DjangoModelFactory):
    class Meta:
        model = Endorsement

    potential = factory.SubFactory(PotentialFactory)
    resident = factory.SubFactory(core.ResidentFactory, rt=factory.SelfAttribute("..potential.rt"))


class ForumFactory(DjangoModelFactory):
    """An RT forum a week from now, inviting residents at large and women."""

    class Meta:
        model = Forum
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Musyawarah RT {n}")
    rt = factory.SubFactory(core.RTFactory)
    rw = factory.LazyAttribute(lambda o: o.rt.rw if o.rt else None)
    kelurahan = factory.LazyAttribute(
        lambda o: o.rt.rw.kelurahan if o.rt else (o.rw.kelurahan if o.rw else core.kelurahan())
    )
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    starts_at = datetime.time(19, 30)
    place = "Balai RT"
    agenda = "Penggalian potensi wilayah."
    organiser = factory.SubFactory(core.UserFactory)

    @factory.post_generation
    def invited(obj, create, extracted, **kwargs):
        for element in extracted if extracted is not None else [Element.GENERAL, Element.WOMEN]:
            InvitedElement.objects.create(forum=obj, element=element)


def held_forum(**fields) -> Forum:
    """A forum that took place three days ago."""
    fields.setdefault("date", timezone.localdate() - datetime.timedelta(days=3))
    fields.setdefault("status", Forum.Status.HELD)
    return ForumFactory(**fields)


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    forum = factory.SubFactory(ForumFactory)
    resident = factory.SubFactory(core.ResidentFactory, rt=factory.SelfAttribute("..forum.rt"))
    element = Element.GENERAL
    resident_age = factory.LazyAttribute(
        lambda o: o.resident.age(o.forum.date) if o.resident else None
    )


class PriorityItemFactory(DjangoModelFactory):
    class Meta:
        model = PriorityItem

    forum = factory.SubFactory(ForumFactory)
    rank = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Prioritas {n}")


def image_bytes(kind: str = "JPEG", size=(40, 30), **options) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "teal").save(output, format=kind, **options)
    return output.getvalue()
