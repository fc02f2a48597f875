"""Forums in calendars: the event of one forum, and the forums of a person's calendar feed."""

import datetime

from django.db.models import Q
from django.urls import reverse

from rtkeren import scopes
from rtkeren.calendars import event_times
from rtkeren.models import Role
from rtkeren.registry import CalendarEvent

from . import selectors
from .models import Forum


def forum_event(forum: Forum) -> CalendarEvent:
    starts, ends = event_times(forum.date, forum.starts_at, forum.ends_at)
    return CalendarEvent(
        uid=f"forum-{forum.pk}",
        summary=forum.title,
        starts=starts,
        ends=ends,
        location=forum.place,
        path=reverse("commissioning:forum-detail", args=[forum.pk]),
        cancelled=forum.status == Forum.Status.CANCELLED,
    )


def _concerning(user) -> Q:
    """Forums of the places ``user`` serves, and those held for the RT they live in (its own,
    its RW's and its kelurahan's)."""
    condition = selectors.forum_scope_filter(user)
    facilitated = scopes.kelurahan_ids(user, Role.FACILITATOR)
    if facilitated:
        condition |= Q(kelurahan__in=facilitated)
    for assignment in scopes.current_assignments(user):
        if assignment.role == Role.RESIDENT and assignment.rt_id:
            rt = assignment.rt
            condition |= (
                Q(rt=rt.pk)
                | Q(rt__isnull=True, rw=rt.rw_id)
                | Q(rw__isnull=True, kelurahan=rt.rw.kelurahan_id)
            )
    return condition


def feed_forums(user, *, since: datetime.date, limit: int) -> list[CalendarEvent]:
    """The forums of ``user``'s calendar feed, among those they may see (one query)."""
    forums = (
        selectors.forums_visible_to(user)
        .filter(_concerning(user), date__gte=since)
        .only("pk", "title", "date", "starts_at", "ends_at", "place", "status")
        .order_by("date", "starts_at", "pk")[:limit]
    )
    return [forum_event(forum) for forum in forums]
