"""Co-commissioning in the yearly RT report (registered in ``apps.py``): how many potentials the
RT recorded and how many forums covering it were held in the period."""

from rtkeren.models import RT, Period

from .models import Forum, Potential


def rt_section(rt: RT, period: Period, user):
    """Two counts (2 queries)."""
    return "commissioning/includes/report_section_rt.html", {
        "potential_count": Potential.objects.filter(
            rt=rt, created_at__date__range=(period.starts_on, period.ends_on)
        ).count(),
        "forum_count": Forum.objects.covering_rt(rt)
        .filter(status=Forum.Status.HELD, date__range=(period.starts_on, period.ends_on))
        .count(),
    }
