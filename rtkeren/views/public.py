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
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView

from rtkeren.mixins import PublicKelurahanMixin
from rtkeren.models import Activity, ActivityStatus, Kecamatan, Kelurahan, Period
from rtkeren.models.activities import budget_sum
from rtkeren.paginate import counted_page
from rtkeren.prepared import Prepared
from rtkeren.registry import public_sections
from rtkeren.scopecache import cached_for_public

#: Activities the kelurahan has decided to carry out, and their progress: the published ones.
PUBLISHED_STATUSES = (
    ActivityStatus.APPROVED,
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)
ACTIVITIES_PER_PAGE = 25


def published_activities(kelurahan: Kelurahan, period: Period) -> Prepared:
    """The kelurahan's published activities of ``period``, with their budgets (prepared)."""
    values = {"kelurahan": kelurahan.pk, "period": period.pk}
    return Prepared(Activity, _published_activities, (), values)


def _published(values: dict) -> QuerySet[Activity]:
    return Activity.objects.filter(
        kelurahan=values["kelurahan"], period=values["period"], status__in=PUBLISHED_STATUSES
    )


def _published_activities(shape: tuple, values: dict) -> QuerySet[Activity]:
    return (
        _published(values)
        .with_place_names()
        .with_budget_total()
        .order_by("planned_start", "title", "pk")
    )


def totals_by_status(kelurahan: Kelurahan, period: Period) -> list[dict]:
    """How many published activities and how much budget per status, in the order of the
    state machine (one query, prepared)."""
    values = {"kelurahan": kelurahan.pk, "period": period.pk}
    rows = {
        status: (count, budget)
        for status, count, budget in Prepared(Activity, _totals_by_status, (), values).tuples()
    }
    return [
        {"label": status.label, "count": rows[status][0], "budget": rows[status][1] or 0}
        for status in PUBLISHED_STATUSES
        if status in rows
    ]


def _totals_by_status(shape: tuple, values: dict) -> QuerySet[Activity]:
    return (
        _published(values)
        .values("status")
        .annotate(
            # The join with the budget lines repeats an activity once per line.
            count=Count("pk", distinct=True),
            budget=budget_sum(),
        )
        .order_by()
        .values_list("status", "count", "budget")
    )


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
    cache (``cached_for_public``) until a record it may show changes, a voting round it counts
    closes, or the day ends (a follow-up falls overdue). The sections that follow the
    kelurahan's participation (its scorecard, ``follows_participation``) are shared apart, until
    a participation in the kelurahan changes them: a vote or a comment renews them alone, not
    the whole page."""

    template_name = "rtkeren/kelurahan_public.html"
    content_template_name = "rtkeren/includes/kelurahan_public_content.html"

    def get_context_data(self, **kwargs):
        kelurahan = self.object
        period, periods = self.public_year()
        shown = {"kelurahan": kelurahan, "period": period, "periods": periods}
        query = shared_query(self.request.GET)
        if query is None:
            parts = self.render_parts(shown)[0]
            live = self.render_live(shown)[0]
        else:
            key = f"{period.pk}:{get_language()}:{query}"
            parts = cached_for_public(
                kelurahan.pk,
                f"page:{key}",
                partial(self.render_parts, shown),
                participation=False,
            )
            live = cached_for_public(kelurahan.pk, f"live:{key}", partial(self.render_live, shown))
        html = (live.get(name, "") if part is None else part for name, part in parts)
        # Every part was rendered by a template, with its own escaping.
        content = mark_safe("".join(html))
        return super().get_context_data(content=content, **shown, **kwargs)

    def section_html(self, shown: dict, function) -> tuple[str, datetime.datetime | None]:
        """One section's fragment (empty when it has nothing to show), and when it would change
        with the clock alone."""
        answer = function(shown["kelurahan"], shown["period"], self.request.GET)
        if answer is None:
            return "", None
        template_name, section = answer
        html = render_to_string(template_name, {**shown, "section": section}, request=self.request)
        return html, section.get("changes_at")

    def render_parts(self, shown: dict) -> tuple[list[tuple[str, str | None]], datetime.datetime]:
        """The page's content in parts, each ``(name, html)``, in order: the published
        activities, then each app's section, with ``None`` in place of the sections that follow
        participation (``render_live``); and when it would change with the clock alone."""
        kelurahan, period = shown["kelurahan"], shown["period"]
        page = counted_page(
            published_activities(kelurahan, period),
            self.request.GET.get("page"),
            ACTIVITIES_PER_PAGE,
        )
        totals = totals_by_status(kelurahan, period)
        head = render_to_string(
            self.content_template_name,
            {
                **shown,
                "page_obj": page,
                "activities": page.object_list,
                "status_totals": totals,
                "activity_count": sum(row["count"] for row in totals),
                "budget_total": sum(row["budget"] for row in totals),
            },
            request=self.request,
        )
        sections, changes = self.render_sections(shown, live=False)
        return [("", head), *sections], min([next_midnight(), *changes])

    def render_live(self, shown: dict) -> tuple[dict[str, str], datetime.datetime]:
        """The sections that follow participation, by name, and when they would change with
        the clock alone."""
        sections, changes = self.render_sections(shown, live=True)
        live = {name: html for name, html in sections if html is not None}
        return live, min([next_midnight(), *changes])

    def render_sections(
        self, shown: dict, *, live: bool
    ) -> tuple[list[tuple[str, str | None]], list[datetime.datetime]]:
        """Each app's section as ``(name, html)``, in order: rendered if it follows
        participation (``follows_participation``) as ``live`` says, ``None`` if not; and when
        the rendered ones would change with the clock alone."""
        sections, changes = [], []
        for name, function in public_sections.items():
            if getattr(function, "follows_participation", False) != live:
                sections.append((name, None))
                continue
            html, changes_at = self.section_html(shown, function)
            sections.append((name, html))
            changes += [changes_at] if changes_at else []
        return sections, changes


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
