"""Meetings in calendars: the event of one meeting, and the meetings of a person's calendar
feed."""

import datetime

from django.db.models import Q
from django.urls import reverse

from rtkeren import scopes
from rtkeren.models import Role
from rtkeren.registry import CalendarEvent

from . import selectors
from .models import Implementer, Meeting


def meeting_event(meeting: Meeting) -> CalendarEvent:
    """The meeting's event (reads ``meeting.activity``: select it with the meeting)."""
    return CalendarEvent(
        uid=f"meeting-{meeting.pk}",
        summary=f"{meeting.title} ({meeting.activity.title})",
        starts=meeting.starts,
        ends=meeting.ends,
        location=meeting.place,
        path=reverse("delivery:meeting-detail", args=[meeting.pk]),
    )


def _concerning(user) -> Q:
    """Meetings of the activities ``user`` takes part in, of those of the RTs they live in or
    chair (and of their kelurahans as a whole), and of the places they serve."""
    condition = Q(activity__in=Implementer.objects.filter(resident__user=user).values("activity"))
    rts = scopes.rt_ids(user, Role.RESIDENT, Role.RT_CHAIR)
    if rts:
        condition |= Q(activity__rt__in=rts)
    home_kelurahan = {
        assignment.rt.rw.kelurahan_id
        for assignment in scopes.current_assignments(user)
        if assignment.role == Role.RESIDENT and assignment.rt_id
    }
    if home_kelurahan:
        condition |= Q(activity__rt__isnull=True, activity__kelurahan__in=home_kelurahan)
    rws = scopes.rw_ids(user, Role.RW_CHAIR)
    if rws:
        condition |= Q(activity__rt__rw__in=rws)
    served = scopes.kelurahan_ids(user, Role.OFFICER, Role.FACILITATOR)
    if served:
        condition |= Q(activity__kelurahan__in=served)
    return condition


def feed_meetings(user, *, since: datetime.date, limit: int) -> list[CalendarEvent]:
    """The meetings of ``user``'s calendar feed, among those they may see (one query)."""
    meetings = (
        Meeting.objects.filter(
            _concerning(user),
            activity__in=selectors.delivery_activities_visible_to(user).values("pk"),
            date__gte=since,
        )
        .select_related("activity")
        .only("pk", "title", "date", "starts_at", "ends_at", "place", "activity__title")
        .order_by("date", "starts_at", "pk")[:limit]
    )
    return [meeting_event(meeting) for meeting in meetings]
