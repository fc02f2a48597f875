"""The personal calendar feed: a secret address read without logging in, made and revoked from
the profile page, holding the forums and meetings of the person's RT and activities only."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from rtkeren.models import CalendarFeed, RoleAssignment
from rtkeren.registry import calendar_events
from rtkeren.services.calendars import calendar_feed_create, calendar_feed_revoke
from tests import factories as core
from tests.commissioning import factories as commissioning
from tests.delivery import factories as delivery

pytestmark = pytest.mark.django_db


def _feed_url(feed: CalendarFeed) -> str:
    return reverse("calendar-feed", kwargs={"token": feed.token})


def _uids(response) -> set[str]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT")}


@pytest.fixture
def events(rt, other_rt, foreign_rt, kelurahan, rt_chair, outsider, period):
    """Forums and meetings in and out of the scope of a resident of ``rt``."""
    activity = delivery.approved_activity(rt, period=period)
    foreign_activity = delivery.approved_activity(foreign_rt, period=period)
    return {
        "own_forum": commissioning.ForumFactory(rt=rt),
        "kelurahan_forum": commissioning.ForumFactory(rt=None, rw=None, kelurahan=kelurahan),
        "other_rt_forum": commissioning.ForumFactory(rt=other_rt),
        "foreign_forum": commissioning.ForumFactory(rt=foreign_rt),
        "old_forum": commissioning.ForumFactory(
            rt=rt, date=timezone.localdate() - datetime.timedelta(days=90)
        ),
        "own_meeting": delivery.MeetingFactory(activity=activity),
        "foreign_meeting": delivery.MeetingFactory(activity=foreign_activity),
    }


def test_feed_is_read_without_logging_in(client, resident_user, events):
    feed = calendar_feed_create(user=resident_user)

    response = client.get(_feed_url(feed))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert _uids(response) == {
        f"forum-{events['own_forum'].pk}",
        f"forum-{events['kelurahan_forum'].pk}",
        f"meeting-{events['own_meeting'].pk}",
    }
    calendar = Calendar.from_ical(response.content)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]


def test_outsiders_events_are_nowhere_in_a_residents_feed(client, resident_user, events):
    feed = calendar_feed_create(user=resident_user)

    response = client.get(_feed_url(feed))

    calendar = Calendar.from_ical(response.content)
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    uids = _uids(response)
    for name in ("foreign_forum", "other_rt_forum", "old_forum"):
        assert f"forum-{events[name].pk}" not in uids, name
        assert events[name].title not in summaries, name
    assert f"meeting-{events['foreign_meeting'].pk}" not in uids
    assert events["foreign_meeting"].activity.title not in response.content.decode()


def test_outsiders_feed_has_their_events_and_none_of_ours(client, outsider, events):
    feed = calendar_feed_create(user=outsider)

    response = client.get(_feed_url(feed))

    assert _uids(response) == {
        f"forum-{events['foreign_forum'].pk}",
        f"meeting-{events['foreign_meeting'].pk}",
    }


def test_feed_of_those_who_implement_an_activity_has_its_meetings(client, other_rt, period):
    activity = delivery.approved_activity(other_rt, period=period)
    meeting = delivery.MeetingFactory(activity=activity)
    user, resident = core.make_resident_user(other_rt, "pelaksana")
    delivery.ImplementerFactory(activity=activity, resident=resident)
    feed = calendar_feed_create(user=user)

    assert f"meeting-{meeting.pk}" in _uids(client.get(_feed_url(feed)))


def test_revoked_and_unknown_addresses_answer_404(client, resident_user, events):
    feed = calendar_feed_create(user=resident_user)
    calendar_feed_revoke(user=resident_user)

    assert client.get(_feed_url(feed)).status_code == 404
    assert client.get(reverse("calendar-feed", kwargs={"token": "tebakan"})).status_code == 404


def test_a_new_address_ends_the_old_one(client, resident_user):
    old = calendar_feed_create(user=resident_user)
    new = calendar_feed_create(user=resident_user)

    assert client.get(_feed_url(old)).status_code == 404
    assert client.get(_feed_url(new)).status_code == 200
    assert new.token != old.token
    old.refresh_from_db()
    # The revoked address stays on record, with when it was given up.
    assert old.revoked_at is not None
    assert CalendarFeed.objects.active().get(user=resident_user) == new


def test_a_closed_account_has_no_feed(client, resident_user):
    feed = calendar_feed_create(user=resident_user)
    resident_user.is_active = False
    resident_user.save()

    assert client.get(_feed_url(feed)).status_code == 404


def test_the_feed_ends_with_the_role_that_placed_the_person(client, resident_user, events):
    feed = calendar_feed_create(user=resident_user)
    RoleAssignment.objects.filter(user=resident_user).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )

    assert _uids(client.get(_feed_url(feed))) == set()


def _feed_queries(client, url) -> int:
    client.get(url)  # The person's assignments are read once and cached, as on every page.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_feed_queries_hold_at_one_event_and_at_many(client, rt, period, resident_user):
    activity = delivery.approved_activity(rt, period=period)
    delivery.MeetingFactory(activity=activity)
    feed = calendar_feed_create(user=resident_user)
    url = _feed_url(feed)
    # The feed with its user (1), the forums (1), the meetings with their activities (1); the
    # person's assignments come from the cache.
    assert _feed_queries(client, url) == 3

    for _ in range(12):
        commissioning.ForumFactory(rt=rt)
        delivery.MeetingFactory(activity=activity)

    assert _feed_queries(client, url) == 3
    assert len(_uids(client.get(url))) == 25


def test_feed_is_bounded(client, rt, resident_user, monkeypatch):
    monkeypatch.setattr("rtkeren.views.calendars.FEED_LIMIT", 3)
    for _ in range(5):
        commissioning.ForumFactory(rt=rt)
    feed = calendar_feed_create(user=resident_user)

    assert len(_uids(client.get(_feed_url(feed)))) == 3


# Making and revoking the address.


def test_profile_offers_to_make_the_address_then_shows_it(client, resident_user):
    client.force_login(resident_user)
    page = client.get(reverse("account-profile")).content.decode()
    assert reverse("calendar-feed-create") in page

    response = client.post(reverse("calendar-feed-create"))

    assert response.status_code == 302
    feed = CalendarFeed.objects.active().get(user=resident_user)
    page = client.get(reverse("account-profile")).content.decode()
    assert feed.token in page
    assert reverse("calendar-feed-revoke") in page


def test_revoking_from_the_profile_stops_the_address(client, resident_user):
    feed = calendar_feed_create(user=resident_user)
    client.force_login(resident_user)

    response = client.post(reverse("calendar-feed-revoke"))

    assert response.status_code == 302
    assert client.get(_feed_url(feed)).status_code == 404
    assert feed.token not in client.get(reverse("account-profile")).content.decode()


@pytest.mark.parametrize("name", ["calendar-feed-create", "calendar-feed-revoke"])
def test_making_and_revoking_need_a_login(client, name):
    response = client.post(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("name", ["calendar-feed-create", "calendar-feed-revoke"])
def test_making_and_revoking_are_post_only(client, resident_user, name):
    client.force_login(resident_user)

    assert client.get(reverse(name)).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_making_needs_the_csrf_token(resident_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident_user)

    assert client.post(reverse("calendar-feed-create")).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_revoking_touches_only_ones_own_address(client, resident_user, outsider):
    theirs = calendar_feed_create(user=outsider)
    client.force_login(resident_user)

    client.post(reverse("calendar-feed-revoke"))

    assert client.get(_feed_url(theirs)).status_code == 200


def test_forums_and_meetings_fill_the_feed_from_their_apps():
    assert [name for name, _source in calendar_events.items()] == [
        "commissioning.forums",
        "delivery.meetings",
    ]


def test_a_feed_polled_too_often_is_limited_on_its_own(client, resident_user, outsider, settings):
    """A leaked address polled hard gets 429 with Retry-After; another person's feed, from the
    same address, still answers."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "calendar_feed": ("2/h", "100/h")}
    feed = calendar_feed_create(user=resident_user)
    other = calendar_feed_create(user=outsider)

    answers = [client.get(_feed_url(feed)).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert client.get(_feed_url(feed))["Retry-After"]
    assert client.get(_feed_url(other)).status_code == 200
