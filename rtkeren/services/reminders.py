"""Reminders: what each app says is due, sent to each person once (``manage.py scheduler``).

A reminder goes through ``notification_send``, so it follows each person's channel choices,
the quiet hours and the daily digest, and its ``ReminderSent`` rows are written in the same
transaction: a second run, or a run after a restart, sends nobody the same reminder again.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation

from rtkeren.models import ReminderSent
from rtkeren.registry import Reminder, reminder_providers
from rtkeren.services.notifications import notification_send

logger = logging.getLogger(__name__)


def reminder_hours_begun(now: datetime.datetime) -> bool:
    """Whether the day's reminders may go out: from the end of the quiet hours (06.00 WIB)."""
    return timezone.localtime(now).hour >= settings.QUIET_HOURS_END


def day_before(date: datetime.date, now: datetime.datetime) -> bool:
    """Whether ``now`` is on the day before ``date``, from the morning (06.00 WIB) on."""
    local = timezone.localtime(now)
    return local.date() == date - datetime.timedelta(days=1) and reminder_hours_begun(now)


def in_indonesian(value, format_name: str) -> str:
    """A date, time or moment as a WhatsApp template parameter says it: in Indonesian, WIB."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(value, datetime.time):
            return formats.time_format(value, format_name)
        return formats.date_format(value, format_name)


@transaction.atomic
def reminder_send(*, reminder: Reminder, now: datetime.datetime) -> int:
    """Send ``reminder`` to those of its recipients who have not had it. Returns how many.

    The ``ReminderSent`` rows go in first: a scheduler running beside this one that sends the
    same reminder at the same moment fails on their unique constraint, and its transaction,
    notifications and messages with it, rolls back."""
    recipients = reminder.recipients
    if isinstance(recipients, QuerySet):  # one query, whoever already had it left out there
        due = {user.pk: user for user in recipients.exclude(reminders_sent__key=reminder.key)}
    else:
        had = set(ReminderSent.objects.filter(key=reminder.key).values_list("user_id", flat=True))
        due = {user.pk: user for user in recipients if user.pk not in had}
    if not due:
        return 0
    ReminderSent.objects.bulk_create(
        ReminderSent(user=user, key=reminder.key, sent_at=now) for user in due.values()
    )
    notification_send(
        recipients=due.values(),
        message=reminder.message,
        url=reminder.url,
        subject=reminder.subject,
        kind=reminder.kind,
        template=reminder.template,
        template_parameters=reminder.template_parameters,
    )
    return len(due)


def reminders_send(now: datetime.datetime | None = None) -> int:
    """Send every reminder the apps say is due. Returns how many people were reminded.

    Each provider, and each reminder, goes on its own: one that fails is logged (and sends
    nothing: its transaction rolls back) and the others still go."""
    now = now or timezone.now()
    reminded = 0
    for name, provider in reminder_providers.items():
        try:
            reminders = list(provider(now))
        except Exception:
            logger.exception("Reminder provider %s failed", name)
            continue
        for reminder in reminders:
            try:
                reminded += reminder_send(reminder=reminder, now=now)
            except IntegrityError:  # another scheduler sent it at the same moment
                logger.warning("Reminder %s was being sent by another process", reminder.key)
            except Exception:
                logger.exception("Reminder %s failed", reminder.key)
    return reminded
