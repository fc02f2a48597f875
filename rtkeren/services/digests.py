"""The daily digest: one message a day per channel for those who chose it, instead of one per
notification (``User.notification_digest``), queued by ``manage.py scheduler``."""

import datetime
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from rtkeren.models import NotificationKind, OutboundMessage
from rtkeren.services.messages import message_queue
from rtkeren.tasks import absolute_url

#: The digest goes from this hour (WIB) on, with what was held until then.
DIGEST_HOUR = 7
#: The approved WhatsApp template: {{1}} how many notifications, {{2}} the notifications page.
DIGEST_TEMPLATE = "rtkeren_ringkasan_harian"
#: The lines an SMS or e-mail digest lists; the rest are counted.
LISTED = 10
LINE_LENGTH = 80


def _digest_text(user, messages: list[OutboundMessage], link: str) -> str:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        heading = _("RT Keren, your notifications of the day (%(count)s):")
        lines = [heading % {"count": len(messages)}]
        for message in messages[:LISTED]:
            summary = message.notification.message if message.notification else message.text
            lines.append("- " + Truncator(" ".join(summary.split())).chars(LINE_LENGTH))
        if len(messages) > LISTED:
            lines.append(_("… and %(count)s more.") % {"count": len(messages) - LISTED})
        lines.append(link)
    return "\n".join(lines)


def _kind_of(messages: list[OutboundMessage]) -> str:
    kinds = {message.kind for message in messages}
    return kinds.pop() if len(kinds) == 1 else NotificationKind.ACTIVITY


@transaction.atomic
def digest_queue(*, user, channel: str, messages: list[OutboundMessage], date) -> bool:
    """Queue the digest of ``messages`` (held for ``user`` on ``channel``) for ``date``, and
    mark them sent in it. False if that day's digest was already queued: they then wait for the
    next day's."""
    link = absolute_url(reverse("notification-list"))
    digest = message_queue(
        user=user,
        channel=channel,
        kind=_kind_of(messages),
        address=messages[-1].address,
        text=_digest_text(user, messages, link),
        template=DIGEST_TEMPLATE,
        parameters=[str(len(messages)), link],
        dedupe_key=f"digest:{user.pk}:{channel}:{date.isoformat()}",
    )
    if digest is None:
        return False
    OutboundMessage.objects.filter(
        pk__in=[message.pk for message in messages], status=OutboundMessage.Status.HELD
    ).update(status=OutboundMessage.Status.IN_DIGEST, updated_at=timezone.now())
    return True


def digests_queue(now: datetime.datetime | None = None) -> int:
    """From 07.00 WIB, queue each person's digest per channel of what was held for them until
    then. Returns how many digests were queued; a second run the same day queues none."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    # What was held in the day before this morning's digest hour: what comes later today waits
    # for tomorrow's, so that a day's notifications never arrive as a digest of one.
    cutoff = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    held = (
        OutboundMessage.objects.filter(status=OutboundMessage.Status.HELD, created_at__lt=cutoff)
        .select_related("user", "notification")
        .order_by("user_id", "channel", "created_at", "pk")
    )
    queued = 0
    for (_user_id, channel), group in groupby(held, key=lambda m: (m.user_id, m.channel)):
        messages = list(group)
        queued += digest_queue(
            user=messages[0].user, channel=channel, messages=messages, date=local.date()
        )
    return queued
