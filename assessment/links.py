"""Where the core's activity page points for the evaluation of an activity."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import EVALUATED_STATUSES


def evaluation_link(activity):
    if activity.status not in EVALUATED_STATUSES:
        return None
    return _("Evaluation"), reverse("assessment:evaluation-summary", args=[activity.pk])
