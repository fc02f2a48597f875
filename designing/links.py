"""Where the core's activity page points for the co-designing side of an activity."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from rtkeren.permissions import can
from rtkeren.registry import may_be_origin

#: The query parameter of the proposal form that preselects what the proposal comes from.
ORIGIN_PARAMETER = "asal"


def proposal_link(activity):
    return _("Proposal and discussion"), reverse("designing:proposal-detail", args=[activity.pk])


def propose_from(record, user):
    """A forum priority or a potential, for someone who may propose: the proposal form with it
    chosen as the origin (the form offers it only if it still may be one)."""
    if not may_be_origin(record) or not can(user, "designing.add_proposal", None):
        return None
    key = f"{ContentType.objects.get_for_model(record).pk}:{record.pk}"
    url = reverse("designing:proposal-create") + "?" + urlencode({ORIGIN_PARAMETER: key})
    return _("Propose an activity from this"), url
