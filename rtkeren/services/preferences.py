"""A person's choices of where notifications reach them, and the consent WhatsApp and SMS need."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rtkeren.models import PHONE_CHANNELS, Channel, NotificationPreference, User
from rtkeren.selectors.notifications import SWITCHABLE_KINDS, notification_settings
from rtkeren.services.privacy import consent_give

#: A form that does not match the page as it is now: changed by hand, or left open while the
#: person's e-mail address, phone number or consent changed.
STALE_FORM = gettext_lazy(
    "This form is out of date or was changed, so nothing was saved. "
    "Open the page again and choose once more."
)


@transaction.atomic
def notification_preferences_update(
    *,
    user: User,
    enabled: Iterable[tuple[str, str]],
    digest: bool,
    consent_to: Iterable[str] = (),
) -> None:
    """Set ``user``'s choices: ``enabled`` holds the (kind, channel) pairs to have on; every
    other pair of a channel the person can use is turned off. Channels they cannot use (no
    e-mail address, no verified phone) keep their rows, so adding the address later brings back
    what they had. WhatsApp and SMS need the consent in force, or given now (``consent_to``,
    recorded first): without it, turning them on is refused. All or nothing."""
    enabled = set(enabled)
    consent_to = set(consent_to)
    kinds = {kind.value for kind in SWITCHABLE_KINDS}
    if any(kind not in kinds or channel not in Channel.values for kind, channel in enabled):
        raise ValidationError(STALE_FORM, code="stale")
    if not consent_to <= set(PHONE_CHANNELS):
        raise ValidationError(STALE_FORM, code="stale")
    settings = notification_settings(user)
    written = []
    for channel, setting in settings.channels.items():
        wanted = {kind for kind, chosen in enabled if chosen == channel}
        if not setting.usable:
            if wanted or channel in consent_to:
                raise ValidationError(STALE_FORM, code="stale")
            continue
        if setting.needs_consent:
            if channel in consent_to:
                consent_give(resident=settings.resident, purpose=channel, by=user)
            elif wanted:
                raise ValidationError(
                    _(
                        "To get notifications by %(channel)s, tick that you agree to its "
                        "consent text."
                    )
                    % {"channel": setting.label},
                    code="consent",
                )
            else:
                continue
        written.append(channel)
    now = timezone.now()
    existing = {
        (row.kind, row.channel): row
        for row in NotificationPreference.objects.select_for_update().filter(
            user=user, channel__in=written
        )
    }
    created, changed = [], []
    for channel in written:
        for kind in kinds:
            on = (kind, channel) in enabled
            row = existing.get((kind, channel))
            if row is None:
                created.append(
                    NotificationPreference(
                        user=user, channel=channel, kind=kind, enabled=on, changed_at=now
                    )
                )
            elif row.enabled != on:
                row.enabled, row.changed_at = on, now
                changed.append(row)
    NotificationPreference.objects.bulk_create(created)
    NotificationPreference.objects.bulk_update(changed, ["enabled", "changed_at"])
    if user.notification_digest != digest:
        user.notification_digest = digest
        user.save(update_fields=["notification_digest"])
