"""Co-delivery on a kelurahan's public page (registered in ``apps.py``): how far each training
got with the products it promised, and the kelurahan's completion rate. Products and counts
only: no attendance, no implementers, no notes."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum, Window
from django.http import QueryDict

from rtkeren.models import Activity, Kelurahan, Period
from rtkeren.models.aggregates import sum_per_row
from rtkeren.paginate import counted_page
from rtkeren.prepared import Prepared

from .models import COMPLETION_STATUSES, Output, completion_summary, outputs_completion

#: Trainings on a page of the public page's outputs.
ACTIVITIES_PER_PAGE = 5
PAGE_PARAM = "luaran"


def kelurahan_section(kelurahan: Kelurahan, period: Period, query: QueryDict):
    """A page of the activities in or past delivery that promised products, each with its
    outputs, and the kelurahan's rate over all of them (2 queries, each prepared: the page
    carries the totals)."""
    values = {"kelurahan": kelurahan.pk, "period": period.pk}
    page = counted_page(
        Prepared(Activity, _with_outputs, (), values), query.get(PAGE_PARAM), ACTIVITIES_PER_PAGE
    )
    for activity in page.object_list:
        activity.completion = outputs_completion(activity.outputs.all())
    first = page.object_list[0] if page.object_list else None
    return "delivery/includes/public_section.html", {
        "activities": page.object_list,
        "page_obj": page,
        "page_param": PAGE_PARAM,
        "kelurahan": kelurahan,
        "period": period,
        "completion": completion_summary(
            first.planned_in_all if first else 0, first.finished_in_all if first else 0
        ),
    }


def _with_outputs(shape: tuple, values: dict) -> QuerySet[Activity]:
    """The activities that promised products, each with its outputs, and on each row the
    products promised and finished over all of them (not only the page's): the others promised
    none. Summed per activity on the outputs' index, then over the activities: a join of the
    outputs had PostgreSQL read every output of the city to match them (1,7 ms against 0,4 on
    the city data, and growing with the years)."""
    outputs = Output.objects.all()
    return (
        Activity.objects.filter(
            Exists(Output.objects.filter(activity=OuterRef("pk"))),
            kelurahan=values["kelurahan"],
            period=values["period"],
            status__in=COMPLETION_STATUSES,
        )
        .annotate(
            planned_in_all=Window(Sum(sum_per_row(outputs, "activity", "target_quantity"))),
            finished_in_all=Window(Sum(sum_per_row(outputs, "activity", "finished_quantity"))),
        )
        .with_place_names()
        .prefetch_related(Prefetch("outputs", queryset=Output.objects.order_by("pk")))
        .order_by("title", "pk")
    )


kelurahan_section.page_params = (PAGE_PARAM,)
