"""Co-delivery on a kelurahan's public page (registered in ``apps.py``): how far each training
got with the products it promised, and the kelurahan's completion rate. Products and counts
only: no attendance, no implementers, no notes."""

from django.db.models import Exists, OuterRef, Prefetch

from rtkeren.models import Activity, Kelurahan, Period

from .models import COMPLETION_STATUSES, Output, completion_rate


def kelurahan_section(kelurahan: Kelurahan, period: Period):
    """Activities in or past delivery that promised products, each with its outputs (2 queries);
    the kelurahan's rate is summed from the same rows."""
    activities = list(
        Activity.objects.filter(
            Exists(Output.objects.filter(activity=OuterRef("pk"))),
            kelurahan=kelurahan,
            period=period,
            status__in=COMPLETION_STATUSES,
        )
        .select_related("rt__rw")
        .prefetch_related(Prefetch("outputs", queryset=Output.objects.order_by("pk")))
        .order_by("title", "pk")
    )
    for activity in activities:
        outputs = activity.outputs.all()
        activity.planned = sum(output.target_quantity for output in outputs)
        activity.finished = sum(output.finished_quantity for output in outputs)
        activity.rate = completion_rate(activity.finished, activity.planned)
    planned = sum(activity.planned for activity in activities)
    finished = sum(activity.finished for activity in activities)
    return "delivery/includes/public_section.html", {
        "activities": activities,
        "completion": {
            "planned": planned,
            "finished": finished,
            "rate": completion_rate(finished, planned),
        },
    }
