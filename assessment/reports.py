"""Co-assessment in the printable reports (registered in ``apps.py``): the evaluation averages
side by side (never individual evaluations) and the follow-ups; the RT's scorecard."""

from rtkeren.models import RT, Activity, Period

from . import scorecard, selectors
from .models import EVALUATED_STATUSES, FollowUp


def activity_section(activity: Activity, user):
    """Averages per criterion for each side, and every follow-up (4 queries)."""
    if activity.status not in EVALUATED_STATUSES:
        return None
    return "assessment/includes/report_section.html", {
        "summary": selectors.side_by_side(activity),
        "follow_ups": list(
            FollowUp.objects.filter(activity=activity)
            .select_related("owner")
            .order_by("status", "due_on", "pk")
        ),
    }


def rt_section(rt: RT, period: Period, user):
    """The RT's scorecard of the period and its follow-ups still open (4 queries)."""
    return "assessment/includes/report_section_rt.html", {
        "card": scorecard.scorecard(scope=scorecard.Scope(rt=rt), period=period),
        "follow_ups": list(
            FollowUp.objects.not_done()
            .filter(activity__rt=rt, activity__period=period)
            .select_related("activity", "owner")
            .order_by("due_on", "pk")
        ),
    }
