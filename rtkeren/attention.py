"""What the core asks people to look at on their home page (see ``rtkeren.registry``)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from rtkeren import scopes
from rtkeren.models import Resident, Role
from rtkeren.prepared import Prepared, id_value
from rtkeren.registry import AttentionItem, Priority, attention, url_or_empty
from rtkeren.selectors.notifications import unread_notification_count


def _waiting(shape: tuple, values: dict):
    return Resident.objects.filter(verification=Resident.Verification.PENDING).filter(
        Q(rt__in=values["rts"]) | Q(rt__rw__kelurahan__in=values["kelurahan"])
    )


@attention.register("core-verification", order=0)
def residents_waiting_for_verification(user) -> list[AttentionItem]:
    # The same people the ``rtkeren.verify_resident`` permission lets through: the RT chair
    # for their RT and the officer for the whole kelurahan.
    rts = scopes.rt_ids(user, Role.RT_CHAIR)
    kelurahan = scopes.kelurahan_ids(user, Role.OFFICER)
    if not rts and not kelurahan:
        return []
    waiting = Prepared(
        Resident, _waiting, (), {"rts": id_value(rts), "kelurahan": id_value(kelurahan)}
    )
    return [
        AttentionItem(
            title=_("Residents waiting for verification"),
            counted=waiting,
            url=url_or_empty("verification-list"),
            priority=Priority.HIGH,
        )
    ]


@attention.register("core-notifications", order=1)
def unread_notifications(user) -> list[AttentionItem]:
    count = unread_notification_count(user)
    return [
        AttentionItem(
            title=_("Unread notifications"),
            count=count,
            url=url_or_empty("notification-list"),
        )
    ]
