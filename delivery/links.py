"""Where the core's activity page points for the delivery of an activity."""

from django.urls import reverse
from django.utils.translation import gettext as _

from rtkeren.models import ActivityStatus

DELIVERY_STATUSES = frozenset(
    {
        ActivityStatus.APPROVED,
        ActivityStatus.IN_DELIVERY,
        ActivityStatus.DELIVERED,
        ActivityStatus.EVALUATED,
    }
)


def delivery_link(activity):
    if activity.status not in DELIVERY_STATUSES:
        return None
    return _("Delivery"), reverse("delivery:activity-detail", args=[activity.pk])
