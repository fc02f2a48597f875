"""The public page of each kelurahan: what anyone may see without logging in. Published
activities come from the core; the stage apps add their sections through
``rtkeren.registry.public_sections``. Nothing here names a resident: only titles, places,
statuses, money and counts."""

import datetime
from functools import partial
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView

from rtkeren.mixins import PublicKelurahanMixin
from rtkeren.models import Activity, ActivityStatus, Kecamatan, Kelurahan, Period
from rtkeren.models.activities import budget_sum
from rtkeren.paginate import counted_page
from rtkeren.registry import public_sections, sections_of
from rtkeren.scopecache import cached_for_public

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
    """The same for everyone who opens it: its content is rendered once and shared through the
    cache (``cached_for_public``) until a record it may show changes, a participation in the
    kelurahan changes its scorecard, a voting round it counts closes, or the day ends (a
    follow-up falls overdue)."""

    template_name = "rtkeren/kelurahan_public.html"
    content_template_name = "rtkeren/includes/kelurahan_public_content.html"

    def get_context_data(self, **kwargs):
        kelurahan = self.object
        period, periods = self.public_year()
        shown = {"kelurahan": kelurahan, "period": period, "periods": periods}
        query = shared_query(self.request.GET)
        if query is None:
            content = self.render_content(shown)[0]
        else:
            content = cached_for_public(
                kelurahan.pk,
                f"page:{period.pk}:{get_language()}:{query}",
                partial(self.render_content, shown),
            )
        return super().get_context_data(content=content, **shown, **kwargs)

    def render_content(self, shown: dict) -> tuple[str, datetime.datetime]:
        """The page's content, and when it would change with the clock alone."""
        kelurahan, period = shown["kelurahan"], shown["period"]
        page = counted_page(
            published_activities(kelurahan, period),
            self.request.GET.get("page"),
            ACTIVITIES_PER_PAGE,
        )
        totals = totals_by_status(kelurahan, period)
        sections = sections_of(public_sections, kelurahan, period, self.request.GET)
        content = render_to_string(
            self.content_template_name,
            {
                **shown,
                "page_obj": page,
                "activities": page.object_list,
                "status_totals": totals,
                "activity_count": sum(row["count"] for row in totals),
                "budget_total": sum(row["budget"] for row in totals),
                "sections": sections,
            },
            request=self.request,
        )
        changes = [
            section["changes_at"] for _name, section in sections if section.get("changes_at")
        ]
        return content, min([next_midnight(), *changes])


def next_midnight() -> datetime.datetime:
    """When the day ends where the portal is."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))


#: Parameters of the public page's pagers and year: a page whose query holds anything else (or
#: anything but a number) is rendered for its request alone, so that nobody can fill the cache
#: with pages of made-up parameters.
CORE_PARAMS = ("tahun", "page")


def shared_query(query: QueryDict) -> str | None:
    """The query string under which a public page is shared, or None when it is not."""
    allowed = {*CORE_PARAMS}
    for _name, section in public_sections.items():
        allowed.update(getattr(section, "page_params", ()))
    items = []
    for key, values in query.lists():
        if key not in allowed or len(values) != 1 or not values[0].isascii():
            return None
        if not values[0].isdigit() or len(values[0]) > 6:
            return None
        items.append((key, values[0]))
    return urlencode(items)


urlpatterns = [
    path("", KelurahanPublicListView.as_view(), name="public-kelurahan-list"),
    path("<str:code>/", KelurahanPublicView.as_view(), name="public-kelurahan"),
]
