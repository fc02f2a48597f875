"""Co-delivery on a kelurahan's public page (registered in ``apps.py``): how far each training
got with the products it promised, and the kelurahan's completion rate. Products and counts
only: no attendance, no implementers, no notes."""

from django.db.models import Exists, OuterRef, Prefetch

from rtkeren.models import Activity, Kelurahan, Period

from .models import COMPLETION_STATUSES, Output, completion_summary, outputs_completion


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
        activity.completion = outputs_completion(activity.outputs.all())
    return "delivery/includes/public_section.html", {
        "activities": activities,
        "completion": completion_summary(
            sum(activity.completion["planned"] for activity in activities),
            sum(activity.completion["finished"] for activity in activities),
        ),
    }
