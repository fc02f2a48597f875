"""Messages outside the portal: queueing with quiet hours, sending with retries and backoff.

``message_queue`` is the one writer of ``OutboundMessage``; the worker's task and the
scheduler's sweep both call ``outbound_message_attempt``, which never sends a message twice:
it claims the message first, in its own transaction, then calls the adapter outside any lock.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from rtkeren.channels import PermanentFailure, TemporaryFailure, channel_adapter
from rtkeren.models import (
    PHONE_CHANNELS,
    Consent,
    Notification,
    NotificationKind,
    OutboundMessage,
    User,
)
from rtkeren.tasks import outbound_message_send

#: The wait before each new try after a temporary failure; after the last, the message fails.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
#: How long a try holds its claim: a worker that dies mid-send frees the message after this.
CLAIM = timedelta(minutes=5)
ERROR_LENGTH = OutboundMessage._meta.get_field("last_error").max_length


def quiet_until(moment: datetime) -> datetime | None:
    """The end of the quiet hours (WIB) ``moment`` falls in, or None if it is outside them."""
    local = timezone.localtime(moment)
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if local.hour >= start:
        return morning + timedelta(days=1)
    if local.hour < end:
        return morning
    return None


def not_before(moment: datetime) -> datetime:
    """The first moment at or after ``moment`` when a message may go."""
    return quiet_until(moment) or moment


def message_queue(
    *,
    user: User,
    channel: str,
    kind: str,
    address: str,
    text: str,
    template: str = "",
    parameters: list | None = None,
    notification: Notification | None = None,
    dedupe_key: str = "",
    hold_for_digest: bool = False,
    urgent: bool = False,
    now: datetime | None = None,
) -> OutboundMessage | None:
    """Queue one message; the worker sends it once the transaction commits.

    Night-time messages wait until the morning unless ``urgent`` (a code the person has just
    asked for). A message with a ``dedupe_key`` that was queued before is not queued again:
    returns None then.
    """
    now = now or timezone.now()
    message = OutboundMessage(
        user=user,
        channel=channel,
        kind=kind,
        address=address,
        text=text,
        template=template,
        parameters=list(parameters or []),
        notification=notification,
        dedupe_key=dedupe_key,
        status=OutboundMessage.Status.HELD if hold_for_digest else OutboundMessage.Status.QUEUED,
        send_after=now if urgent else not_before(now),
        created_at=now,
        updated_at=now,
    )
    if dedupe_key:
        if OutboundMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:  # queued at the same moment by another process
            return None
    else:
        message.save()
    if message.status == OutboundMessage.Status.QUEUED:
        transaction.on_commit(lambda: _enqueue(message), robust=True)
    return message


def _enqueue(message: OutboundMessage) -> None:
    task = outbound_message_send
    if message.send_after > timezone.now():
        if not task.get_backend().supports_defer:
            return  # the scheduler's sweep sends it when it is due
        task = task.using(run_after=message.send_after)
    task.enqueue(message.pk)


def _asked_for(message: OutboundMessage) -> bool:
    """An account message that is no copy of a notification: one the person has just asked
    for (a one-time password code to their own verified number). Their request is the ground
    for sending it; the consent to notifications by phone is not."""
    return message.kind == NotificationKind.ACCOUNT and message.notification_id is None


def _consent_in_force(message: OutboundMessage) -> bool:
    if message.channel not in PHONE_CHANNELS or _asked_for(message):
        return True
    return (
        Consent.objects.in_force()
        .filter(
            resident__user=message.user_id,
            resident__phone=message.address,
            purpose=message.channel,
        )
        .exists()
    )


def _claim(message_id: int, now: datetime) -> OutboundMessage | None:
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update()
            .due(now)
            .select_related("user")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return None
        if not _consent_in_force(message):
            message.status = OutboundMessage.Status.CANCELLED
            message.last_error = "consent withdrawn"
            message.updated_at = now
            message.save(update_fields=["status", "last_error", "updated_at"])
            return None
        message.attempts += 1
        message.send_after = now + CLAIM
        message.updated_at = now
        message.save(update_fields=["attempts", "send_after", "updated_at"])
        return message


def outbound_message_attempt(message_id: int, now: datetime | None = None) -> str:
    """Try to send one due message. Returns its status afterwards ('' if it was not due)."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return ""
    error = ""
    try:
        provider_id = channel_adapter(message.channel).send(message)
    except TemporaryFailure as failure:
        error = str(failure) or failure.__class__.__name__
        if message.attempts <= len(RETRY_DELAYS):
            message.status = OutboundMessage.Status.QUEUED
            message.send_after = not_before(now + RETRY_DELAYS[message.attempts - 1])
        else:
            message.status = OutboundMessage.Status.FAILED
    except PermanentFailure as failure:
        error = str(failure) or failure.__class__.__name__
        message.status = OutboundMessage.Status.FAILED
    else:
        message.status = OutboundMessage.Status.SENT
        message.provider_id = provider_id or ""
        message.sent_at = now
    message.last_error = error[:ERROR_LENGTH]
    message.updated_at = now
    message.save(
        update_fields=[
            "status",
            "send_after",
            "provider_id",
            "sent_at",
            "last_error",
            "updated_at",
        ]
    )
    if message.status == OutboundMessage.Status.QUEUED:
        transaction.on_commit(lambda: _enqueue(message), robust=True)
    return message.status


def outbound_messages_dispatch(now: datetime | None = None, limit: int = 500) -> int:
    """Try every due message (the scheduler's sweep: retries, the morning after the quiet
    hours, and messages whose worker died). Returns how many were tried."""
    now = now or timezone.now()
    ids = list(
        OutboundMessage.objects.due(now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        outbound_message_attempt(message_id, now)
    return len(ids)
