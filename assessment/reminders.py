"""The reminder co-assessment sends (``reminder_providers``): the day before an activity's
evaluation window closes, to its participants who have not evaluated it."""

import datetime

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rtkeren.models import Activity, ActivityStatus, NotificationKind
from rtkeren.registry import Reminder
from rtkeren.selectors.residents import confirmed_accounts
from rtkeren.services.reminders import day_before, in_indonesian, reminder_hours_begun
from rtkeren.tasks import absolute_url

from . import selectors

#: The approved WhatsApp template: {{1}} activity, {{2}} until when, {{3}} link.
EVALUATION_TEMPLATE = "rtkeren_pengingat_evaluasi"
# Marked for extraction here; translated in each recipient's language when sent.
WINDOW_CLOSING = gettext_noop(
    "Reminder: you can evaluate “%(title)s” until %(date)s. How did it go, and what got in the way?"
)


def _message(title: str, closes_at: datetime.datetime):
    def render() -> str:
        return _(WINDOW_CLOSING) % {
            "title": title,
            "date": formats.date_format(closes_at, "DATETIME_FORMAT"),
        }

    return render


def windows_closing(now: datetime.datetime) -> list[Reminder]:
    """From 06.00 WIB on the day before an activity's evaluation window closes, a reminder to
    the residents who took part in it and have not evaluated it; one query (the activities with
    their periods), and one per activity for its recipients."""
    if not reminder_hours_begun(now):
        return []
    activities = (
        selectors.with_delivered_at(Activity.objects.filter(status=ActivityStatus.DELIVERED))
        .filter(selectors.window_open_condition(now))
        .select_related("period")
        .order_by("pk")
    )
    reminders = []
    for activity in activities:
        closes_at = timezone.localtime(selectors.window_closes_at(activity))
        if not day_before(closes_at.date(), now):
            continue
        url = reverse("assessment:evaluation-summary", args=[activity.pk])
        reminders.append(
            Reminder(
                key=f"evaluation-closing:{activity.pk}:{closes_at:%Y%m%d}",
                recipients=confirmed_accounts(selectors.residents_without_evaluation(activity)),
                message=_message(activity.title, closes_at),
                url=url,
                subject=activity,
                kind=NotificationKind.EVALUATION,
                template=EVALUATION_TEMPLATE,
                template_parameters=(
                    activity.title,
                    in_indonesian(closes_at, "DATETIME_FORMAT"),
                    absolute_url(url),
                ),
            )
        )
    return reminders
