"""Printable reports of the core: an activity's report and an RT's yearly report. The stage
apps contribute their sections through ``rtkeren.registry``; print.css makes them paper."""

from django.urls import path
from django.utils import timezone
from django.views.generic import DetailView

from rtkeren.mixins import ScopedObjectMixin
from rtkeren.models import RT, ActivityStatus, Period
from rtkeren.registry import report_sections, rt_report_sections, sections_of
from rtkeren.selectors.activities import activities_visible_to
from rtkeren.selectors.reports import chosen_period, rts_for_reports


class ActivityReportView(ScopedObjectMixin, DetailView):
    """Out of the user's sight is 404; seen but not accountable for it is 403."""

    template_name = "rtkeren/report_activity.html"
    context_object_name = "activity"
    permission_required = "rtkeren.view_activity_report"

    def get_queryset(self):
        return (
            activities_visible_to(self.request.user)
            .with_places()
            .prefetch_related("budget_lines", "interests")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sections=sections_of(report_sections, self.object, self.request.user),
            printed_on=timezone.localdate(),
            **kwargs,
        )


class RtReportView(ScopedObjectMixin, DetailView):
    template_name = "rtkeren/report_rt.html"
    context_object_name = "rt"
    permission_required = "rtkeren.view_rt_report"

    def get_queryset(self):
        return rts_for_reports(self.request.user)

    def get_context_data(self, **kwargs):
        period, periods = chosen_period(self.request)
        rt, user = self.object, self.request.user
        groups = _by_status(rt, period) if period else []
        return super().get_context_data(
            period=period,
            periods=periods,
            status_groups=groups,
            activity_count=sum(len(group["activities"]) for group in groups),
            budget_total=sum(group["budget_total"] for group in groups),
            sections=sections_of(rt_report_sections, rt, period, user) if period else [],
            printed_on=timezone.localdate(),
            **kwargs,
        )


def _by_status(rt: RT, period: Period) -> list[dict]:
    """The RT's activities of the period (drafts are still their authors' own), grouped by
    status in the order of the state machine, each group with its budget total (one query)."""
    activities = (
        rt.activities.filter(period=period)
        .exclude(status=ActivityStatus.DRAFT)
        .with_budget_total()
        .order_by("planned_start", "pk")
    )
    groups = {status: [] for status in ActivityStatus.values}
    for activity in activities:
        groups[activity.status].append(activity)
    return [
        {
            "status": status,
            "label": ActivityStatus(status).label,
            "activities": members,
            "budget_total": sum(activity.budget_total or 0 for activity in members),
        }
        for status, members in groups.items()
        if members
    ]


urlpatterns = [
    path("kegiatan/<int:pk>/", ActivityReportView.as_view(), name="report-activity"),
    path("rt/<int:pk>/", RtReportView.as_view(), name="report-rt"),
]
