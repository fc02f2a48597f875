"""Messages outside the portal: queueing with quiet hours, sending with retries and backoff.

``message_queue`` is the one writer of ``OutboundMessage``; the worker's task and the
scheduler's sweep both call ``outbound_message_attempt``, which never sends a message twice:
it claims the message first, in its own transaction, then calls the adapter outside any lock.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rtkeren.channels import PermanentFailure, TemporaryFailure, channel_adapter
from rtkeren.models import (
    PHONE_CHANNELS,
    Consent,
    DeliveryReport,
    Notification,
    OutboundMessage,
    Resident,
    User,
)
from rtkeren.models.notifications import CONSENT_WITHDRAWN
from rtkeren.permissions import can
from rtkeren.tasks import outbound_message_send, outbound_messages_send

#: The wait before each new try after a temporary failure; after the last, the message fails.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
#: How long a try holds its claim: a worker that dies mid-send frees the message after this.
CLAIM = timedelta(minutes=5)
ERROR_LENGTH = OutboundMessage._meta.get_field("last_error").max_length
#: What is left of the text of a message the person asked for once it has gone.
REDACTED = "[…]"
logger = logging.getLogger(__name__)


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


def message_build(
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
    """One message, not saved yet: night-time messages wait until the morning unless
    ``urgent``, a message the person has just asked for (a password code), which needs no
    consent to the channel either."""
    now = now or timezone.now()
    return OutboundMessage(
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
        on_request=urgent,
        created_at=now,
        updated_at=now,
    )


def message_queue(*, dedupe_key: str = "", **fields) -> OutboundMessage | None:
    """Queue one message (the arguments of ``message_build``); the worker sends it once the
    transaction commits. A message with a ``dedupe_key`` that was queued before is not queued
    again: returns None then."""
    message = message_build(dedupe_key=dedupe_key, **fields)
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


def messages_queue(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    """Queue many messages built by ``message_build`` (a notification to a whole RT): one
    insert, and one task for those due together, whatever their number."""
    saved = OutboundMessage.objects.bulk_create(messages)
    queued = [message for message in saved if message.status == OutboundMessage.Status.QUEUED]
    if queued:
        transaction.on_commit(lambda: _enqueue_many(queued), robust=True)
    return saved


def _enqueue_many(messages: list[OutboundMessage]) -> None:
    now = timezone.now()
    by_time: dict[datetime, list[int]] = {}
    for message in messages:
        by_time.setdefault(max(message.send_after, now), []).append(message.pk)
    task = outbound_messages_send
    for moment, ids in by_time.items():
        if moment > now:
            if not task.get_backend().supports_defer:
                continue  # the scheduler's sweep sends them when they are due
            task.using(run_after=moment).enqueue(ids)
        else:
            task.enqueue(ids)


def _enqueue(message: OutboundMessage) -> None:
    task = outbound_message_send
    if message.send_after > timezone.now():
        if not task.get_backend().supports_defer:
            return  # the scheduler's sweep sends it when it is due
        task = task.using(run_after=message.send_after)
    task.enqueue(message.pk)


def _consent_in_force(message: OutboundMessage) -> bool:
    if message.channel not in PHONE_CHANNELS or message.on_request:
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
            message.last_error = CONSENT_WITHDRAWN
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
    fields = ["status", "send_after", "provider_id", "sent_at", "last_error", "updated_at"]
    if message.on_request and message.status != OutboundMessage.Status.QUEUED:
        # A one-time code is kept only until it has gone (or cannot go): nobody reading the
        # queue afterwards, in the admin or on the officers' page, sees it.
        message.text = REDACTED
        message.parameters = []
        fields += ["text", "parameters"]
    message.save(update_fields=fields)
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


#: Where each reported status may move a message from: forward only (sent → delivered → read),
#: and a failure only of a message not yet delivered.
_REPORT_MOVES = {
    OutboundMessage.Status.DELIVERED: (OutboundMessage.Status.SENT,),
    OutboundMessage.Status.READ: (OutboundMessage.Status.SENT, OutboundMessage.Status.DELIVERED),
    OutboundMessage.Status.FAILED: (OutboundMessage.Status.SENT,),
}
REPORT_ERROR_LENGTH = DeliveryReport._meta.get_field("error").max_length
REPORT_STATUS_LENGTH = DeliveryReport._meta.get_field("status").max_length
PROVIDER_ID_LENGTH = DeliveryReport._meta.get_field("provider_id").max_length


@transaction.atomic
def delivery_reports_record(
    *, channel: str, reports: Iterable, now: datetime | None = None
) -> list[DeliveryReport]:
    """Keep each provider report (``provider_id``, ``status``, ``reported_at``, ``error``) as
    received, and move its message forward: a report arriving late (``sent`` after ``read``)
    changes nothing. Reports about unknown messages are kept without one."""
    now = now or timezone.now()
    reports = [r for r in reports if r.provider_id and len(r.provider_id) <= PROVIDER_ID_LENGTH]
    messages = {
        message.provider_id: message
        for message in OutboundMessage.objects.filter(
            channel=channel, provider_id__in={r.provider_id for r in reports}
        ).only("pk", "provider_id")
    }
    recorded = DeliveryReport.objects.bulk_create(
        DeliveryReport(
            message=messages.get(report.provider_id),
            channel=channel,
            provider_id=report.provider_id,
            status=report.status[:REPORT_STATUS_LENGTH],
            error=report.error[:REPORT_ERROR_LENGTH],
            reported_at=report.reported_at,
            received_at=now,
        )
        for report in reports
    )
    for report in reports:
        message = messages.get(report.provider_id)
        moves_from = _REPORT_MOVES.get(report.status)
        if message is None or moves_from is None:
            continue
        changes = {"status": report.status, "updated_at": now}
        if report.status == OutboundMessage.Status.FAILED:
            changes["last_error"] = (report.error or "failed")[:ERROR_LENGTH]
        # One conditional UPDATE: two reports handled at once cannot move a message backwards.
        OutboundMessage.objects.filter(pk=message.pk, status__in=moves_from).update(**changes)
    return recorded


@transaction.atomic
def outbound_message_retry(*, message: OutboundMessage, by: User, now: datetime | None = None):
    """Queue a failed message again, with its tries counted afresh (an officer's "Kirim ulang",
    after the number or the provider was put right). Only a failed message; consent is checked
    again when it is sent."""
    now = now or timezone.now()
    resident = Resident.objects.filter(user=message.user_id).select_related("rt__rw").first()
    if resident is None or not can(by, "rtkeren.retry_outbound_message", resident):
        raise PermissionDenied(_("Only an officer of the recipient's kelurahan can do this."))
    if message.on_request:
        raise ValidationError(
            _("A code the person asked for is not sent again: they can ask for a new one.")
        )
    updated = OutboundMessage.objects.filter(
        pk=message.pk, status=OutboundMessage.Status.FAILED
    ).update(
        status=OutboundMessage.Status.QUEUED,
        attempts=0,
        send_after=not_before(now),
        updated_at=now,
    )
    if not updated:
        raise ValidationError(_("Only a failed message can be sent again."))
    message.refresh_from_db()
    logger.info("Outgoing message %s queued again by user %s.", message.pk, by.pk)
    transaction.on_commit(lambda: _enqueue(message), robust=True)
    return message
