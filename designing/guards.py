"""The co-designing condition on the core's activity state machine: a proposal is decided only
after every voting round holding it has closed (DESIGN.md section 3)."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rtkeren.models import ActivityStatus

from .models import VotingRound

DECISIONS = (ActivityStatus.APPROVED, ActivityStatus.REJECTED)


def no_round_still_open(activity, to_status) -> str | None:
    if to_status not in DECISIONS:
        return None
    still_open = (
        VotingRound.objects.filter(proposals=activity)
        .not_closed(timezone.now())
        .order_by("-closes_at")
        .first()
    )
    if still_open is None:
        return None
    return _(
        "The voting round “%(round)s” holding this proposal closes on %(closes)s; decide after "
        "it has closed."
    ) % {
        "round": still_open.title,
        "closes": formats.date_format(timezone.localtime(still_open.closes_at), "DATETIME_FORMAT"),
    }
