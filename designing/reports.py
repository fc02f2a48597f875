"""Co-designing in the activity report (registered in ``apps.py``): where the proposal came
from, the votes it received and how much it was discussed; counts, never who voted."""

from django.db.models import Count

from rtkeren.models import Activity

from .models import Comment, Vote


def activity_section(activity: Activity, user):
    """Origins, votes per round and the number of visible comments (3 queries)."""
    return "designing/includes/report_section.html", {
        "origins": [origin.label for origin in activity.designing_origins.all()],
        "votes": list(
            Vote.objects.filter(activity=activity)
            .values("round__title")
            .annotate(count=Count("pk"))
            .order_by("round__title")
        ),
        "comment_count": Comment.objects.filter(activity=activity, hidden_at__isnull=True).count(),
    }
