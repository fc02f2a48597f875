"""Co-delivery on a kelurahan's public page (registered in ``apps.py``): how far each training
got with the products it promised, and the kelurahan's completion rate. Products and counts
only: no attendance, no implementers, no notes."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum
from django.http import QueryDict

from rtkeren.models import Activity, Kelurahan, Period
from rtkeren.paginate import counted_page
from rtkeren.prepared import Prepared, totals

from .models import COMPLETION_STATUSES, Output, completion_summary, outputs_completion

#: Trainings on a page of the public page's outputs.
ACTIVITIES_PER_PAGE = 5
PAGE_PARAM = "luaran"


def kelurahan_section(kelurahan: Kelurahan, period: Period, query: QueryDict):
    """A page of the activities in or past delivery that promised products, each with its
    outputs, and the kelurahan's rate over all of them (3 queries, each prepared)."""
    values = {"kelurahan": kelurahan.pk, "period": period.pk}
    page = counted_page(
        Prepared(Activity, _with_outputs, (), values), query.get(PAGE_PARAM), ACTIVITIES_PER_PAGE
    )
    for activity in page.object_list:
        activity.completion = outputs_completion(activity.outputs.all())
    [(planned, finished)] = Prepared(Output, _totals, (), values).tuples()
    return "delivery/includes/public_section.html", {
        "activities": page.object_list,
        "page_obj": page,
        "page_param": PAGE_PARAM,
        "kelurahan": kelurahan,
        "period": period,
        "completion": completion_summary(planned or 0, finished or 0),
    }


def _with_outputs(shape: tuple, values: dict) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(
            Exists(Output.objects.filter(activity=OuterRef("pk"))),
            kelurahan=values["kelurahan"],
            period=values["period"],
            status__in=COMPLETION_STATUSES,
        )
        .select_related("rt__rw")
        .prefetch_related(Prefetch("outputs", queryset=Output.objects.order_by("pk")))
        .order_by("title", "pk")
    )


def _totals(shape: tuple, values: dict) -> QuerySet[Output]:
    """The products promised and finished over all of them: one row."""
    outputs = Output.objects.filter(
        activity__kelurahan=values["kelurahan"],
        activity__period=values["period"],
        activity__status__in=COMPLETION_STATUSES,
    )
    return totals(outputs, planned=Sum("target_quantity"), finished=Sum("finished_quantity"))


kelurahan_section.page_params = (PAGE_PARAM,)
