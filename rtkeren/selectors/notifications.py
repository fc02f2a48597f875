"""Reads of a person's notifications."""

from collections.abc import Iterable

from rtkeren.models import (
    PHONE_CHANNELS,
    Channel,
    Consent,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
)

# The bell and the home page's attention item both show the count: one query per request.
_UNREAD_ATTRIBUTE = "_unread_notification_count"


def unread_notification_count(user: User) -> int:
    """How many notifications ``user`` has not read, counted once per user object (that is,
    per request: ``request.user`` is made anew for each)."""
    count = getattr(user, _UNREAD_ATTRIBUTE, None)
    if count is None:
        count = Notification.objects.filter(recipient=user).unread().count()
        setattr(user, _UNREAD_ATTRIBUTE, count)
    return count


def channel_choices(users: Iterable[User], kind: str) -> dict[int, dict[str, str]]:
    """For each user, the channels a notification of ``kind`` goes by, each with its address
    (empty for the bell, the e-mail address, the phone number in E.164). Two queries.

    Without a recorded choice: the bell on; e-mail on if the person has an address and wants
    e-mail at all (``User.email_notifications``); WhatsApp and SMS on only while the resident's
    consent for that channel is in force, and to the number that consent is for. Account
    messages always ring the bell.
    """
    users = list(users)
    ids = [user.pk for user in users]
    chosen = {
        (user_id, channel): enabled
        for user_id, channel, enabled in NotificationPreference.objects.filter(
            user__in=ids, kind=kind
        ).values_list("user", "channel", "enabled")
    }
    phones = {
        (user_id, purpose): phone
        for user_id, purpose, phone in Consent.objects.in_force()
        .filter(resident__user__in=ids, purpose__in=PHONE_CHANNELS)
        .exclude(resident__phone="")
        .values_list("resident__user", "purpose", "resident__phone")
    }
    choices = {}
    for user in users:
        channels = {}
        if kind == NotificationKind.ACCOUNT or chosen.get((user.pk, Channel.BELL), True):
            channels[Channel.BELL] = ""
        if user.email and user.email_notifications and chosen.get((user.pk, Channel.EMAIL), True):
            channels[Channel.EMAIL] = user.email
        for channel in PHONE_CHANNELS:
            phone = phones.get((user.pk, channel))
            if phone and chosen.get((user.pk, channel), True):
                channels[channel] = phone
        choices[user.pk] = channels
    return choices
