"""Where the core's activity page points for the delivery of an activity."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import RECORDED_STATUSES


def delivery_link(activity):
    if activity.status not in RECORDED_STATUSES:
        return None
    return _("Delivery"), reverse("delivery:activity-detail", args=[activity.pk])
