"""A meeting's "Add to calendar" file: RFC 5545, in Asia/Jakarta, for whoever sees the meeting,
by the same permission as its page."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from .test_permissions import READERS, _matrix

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_meeting_file_holds_one_event_with_its_times_in_jakarta(client, resident_user, meeting):
    meeting.ends_at = datetime.time(21, 30)
    meeting.save()
    client.force_login(resident_user)

    response = client.get(reverse("delivery:meeting-calendar", args=[meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="pertemuan-{meeting.pk}.ics"'
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    page = settings.PORTAL_URL + reverse("delivery:meeting-detail", args=[meeting.pk])
    host = settings.PORTAL_URL.split("://")[1].split(":")[0]
    assert str(event["UID"]) == f"meeting-{meeting.pk}@{host}"
    assert str(event["SUMMARY"]) == f"{meeting.title} ({meeting.activity.title})"
    assert str(event["LOCATION"]) == meeting.place
    assert str(event["DESCRIPTION"]) == page
    assert str(event["URL"]) == page
    assert "DTSTAMP" in event
    # 19.00 to 21.30 WIB is 12.00 to 14.30 UTC.
    assert event.decoded("DTSTART").astimezone(UTC) == datetime.datetime.combine(
        meeting.date, datetime.time(12, 0), tzinfo=UTC
    )
    assert event.decoded("DTEND").astimezone(UTC) == datetime.datetime.combine(
        meeting.date, datetime.time(14, 30), tzinfo=UTC
    )
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    # The facilitator is named on the page, but a calendar carries no one's name.
    assert meeting.facilitator.encode() not in response.content


def test_meeting_page_links_to_its_file(client, resident_user, meeting):
    client.force_login(resident_user)

    page = client.get(reverse("delivery:meeting-detail", args=[meeting.pk])).content.decode()

    assert reverse("delivery:meeting-calendar", args=[meeting.pk]) in page


def test_the_file_is_read_by_exactly_those_who_read_the_page(client, request, meeting):
    url = reverse("delivery:meeting-calendar", args=[meeting.pk])

    assert _matrix(client, request, "get", url) == READERS


def test_anonymous_visitor_is_sent_to_log_in(client, meeting):
    response = client.get(reverse("delivery:meeting-calendar", args=[meeting.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_file_is_read_only(client, resident_user, meeting):
    client.force_login(resident_user)

    response = client.post(reverse("delivery:meeting-calendar", args=[meeting.pk]))

    assert response.status_code == 405
