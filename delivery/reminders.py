"""The reminder co-delivery sends (``reminder_providers``): the day before a meeting."""

import datetime

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rtkeren.models import ActivityStatus, NotificationKind
from rtkeren.registry import Reminder
from rtkeren.services.reminders import day_before, in_indonesian, reminder_hours_begun

from . import selectors
from .models import Meeting

#: The approved WhatsApp template: {{1}} title, {{2}} date, {{3}} time, {{4}} place.
MEETING_TEMPLATE = "rtkeren_pengingat_pertemuan"
# Marked for extraction here; translated in each recipient's language when sent.
MEETING_TOMORROW = gettext_noop(
    "Reminder: a meeting of “%(activity)s” is tomorrow: %(title)s, %(date)s at %(time)s, %(place)s."
)
#: Meetings of activities that are going ahead.
GOING_AHEAD = (ActivityStatus.APPROVED, ActivityStatus.IN_DELIVERY)


def _message(meeting: Meeting):
    def render() -> str:
        return _(MEETING_TOMORROW) % {
            "activity": meeting.activity.title,
            "title": meeting.title,
            "date": formats.date_format(meeting.date, "DATE_FORMAT"),
            "time": formats.time_format(meeting.starts_at, "TIME_FORMAT"),
            "place": meeting.place,
        }

    return render


def meetings_tomorrow(now: datetime.datetime) -> list[Reminder]:
    """From 06.00 WIB on the day before a meeting of an activity going ahead, a reminder to
    its implementers and participants (those its planning told); one query, and one per
    meeting for its recipients."""
    if not reminder_hours_begun(now):
        return []
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    meetings = (
        Meeting.objects.filter(date=tomorrow, activity__status__in=GOING_AHEAD)
        .select_related("activity")
        .order_by("starts_at", "pk")
    )
    return [
        Reminder(
            key=f"meeting-day-before:{meeting.pk}:{meeting.date.isoformat()}",
            recipients=selectors.notification_recipients(meeting.activity),
            message=_message(meeting),
            url=reverse("delivery:meeting-detail", args=[meeting.pk]),
            subject=meeting,
            kind=NotificationKind.MEETING,
            template=MEETING_TEMPLATE,
            template_parameters=(
                f"{meeting.activity.title}: {meeting.title}",
                in_indonesian(meeting.date, "DATE_FORMAT"),
                in_indonesian(meeting.starts_at, "TIME_FORMAT"),
                meeting.place,
            ),
        )
        for meeting in meetings
        if day_before(meeting.date, now)
    ]
