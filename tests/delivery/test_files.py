"""Meeting photos and spending receipts are served by the portal under the rules of the page
that shows them, never from a public folder; a meeting's photos go beyond those who keep the
records only when everyone recorded at the meeting agreed to photos being shown."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Activity, ActivityStatus, Consent
from rtkeren.services.privacy import consent_give, consent_withdraw
from tests import factories as core

from . import factories
from .test_permissions import READERS, RECORD_READERS, _matrix

pytestmark = pytest.mark.django_db

JPEG = factories.image_upload("rapat.jpg", size=(8, 8)).read()


@pytest.fixture
def photo(meeting, rt_chair):
    return factories.PhotoFactory(
        meeting=meeting, image=ContentFile(JPEG, name="rapat.jpg"), uploaded_by=rt_chair
    )


@pytest.fixture
def spending(running, rt_chair):
    return factories.SpendingFactory(
        activity=running, receipt=ContentFile(JPEG, name="nota.jpg"), recorded_by=rt_chair
    )


def attended(meeting, resident, *, photo_consent: bool) -> None:
    factories.AttendanceFactory(meeting=meeting, resident=resident)
    if photo_consent:
        consent_give(resident=resident, purpose=Consent.Purpose.PHOTO, by=resident.user)


def photo_url(photo) -> str:
    return reverse("delivery:photo-file", args=[photo.pk])


def test_a_photo_without_everyone_s_consent_stays_with_the_record_keepers(
    client, request, photo, resident
):
    attended(photo.meeting, resident, photo_consent=False)
    assert _matrix(client, request, "get", photo_url(photo)) == RECORD_READERS


def test_a_photo_of_a_meeting_without_attendance_stays_with_the_record_keepers(
    client, request, photo
):
    assert _matrix(client, request, "get", photo_url(photo)) == RECORD_READERS


def test_a_photo_everyone_present_agreed_to_is_for_those_who_see_the_meeting(
    client, request, photo, resident
):
    attended(photo.meeting, resident, photo_consent=True)
    assert _matrix(client, request, "get", photo_url(photo)) == READERS


def test_a_withdrawn_photo_consent_takes_the_photo_back(client, photo, resident):
    attended(photo.meeting, resident, photo_consent=True)
    consent_withdraw(resident=resident, purpose=Consent.Purpose.PHOTO, by=resident.user)
    client.force_login(resident.user)

    assert client.get(photo_url(photo)).status_code == 403


def test_a_receipt_is_for_those_who_see_the_spending(client, request, spending):
    url = reverse("delivery:receipt-file", args=[spending.pk])
    assert _matrix(client, request, "get", url) == RECORD_READERS


def test_a_receipt_stays_readable_after_the_evaluation(client, officer, spending):
    Activity.objects.filter(pk=spending.activity_id).update(status=ActivityStatus.EVALUATED)
    client.force_login(officer)

    response = client.get(reverse("delivery:receipt-file", args=[spending.pk]))

    assert response.status_code == 200


def test_a_visitor_is_sent_to_the_login_page(client, photo, spending):
    for url in (photo_url(photo), reverse("delivery:receipt-file", args=[spending.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_file_comes_whole_with_private_headers(client, officer, photo):
    client.force_login(officer)

    response = client.get(photo_url(photo))

    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="rapat.jpg"'


def test_a_file_that_is_not_a_picture_is_a_download(client, officer, running, rt_chair):
    spending = factories.SpendingFactory(
        activity=running, receipt=ContentFile(b"%PDF-1.4", name="nota.pdf"), recorded_by=rt_chair
    )
    client.force_login(officer)

    response = client.get(reverse("delivery:receipt-file", args=[spending.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_lost_file_is_not_found(client, officer, meeting):
    lost = factories.PhotoFactory(meeting=meeting, image="pelaksanaan/foto/hilang.jpg")
    client.force_login(officer)

    assert client.get(photo_url(lost)).status_code == 404


def test_behind_the_proxy_the_view_only_names_the_file(client, officer, photo, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    client.force_login(officer)

    response = client.get(photo_url(photo))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response.content == b""
    assert response["Cache-Control"] == "private"


def test_the_pages_link_files_through_the_portal(client, officer, photo, spending):
    client.force_login(officer)
    pages = [
        client.get(reverse("delivery:meeting-detail", args=[photo.meeting_id])),
        client.get(reverse("delivery:activity-detail", args=[photo.meeting.activity_id])),
        client.get(reverse("delivery:spending-list", args=[spending.activity_id])),
        client.get(reverse("delivery:report-lpj", args=[spending.activity.rt_id])),
    ]

    html = "".join(page.content.decode() for page in pages)
    assert photo_url(photo) in html
    assert reverse("delivery:receipt-file", args=[spending.pk]) in html
    assert "/media/" not in html


def test_a_resident_sees_the_photos_only_when_everyone_present_agreed(client, photo, resident, rt):
    attended(photo.meeting, resident, photo_consent=True)
    other = core.ResidentFactory(rt=rt)
    factories.AttendanceFactory(meeting=photo.meeting, resident=other)
    client.force_login(resident.user)
    meeting_page = reverse("delivery:meeting-detail", args=[photo.meeting_id])
    activity_page = reverse("delivery:activity-detail", args=[photo.meeting.activity_id])

    assert photo_url(photo) not in client.get(meeting_page).content.decode()
    assert photo_url(photo) not in client.get(activity_page).content.decode()

    consent_give(resident=other, purpose=Consent.Purpose.PHOTO, by=resident.user)

    assert photo_url(photo) in client.get(meeting_page).content.decode()
    assert photo_url(photo) in client.get(activity_page).content.decode()


def test_the_admin_links_files_through_the_portal(client, admin_user, photo, spending):
    client.force_login(admin_user)
    pages = [
        client.get(reverse("admin:delivery_meeting_change", args=[photo.meeting_id])),
        client.get(reverse("admin:delivery_spending_change", args=[spending.pk])),
    ]

    assert [page.status_code for page in pages] == [200, 200]
    html = "".join(page.content.decode() for page in pages)
    assert f'href="{photo_url(photo)}"' in html
    assert f'href="{reverse("delivery:receipt-file", args=[spending.pk])}"' in html
    assert "/media/" not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


def test_a_photo_takes_as_many_queries_with_one_attendee_as_with_many(client, photo, resident, rt):
    """The consent rule is one subquery, whatever the number of people present."""
    attended(photo.meeting, resident, photo_consent=True)
    client.force_login(resident.user)
    one = _queries(client, photo_url(photo))
    for _ in range(15):
        present = core.ResidentFactory(rt=rt)
        attended(photo.meeting, present, photo_consent=False)
        Consent.objects.create(resident=present, purpose=Consent.Purpose.PHOTO, text="-")

    assert _queries(client, photo_url(photo)) == one
