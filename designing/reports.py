"""Co-designing in the activity report (registered in ``apps.py``): where the proposal came
from, the votes it received and how much it was discussed; counts, never who voted."""

from django.db.models import Count
from django.utils import timezone

from rtkeren.models import Activity
from rtkeren.permissions import can

from .models import Comment, Vote


def activity_section(activity: Activity, user):
    """Origins, votes per round and the number of visible comments (3 queries). Counts of a
    round still open are for the kelurahan's officers only, as on the round's own page."""
    votes = Vote.objects.filter(activity=activity)
    if not can(user, "designing.view_live_results", activity.kelurahan):
        votes = votes.filter(round__closes_at__lte=timezone.now(), round__cancelled_at__isnull=True)
    return "designing/includes/report_section.html", {
        "origins": [origin.label for origin in activity.designing_origins.all()],
        "votes": list(
            votes.values("round", "round__title")
            .annotate(count=Count("pk"))
            .order_by("round__title", "round")
        ),
        "comment_count": Comment.objects.filter(activity=activity, hidden_at__isnull=True).count(),
    }
