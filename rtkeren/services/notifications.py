"""In-portal notifications: the one writer every app calls, and marking them read."""

from collections.abc import Callable, Iterable, Sequence
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import Truncator

from rtkeren.models import (
    PHONE_CHANNELS,
    Channel,
    Notification,
    NotificationKind,
    OutboundMessage,
    User,
)
from rtkeren.scopecache import NOTIFICATIONS, person_changed
from rtkeren.selectors.notifications import channel_choices
from rtkeren.services.messages import message_build, messages_queue
from rtkeren.tasks import absolute_url, notification_email_send

MESSAGE_LENGTH = Notification._meta.get_field("message").max_length


def _render(message: str | Promise | Callable[[], str], language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        text = message() if callable(message) else str(message)
    return Truncator(text).chars(MESSAGE_LENGTH)


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[User],
    message: str | Promise | Callable[[], str],
    url: str = "",
    subject: models.Model | None = None,
    kind: str = NotificationKind.ACTIVITY,
    security_notice: bool = False,
    previous_email: str = "",
    template: str = "",
    template_parameters: Sequence[str] = (),
) -> list[Notification]:
    """Send ``message`` to each recipient once, in the recipient's own language.

    Give ``message`` as a lazy translation, or as a callable returning the text (for messages
    with placeholders), so that it is rendered once per language; a plain string is sent as is.
    Recipients with an e-mail address who have not opted out also get it by e-mail, from the
    worker, once the transaction has committed: a rolled-back change e-mails nobody.

    A ``security_notice`` (someone may be taking over the account) is e-mailed to every
    recipient with an address, including those who chose no notifications by e-mail, and to
    ``previous_email`` too: the address an account had before the change it reports.

    Where the notification goes besides is each recipient's choice for its ``kind``
    (``channel_choices``): with the bell off it is kept but already read; WhatsApp and SMS are
    queued as outgoing messages (held for the daily digest of those who chose one, as their
    e-mail is), with the approved WhatsApp ``template`` and its ``template_parameters`` when
    given (the same for every recipient), else the general notification template.
    """
    unique = {user.pk: user for user in recipients if user is not None}
    content_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    choices = channel_choices(unique.values(), kind) if unique else {}
    now = timezone.now()
    notifications = [
        Notification(
            recipient=user,
            message=_render(message, user.language),
            url=url,
            kind=kind,
            content_type=content_type,
            object_id=subject.pk if subject is not None else None,
            created_at=now,
            read_at=None if Channel.BELL in choices[user.pk] else now,
        )
        for user in unique.values()
    ]
    sent = Notification.objects.bulk_create(notifications)
    # bulk_create sends no signal: the recipients' bells count the new ones from now on.
    person_changed(*unique, topic=NOTIFICATIONS)
    previous_email = previous_email if security_notice else ""
    by_email, outgoing = [], []
    for notification in sent:
        user, channels = notification.recipient, choices[notification.recipient_id]
        if previous_email or (user.email and security_notice):
            by_email.append(notification.pk)
        elif Channel.EMAIL in channels:
            if user.notification_digest:
                outgoing.append(_queue(notification, Channel.EMAIL, channels[Channel.EMAIL], now))
            else:
                by_email.append(notification.pk)
        for channel in PHONE_CHANNELS:
            if channel in channels:
                outgoing.append(
                    _queue(
                        notification,
                        channel,
                        channels[channel],
                        now,
                        template,
                        template_parameters,
                    )
                )
    if outgoing:
        messages_queue(outgoing)
    if by_email:
        enqueue = partial(notification_email_send.enqueue, by_email)
        if security_notice:
            enqueue = partial(enqueue, security_notice=True, previous_email=previous_email)
        # robust: the change has committed and the notifications stand even if queueing fails.
        transaction.on_commit(enqueue, robust=True)
    return sent


#: The approved WhatsApp template for a notification: {{1}} the message, {{2}} the link.
NOTIFICATION_TEMPLATE = "rtkeren_pemberitahuan"


def _queue(
    notification: Notification,
    channel: str,
    address: str,
    now,
    template: str = "",
    template_parameters: Sequence[str] = (),
) -> OutboundMessage:
    link = absolute_url(notification.url or reverse("notification-list"))
    return message_build(
        user=notification.recipient,
        channel=channel,
        kind=notification.kind,
        address=address,
        text=f"RT Keren: {notification.message}\n{link}",
        template=template or NOTIFICATION_TEMPLATE,
        parameters=list(template_parameters) if template else [notification.message, link],
        notification=notification,
        hold_for_digest=notification.recipient.notification_digest,
        now=now,
    )


@transaction.atomic
def notification_mark_read(
    *, user: User, notifications: Iterable[Notification] | None = None
) -> int:
    """Mark the user's unread notifications read: all of them, or only those given.

    Notifications of another user among those given are left alone. Returns how many changed.
    """
    queryset = Notification.objects.filter(recipient=user).unread()
    if notifications is not None:
        queryset = queryset.filter(pk__in=[notification.pk for notification in notifications])
    changed = queryset.update(read_at=timezone.now())
    if changed:
        # update() sends no signal: the bell stops counting them from the next page on.
        person_changed(user.pk, topic=NOTIFICATIONS)
    return changed
