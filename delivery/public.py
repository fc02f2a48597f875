"""Co-delivery on a kelurahan's public page (registered in ``apps.py``): how far each training
got with the products it promised, and the kelurahan's completion rate. Products and counts
only: no attendance, no implementers, no notes."""

from django.db.models import Exists, OuterRef, Prefetch, Sum
from django.http import QueryDict

from rtkeren.models import Activity, Kelurahan, Period
from rtkeren.paginate import counted_page

from .models import COMPLETION_STATUSES, Output, completion_summary, outputs_completion

#: Trainings on a page of the public page's outputs.
ACTIVITIES_PER_PAGE = 5
PAGE_PARAM = "luaran"


def kelurahan_section(kelurahan: Kelurahan, period: Period, query: QueryDict):
    """A page of the activities in or past delivery that promised products, each with its
    outputs, and the kelurahan's rate over all of them (3 queries)."""
    page = counted_page(
        Activity.objects.filter(
            Exists(Output.objects.filter(activity=OuterRef("pk"))),
            kelurahan=kelurahan,
            period=period,
            status__in=COMPLETION_STATUSES,
        )
        .select_related("rt__rw")
        .prefetch_related(Prefetch("outputs", queryset=Output.objects.order_by("pk")))
        .order_by("title", "pk"),
        query.get(PAGE_PARAM),
        ACTIVITIES_PER_PAGE,
    )
    for activity in page.object_list:
        activity.completion = outputs_completion(activity.outputs.all())
    totals = Output.objects.filter(
        activity__kelurahan=kelurahan,
        activity__period=period,
        activity__status__in=COMPLETION_STATUSES,
    ).aggregate(planned=Sum("target_quantity"), finished=Sum("finished_quantity"))
    return "delivery/includes/public_section.html", {
        "activities": page.object_list,
        "page_obj": page,
        "page_param": PAGE_PARAM,
        "kelurahan": kelurahan,
        "period": period,
        "completion": completion_summary(totals["planned"] or 0, totals["finished"] or 0),
    }


kelurahan_section.page_params = (PAGE_PARAM,)
