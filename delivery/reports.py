"""Co-delivery in the printable reports: its sections of the activity report and of the yearly
RT report (registered in ``apps.py``), and the RT's spending report (LPJ) for a period."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.views.generic import DetailView

from rtkeren.mixins import ScopedObjectMixin
from rtkeren.models import RT, Activity, ActivityStatus, Period
from rtkeren.selectors.reports import chosen_period, rts_for_reports
from rtkeren.services.budget import shared_activities, shares_of_realised

from . import selectors
from .models import COMPLETION_STATUSES, Attendance, Meeting, Output, Spending, outputs_completion

#: Activities whose approved budget the RT accounts for in its LPJ.
ACCOUNTED_STATUSES = (ActivityStatus.APPROVED, *COMPLETION_STATUSES)
#: Photos printed per meeting: enough to show the activity without filling pages.
PHOTOS_PER_MEETING = 4


def attendance_counts(attendances) -> dict:
    """How many attended (over all meetings), how many different people, how many minors:
    counts only, so that no minor's name reaches a report (one query)."""
    return attendances.aggregate(
        total=Count("pk"),
        people=Count("resident", distinct=True),
        minors=Count("resident", distinct=True, filter=Q(is_minor=True)),
    )


def activity_section(activity: Activity, user):
    """Meetings with their attendance and photos, outputs, and the money spent (5 queries)."""
    if activity.status not in COMPLETION_STATUSES:
        return None
    meetings = selectors.meetings_of(activity).rows()
    outputs = selectors.outputs_of(activity).rows()
    budget = activity.budget_total()
    spent = selectors.spent_on(activity)
    return "delivery/includes/report_section.html", {
        "meetings": meetings,
        "attendance": attendance_counts(Attendance.objects.filter(meeting__activity=activity)),
        "outputs": outputs,
        "completion": outputs_completion(outputs),
        "budget": budget,
        "spent": spent,
        "remaining": budget - spent,
        "photos": [
            (meeting, photo)
            for meeting in meetings
            for photo in list(meeting.photos.all())[:PHOTOS_PER_MEETING]
        ],
    }


def rt_section(rt: RT, period: Period, user):
    """Meetings, attendance and completion of the RT's activities in the period (3 queries)."""
    activities = Q(activity__rt=rt, activity__period=period)
    return "delivery/includes/report_section_rt.html", {
        "meeting_count": Meeting.objects.filter(activities).count(),
        "attendance": attendance_counts(
            Attendance.objects.filter(meeting__activity__rt=rt, meeting__activity__period=period)
        ),
        "completion": Output.objects.filter(
            activities, activity__status__in=COMPLETION_STATUSES
        ).completion(),
    }


def lpj_activities(*, rt: RT, period: Period) -> list[Activity]:
    """The activities the RT's RT Keren allocation pays for in the period, each with its
    budget lines, spending lines and totals: its own, then its shares of kelurahan-wide ones
    (``shared``), whose ``budget`` is the RT's share and ``spent`` the RT's part of what was
    spent, in proportion to the shares (``whole_budget`` and ``whole_spent`` are the
    activity's). Six queries whatever their number."""
    prefetch = (
        "budget_lines",
        Prefetch("spendings", queryset=Spending.objects.order_by("spent_on", "pk")),
    )
    own = list(
        rt.activities.filter(
            period=period,
            funding_source=Activity.Funding.RT_KEREN,
            status__in=ACCOUNTED_STATUSES,
        )
        .prefetch_related(*prefetch)
        .order_by("planned_start", "pk")
    )
    shared = list(
        shared_activities(rt_id=rt.pk, period_id=period.pk, statuses=ACCOUNTED_STATUSES)
        .prefetch_related(*prefetch)
        .order_by("planned_start", "pk")
    )
    for activity in own + shared:
        activity.whole_budget = activity.budget_total()
        activity.whole_spent = sum(line.amount for line in activity.spendings.all())
        activity.shared = activity in shared
        activity.budget, activity.spent = activity.whole_budget, activity.whole_spent
    parts = shares_of_realised(
        {activity.pk: activity.whole_spent for activity in shared}, rt_id=rt.pk
    )
    for activity in shared:
        activity.budget = activity.share_amount
        activity.spent = parts.get(activity.pk, 0)
    for activity in own + shared:
        activity.remaining = activity.budget - activity.spent
        activity.whole_remaining = activity.whole_budget - activity.whole_spent
    return own + shared


class LpjView(ScopedObjectMixin, DetailView):
    """The RT's spending report (laporan pertanggungjawaban) of a period, to print and sign."""

    template_name = "delivery/report_lpj.html"
    context_object_name = "rt"
    permission_required = "delivery.view_rt_spending"

    def get_queryset(self):
        return rts_for_reports(self.request.user)

    def get_context_data(self, **kwargs):
        period, periods = chosen_period(self.request)
        activities = lpj_activities(rt=self.object, period=period) if period else []
        budget = sum(activity.budget for activity in activities)
        spent = sum(activity.spent for activity in activities)
        return super().get_context_data(
            period=period,
            periods=periods,
            activities=activities,
            budget=budget,
            spent=spent,
            remaining=budget - spent,
            allocation=period.ceiling_for(self.object) if period else None,
            printed_on=timezone.localdate(),
            **kwargs,
        )
