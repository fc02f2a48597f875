"""The activity page of co-delivery reads its outputs, its page of meetings (with their photos)
and its implementers through queries prepared once per shape (``rtkeren.prepared``): the rows
the activity's own relations give, for a resident (public names, no minors) and for those who
keep the records, and on a later request of the same shape no query is built again.

The tests run with ``PREPARED_QUERIES_CHECK``: every prepared run below also compares its SQL
and parameters with those Django compiles for the same values (but the last test, which counts
the builds without it)."""

import datetime

import pytest
from django.db.models import BooleanField, Count, Prefetch, Value
from django.urls import reverse
from django.utils import timezone

from delivery import selectors
from delivery.models import Implementer, MeetingPhoto
from rtkeren import prepared
from rtkeren.models import Consent, Resident
from rtkeren.selectors.privacy import consent_in_force
from rtkeren.services.privacy import consent_give
from tests import factories as core
from tests.prepared_support import all_prepared

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_prepared_shapes")]


@pytest.fixture
def busy(running, rt, officer):
    """``running`` with meetings whose photos are public or not, implementers named publicly
    or not and a minor among them, and outputs; another activity with its own of each."""
    agreed = core.ResidentFactory(rt=rt)
    consent_give(resident=agreed, purpose=Consent.Purpose.PHOTO, by=officer)
    consent_give(resident=agreed, purpose=Consent.Purpose.PUBLIC_NAME, by=officer)
    unsure = core.ResidentFactory(rt=rt)
    minor = core.ResidentFactory(
        rt=rt, birth_date=timezone.localdate() - datetime.timedelta(days=10 * 365)
    )
    consent_give(resident=minor, purpose=Consent.Purpose.PUBLIC_NAME, by=officer)

    public, withheld, unattended = factories.MeetingFactory.create_batch(3, activity=running)
    factories.AttendanceFactory(meeting=public, resident=agreed)
    factories.AttendanceFactory(meeting=withheld, resident=agreed)
    factories.AttendanceFactory(meeting=withheld, resident=unsure)
    factories.PhotoFactory.create_batch(2, meeting=public)
    factories.PhotoFactory.create_batch(2, meeting=withheld)
    for resident, role in (
        (agreed, Implementer.Role.COORDINATOR),
        (unsure, Implementer.Role.CORE_PARTICIPANT),
        (minor, Implementer.Role.CORE_PARTICIPANT),
    ):
        factories.ImplementerFactory(activity=running, resident=resident, role=role)
    factories.OutputFactory(activity=running, finished_quantity=4)
    factories.OutputFactory(activity=running, target_quantity=3)

    other = factories.approved_activity(rt)
    factories.PhotoFactory(meeting=factories.MeetingFactory(activity=other))
    factories.ImplementerFactory(activity=other, resident=agreed)
    factories.OutputFactory(activity=other)
    return running


def _meetings_as_before(activity):
    """The meetings as the page read them through the activity's relation, their counts
    joined."""
    return (
        activity.meetings.annotate(
            attendee_count=Count("attendances", distinct=True),
            photo_count=Count("photos", distinct=True),
            photos_public=selectors.photos_shown_beyond_committee(),
        )
        .order_by("date", "starts_at", "pk")
        .prefetch_related(Prefetch("photos", queryset=MeetingPhoto.objects.order_by("pk")))
    )


def _implementers_as_before(activity, public):
    if public:
        name_shown = consent_in_force(Consent.Purpose.PUBLIC_NAME)
    else:
        name_shown = Value(True, output_field=BooleanField())
    queryset = activity.implementers.select_related("resident__rt__rw").annotate(
        name_shown=name_shown
    )
    return queryset.filter(resident__in=Resident.objects.adults()) if public else queryset


def _meetings(rows):
    return [
        (
            row.pk,
            row.attendee_count,
            row.photo_count,
            row.photos_public,
            [(photo.pk, photo.meeting_id) for photo in row.photos.all()],
        )
        for row in rows
    ]


def _implementers(rows):
    return [(row.pk, row.resident.name, row.resident.rt.rw.number, row.name_shown) for row in rows]


@pytest.mark.parametrize("public", [True, False])
def test_the_implementers_prepared_are_the_activitys_own(busy, public):
    for _ in range(2):
        rows = selectors.implementers_of(busy, public=public).rows()
        assert _implementers(rows) == _implementers(_implementers_as_before(busy, public))
    assert len(rows) == (2 if public else 3)
    assert all_prepared(selectors._implementers_of)


def test_the_meetings_and_outputs_prepared_are_the_activitys_own(busy):
    for _ in range(2):
        meetings = selectors.meetings_of(busy).rows()
        outputs = selectors.outputs_of(busy).rows()
        assert _meetings(meetings) == _meetings(_meetings_as_before(busy))
        assert outputs == list(busy.outputs.all())
    assert [(row.attendee_count, row.photo_count, row.photos_public) for row in meetings] == [
        (1, 2, True),
        (2, 2, False),
        (0, 0, False),
    ]
    assert all_prepared(selectors._meetings_of)
    assert all_prepared(selectors._outputs_of)
    assert all_prepared(prepared._related_rows)  # the meetings' photos


@pytest.mark.parametrize(("reader", "public"), [("resident_user", True), ("officer", False)])
def test_the_page_reads_its_lists_prepared(request, client, busy, reader, public):
    client.force_login(request.getfixturevalue(reader))

    response = client.get(reverse("delivery:activity-detail", args=[busy.pk]))

    assert response.status_code == 200
    context = response.context
    assert _meetings(context["page_obj"].object_list) == _meetings(_meetings_as_before(busy))
    assert _implementers(context["implementers"]) == _implementers(
        _implementers_as_before(busy, public)
    )
    assert context["outputs"] == list(busy.outputs.all())
    assert (context["planned"], context["finished"]) == (13, 4)
    for build in (
        selectors._meetings_of,
        selectors._implementers_of,
        selectors._outputs_of,
        prepared._related_rows,
    ):
        assert all_prepared(build), build


@pytest.mark.parametrize("reader", ["resident_user", "officer"])
def test_a_later_request_of_the_same_shape_builds_no_query(
    request, client, monkeypatch, settings, busy, reader
):
    settings.PREPARED_QUERIES_CHECK = False  # the check builds every query again
    builds = []

    def counted(build):
        def counting(shape, values):
            builds.append(build.__name__)
            return build(shape, values)

        return counting

    for module, name in (
        (selectors, "_activity_pages"),
        (selectors, "_meetings_of"),
        (selectors, "_implementers_of"),
        (selectors, "_outputs_of"),
        (prepared, "_related_rows"),
    ):
        monkeypatch.setattr(module, name, counted(getattr(module, name)))
    client.force_login(request.getfixturevalue(reader))
    url = reverse("delivery:activity-detail", args=[busy.pk])

    first = client.get(url)
    # Each query twice, with the two sets of stand-ins.
    assert sorted(set(builds)) == sorted(
        ["_activity_pages", "_meetings_of", "_implementers_of", "_outputs_of", "_related_rows"]
    )
    assert all(builds.count(name) == 2 for name in builds)
    builds.clear()
    second = client.get(url)

    assert builds == []
    assert first.status_code == second.status_code == 200
    assert _meetings(second.context["page_obj"].object_list) == _meetings(_meetings_as_before(busy))
