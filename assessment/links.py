"""Where the core's activity page points for the evaluation of an activity."""

from django.urls import reverse
from django.utils.translation import gettext as _

from rtkeren.models import ActivityStatus

EVALUATED_STATUSES = frozenset({ActivityStatus.DELIVERED, ActivityStatus.EVALUATED})


def evaluation_link(activity):
    if activity.status not in EVALUATED_STATUSES:
        return None
    return _("Evaluation"), reverse("assessment:evaluation-summary", args=[activity.pk])
