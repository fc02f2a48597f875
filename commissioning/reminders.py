"""The reminder co-commissioning sends (``reminder_providers``): the day before a forum."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from rtkeren.models import NotificationKind
from rtkeren.registry import Reminder
from rtkeren.services.reminders import day_before, in_indonesian, reminder_hours_begun

from . import selectors
from .models import Forum
from .services import forum_message

#: The approved WhatsApp template: {{1}} title, {{2}} date, {{3}} time, {{4}} place.
FORUM_TEMPLATE = "rtkeren_pengingat_forum"
# Marked for extraction here; translated in each recipient's language when sent.
FORUM_TOMORROW = gettext_noop(
    "Reminder: the forum “%(title)s” is tomorrow, %(date)s at %(time)s, %(place)s."
)


def forums_tomorrow(now: datetime.datetime) -> list[Reminder]:
    """From 06.00 WIB on the day before a scheduled forum, a reminder to the residents it is
    for (those its scheduling told); one query, and one per forum for its recipients."""
    if not reminder_hours_begun(now):
        return []
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    forums = Forum.objects.filter(status=Forum.Status.SCHEDULED, date=tomorrow).order_by("pk")
    return [
        Reminder(
            key=f"forum-day-before:{forum.pk}:{forum.date.isoformat()}",
            recipients=selectors.notification_recipients(forum),
            message=forum_message(forum, FORUM_TOMORROW),
            url=reverse("commissioning:forum-detail", args=[forum.pk]),
            subject=forum,
            kind=NotificationKind.FORUM,
            template=FORUM_TEMPLATE,
            template_parameters=(
                forum.title,
                in_indonesian(forum.date, "DATE_FORMAT"),
                in_indonesian(forum.starts_at, "TIME_FORMAT"),
                forum.place,
            ),
        )
        for forum in forums
        if day_before(forum.date, now)
    ]
