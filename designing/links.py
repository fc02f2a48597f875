"""Where the core's activity page points for the co-designing side of an activity."""

from django.urls import reverse
from django.utils.translation import gettext as _


def proposal_link(activity):
    return _("Proposal and discussion"), reverse("designing:proposal-detail", args=[activity.pk])
