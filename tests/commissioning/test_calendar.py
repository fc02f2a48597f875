"""A forum's "Add to calendar" file: RFC 5545, in Asia/Jakarta, for whoever sees the forum."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from tests import factories as core

UTC = datetime.UTC


def _calendar_of(client, forum):
    response = client.get(reverse("commissioning:forum-calendar", args=[forum.pk]))
    assert response.status_code == 200
    return response, Calendar.from_ical(response.content)


@pytest.mark.django_db
def test_forum_file_holds_one_event_with_its_times_in_jakarta(client, resident_user, forum):
    forum.ends_at = datetime.time(21, 0)
    forum.save()
    core.ResidentFactory(rt=forum.rt, name="Siti Aminah")
    client.force_login(resident_user)

    response, calendar = _calendar_of(client, forum)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="musyawarah-{forum.pk}.ics"'
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    page = settings.PORTAL_URL + reverse("commissioning:forum-detail", args=[forum.pk])
    host = settings.PORTAL_URL.split("://")[1].split(":")[0]
    assert str(event["UID"]) == f"forum-{forum.pk}@{host}"
    assert str(event["SUMMARY"]) == forum.title
    assert str(event["LOCATION"]) == "Balai RT"
    assert str(event["DESCRIPTION"]) == page
    assert str(event["URL"]) == page
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in event
    # 19.30 WIB is 12.30 UTC; the times are written in Asia/Jakarta with its VTIMEZONE.
    starts, ends = event.decoded("DTSTART"), event.decoded("DTEND")
    assert starts.astimezone(UTC) == datetime.datetime.combine(
        forum.date, datetime.time(12, 30), tzinfo=UTC
    )
    assert ends.astimezone(UTC) == datetime.datetime.combine(
        forum.date, datetime.time(14, 0), tzinfo=UTC
    )
    assert event["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert str(calendar["VERSION"]) == "2.0"
    assert "PRODID" in calendar
    # Nothing about the residents: neither the organiser nor anyone of the RT.
    assert b"Siti Aminah" not in response.content
    assert resident_user.resident.name.encode() not in response.content


@pytest.mark.django_db
def test_forum_without_end_lasts_two_hours_and_a_cancelled_one_says_so(
    client, resident_user, cancelled_forum
):
    client.force_login(resident_user)

    _response, calendar = _calendar_of(client, cancelled_forum)

    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(hours=2)
    assert str(event["STATUS"]) == "CANCELLED"


@pytest.mark.django_db
def test_forum_page_links_to_its_file(client, resident_user, forum):
    client.force_login(resident_user)

    response = client.get(reverse("commissioning:forum-detail", args=[forum.pk]))

    assert reverse("commissioning:forum-calendar", args=[forum.pk]) in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client, forum):
    url = reverse("commissioning:forum-calendar", args=[forum.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "foreign_officer"])
def test_other_kelurahan_changing_the_id_gets_404(client, request, persona, forum):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("commissioning:forum-calendar", args=[forum.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["resident_user", "rt_chair", "other_rt_chair", "rw_chair", "officer"]
)
def test_those_who_see_the_forum_get_its_file(client, request, persona, forum):
    client.force_login(request.getfixturevalue(persona))

    _calendar_of(client, forum)


@pytest.mark.django_db
def test_file_is_read_only(client, resident_user, forum):
    client.force_login(resident_user)

    response = client.post(reverse("commissioning:forum-calendar", args=[forum.pk]))

    assert response.status_code == 405


@pytest.mark.django_db
def test_a_kelurahan_forum_is_in_the_file_of_every_rt(client, other_rt, kelurahan_forum):
    user, _resident = core.make_resident_user(other_rt, "tetangga_rw8")
    client.force_login(user)

    _response, calendar = _calendar_of(client, kelurahan_forum)

    assert str(calendar.walk("VEVENT")[0]["UID"]).startswith(f"forum-{kelurahan_forum.pk}@")
