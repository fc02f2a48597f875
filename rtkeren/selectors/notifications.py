"""Reads of a person's notifications."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from rtkeren.models import (
    PHONE_CHANNELS,
    Channel,
    Consent,
    Notification,
    NotificationKind,
    NotificationPreference,
    Resident,
    User,
)
from rtkeren.scopecache import NOTIFICATIONS, cached_for_person, read_ahead_of
from rtkeren.selectors.residents import own_entry

# The bell and the home page's attention item both show the count: read once per request.
_UNREAD_ATTRIBUTE = "_unread_notification_count"
#: The name the count is cached under.
UNREAD_ENTRY = "unread-notifications"


def unread_notification_count(user: User) -> int:
    """How many notifications ``user`` has not read, read once per user object (that is, per
    request: ``request.user`` is made anew for each).

    Every logged-in page shows it in the bell, so it is kept under the person's version of
    their notifications (``cached_for_person``), which every notification sent to them, read or
    deleted changes (``rtkeren.signals.notification_changed``, and the services that write them
    in bulk), and filled on login."""
    count = getattr(user, _UNREAD_ATTRIBUTE, None)
    if count is None:
        count = cached_for_person(
            user.pk,
            UNREAD_ENTRY,
            lambda: Notification.objects.filter(recipient=user).unread().count(),
            topic=NOTIFICATIONS,
            ahead=read_ahead_of(user),
        )
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


#: The kinds a person chooses channels for; account messages always ring the bell.
SWITCHABLE_KINDS = [kind for kind in NotificationKind if kind != NotificationKind.ACCOUNT]

NO_EMAIL_ADDRESS = _("Add an e-mail address on your profile to get notifications by e-mail.")
EMAIL_TURNED_OFF = _("You turned off notifications by e-mail on your profile.")
NO_VERIFIED_PHONE = _(
    "Not available yet: your RT chair records your phone number when verifying your account."
)


@dataclass
class ChannelSetting:
    """One channel as the preferences page offers it."""

    channel: str
    label: str
    #: Whether the person can turn it on now (WhatsApp and SMS: also by giving consent there).
    usable: bool
    #: Why not, when it is not usable.
    reason: str = ""
    #: WhatsApp and SMS: the consent in force (None: not given yet) and the text to agree to.
    consent: Consent | None = None
    consent_text: str = ""
    #: Where messages go: the e-mail address or the phone number.
    address: str = ""

    @property
    def needs_consent(self) -> bool:
        return self.channel in PHONE_CHANNELS and self.usable and self.consent is None


@dataclass
class KindSetting:
    kind: str
    label: str
    #: Each channel with whether it is on for this kind.
    channels: list[tuple[ChannelSetting, bool]] = field(default_factory=list)


@dataclass
class NotificationSettings:
    resident: Resident | None
    channels: dict[str, ChannelSetting]
    kinds: list[KindSetting]
    digest: bool

    def is_on(self, kind: str, channel: str) -> bool:
        return any(
            setting.channel == channel and on
            for row in self.kinds
            if row.kind == kind
            for setting, on in row.channels
        )


def notification_settings(user: User) -> NotificationSettings:
    """What the preferences page shows ``user``: each channel, whether they can use it (and why
    not), and for each kind whether it is on, as ``channel_choices`` would decide. Three
    queries (the register entry, the consents in force, the choices), whatever was chosen."""
    resident = Resident.objects.filter(own_entry(user)).only("pk", "phone", "user").first()
    consents = (
        {
            consent.purpose: consent
            for consent in Consent.objects.in_force().filter(
                resident=resident, purpose__in=PHONE_CHANNELS
            )
        }
        if resident is not None
        else {}
    )
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    email_reason = ""
    if not user.email:
        email_reason = NO_EMAIL_ADDRESS
    elif not user.email_notifications:
        email_reason = EMAIL_TURNED_OFF
    channels = {
        Channel.BELL: ChannelSetting(Channel.BELL, Channel.BELL.label, usable=True),
        Channel.EMAIL: ChannelSetting(
            Channel.EMAIL,
            Channel.EMAIL.label,
            usable=not email_reason,
            reason=email_reason,
            address=user.email,
        ),
    }
    phone = resident.phone if resident is not None else ""
    for channel in PHONE_CHANNELS:
        channels[channel] = ChannelSetting(
            channel,
            channel.label,
            usable=bool(phone),
            reason="" if phone else NO_VERIFIED_PHONE,
            consent=consents.get(channel),
            consent_text=str(Consent.TEXTS[channel]),
            address=phone,
        )
    kinds = []
    for kind in SWITCHABLE_KINDS:
        row = KindSetting(kind=kind.value, label=kind.label)
        for channel, setting in channels.items():
            on = setting.usable and chosen.get((kind.value, channel), True)
            if channel in PHONE_CHANNELS:
                on = on and setting.consent is not None
            row.channels.append((setting, on))
        kinds.append(row)
    return NotificationSettings(
        resident=resident, channels=channels, kinds=kinds, digest=user.notification_digest
    )
