"""Calendars (RFC 5545) of forums and meetings: one event to add to a phone's calendar, and the
personal feed a calendar application subscribes to.

Times are written in Asia/Jakarta with its VTIMEZONE, so that a calendar shows 19.30 for a
forum at 19.30 WIB wherever the phone is set. A calendar holds what the event's page shows
anyone who may see it, and nothing about the residents taking part.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from rtkeren.registry import CalendarEvent

PRODUCT_ID = "-//RT Keren//Portal RT Keren//ID"
CONTENT_TYPE = "text/calendar; charset=utf-8"
#: A meeting or forum without an end time is taken to last this long.
DEFAULT_LENGTH = datetime.timedelta(hours=2)
#: The feed holds events from this many days back (the current and the coming period).
FEED_DAYS_BACK = 60
#: And at most this many of them, so that a feed never grows without bound.
FEED_LIMIT = 300


def event_times(
    date: datetime.date, starts_at: datetime.time, ends_at: datetime.time | None
) -> tuple[datetime.datetime, datetime.datetime]:
    """When an event held on ``date`` from ``starts_at`` to ``ends_at`` (local time) starts and
    ends, as aware datetimes in the portal's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    starts = datetime.datetime.combine(date, starts_at, tzinfo=zone)
    ends = datetime.datetime.combine(date, ends_at, tzinfo=zone) if ends_at else None
    return starts, ends or starts + DEFAULT_LENGTH


def portal_host() -> str:
    return urlsplit(settings.PORTAL_URL).hostname or "localhost"


def _component(event: CalendarEvent, *, stamp: datetime.datetime) -> Event:
    zone = ZoneInfo(settings.TIME_ZONE)
    url = settings.PORTAL_URL + event.path
    component = Event()
    component.add("uid", f"{event.uid}@{portal_host()}")
    component.add("dtstamp", stamp)
    component.add("dtstart", event.starts.astimezone(zone))
    component.add("dtend", event.ends.astimezone(zone))
    component.add("summary", event.summary)
    component.add("location", event.location)
    component.add("description", url)
    component.add("url", url)
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return component


def calendar_of(events: Iterable[CalendarEvent], *, name: str = "") -> bytes:
    """The iCalendar file of ``events``, with the VTIMEZONE their times need."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().replace(microsecond=0)
    for event in events:
        calendar.add_component(_component(event, stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_download(event: CalendarEvent, *, filename: str) -> HttpResponse:
    """One event as a file to open in a calendar application ("Tambah ke kalender")."""
    response = HttpResponse(calendar_of([event]), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


def feed_response(events: Iterable[CalendarEvent]) -> HttpResponse:
    """A person's calendar feed, read by their calendar application."""
    response = HttpResponse(calendar_of(events, name=_("RT Keren")), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="rtkeren.ics"'
    return response
