"""The public page of each kelurahan: what anyone may see without logging in. Published
activities come from the core; the stage apps add their sections through
``rtkeren.registry.public_sections``. Nothing here names a resident: only titles, places,
statuses, money and counts."""

from django.db.models import Count, Prefetch, QuerySet
from django.urls import path
from django.views.generic import DetailView, ListView

from rtkeren.mixins import PublicKelurahanMixin
from rtkeren.models import Activity, ActivityStatus, Kecamatan, Kelurahan, Period
from rtkeren.models.activities import budget_sum
from rtkeren.paginate import counted_page
from rtkeren.registry import public_sections, sections_of

#: Activities the kelurahan has decided to carry out, and their progress: the published ones.
PUBLISHED_STATUSES = (
    ActivityStatus.APPROVED,
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)
ACTIVITIES_PER_PAGE = 25


def published_activities(kelurahan: Kelurahan, period: Period) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(kelurahan=kelurahan, period=period, status__in=PUBLISHED_STATUSES)
        .select_related("rt__rw")
        .with_budget_total()
        .order_by("planned_start", "title", "pk")
    )


def totals_by_status(kelurahan: Kelurahan, period: Period) -> list[dict]:
    """How many published activities and how much budget per status, in the order of the
    state machine (one query)."""
    rows = {
        row["status"]: row
        for row in Activity.objects.filter(
            kelurahan=kelurahan, period=period, status__in=PUBLISHED_STATUSES
        )
        .values("status")
        .annotate(
            # The join with the budget lines repeats an activity once per line.
            count=Count("pk", distinct=True),
            budget=budget_sum(),
        )
        .order_by()
    }
    return [
        {
            "label": status.label,
            "count": rows[status]["count"],
            "budget": rows[status]["budget"] or 0,
        }
        for status in PUBLISHED_STATUSES
        if status in rows
    ]


class KelurahanPublicListView(ListView):
    """The 21 kelurahan of Kota Blitar by kecamatan, each linking to its public page."""

    template_name = "rtkeren/kelurahan_public_list.html"
    context_object_name = "kecamatan_list"

    def get_queryset(self):
        return Kecamatan.objects.order_by("code").prefetch_related(
            Prefetch("kelurahan_set", queryset=Kelurahan.objects.order_by("name"))
        )


class KelurahanPublicView(PublicKelurahanMixin, DetailView):
    template_name = "rtkeren/kelurahan_public.html"

    def get_context_data(self, **kwargs):
        kelurahan = self.object
        period, periods = self.public_year()
        page = counted_page(
            published_activities(kelurahan, period),
            self.request.GET.get("page"),
            ACTIVITIES_PER_PAGE,
        )
        totals = totals_by_status(kelurahan, period)
        return super().get_context_data(
            period=period,
            periods=periods,
            page_obj=page,
            activities=page.object_list,
            status_totals=totals,
            activity_count=sum(row["count"] for row in totals),
            budget_total=sum(row["budget"] for row in totals),
            # Rendered for every visitor: the scorecard in it is cached under the kelurahan's
            # scope version; the other sections read tables no scope version follows.
            sections=sections_of(public_sections, kelurahan, period, self.request.GET),
            **kwargs,
        )


urlpatterns = [
    path("", KelurahanPublicListView.as_view(), name="public-kelurahan-list"),
    path("<str:code>/", KelurahanPublicView.as_view(), name="public-kelurahan"),
]
