"""Proposals with their vote counts as a spreadsheet (see ``rtkeren.exports``). Votes are
secret: only counts leave the portal, and only those of closed rounds, except for the officer
of the kelurahan, who follows live counts in the portal too (``designing.view_live_results``)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rtkeren.exports import (
    ACTIVITY_ORDER,
    CHUNK_SIZE,
    ExportScope,
    choice_labels,
    planning_row,
    register_export,
    rt_label,
)
from rtkeren.models import RT, Activity, ActivityStatus, BudgetLine, Period
from rtkeren.models.aggregates import count_per_row
from rtkeren.permissions import can
from rtkeren.services.budget import shared_activities

from .models import Comment, Vote
from .selectors import PLAN_STATUSES


@register_export(
    "usulan",
    title=gettext_lazy("Proposals and votes"),
    columns=[
        gettext_lazy("Title"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("RT / RW"),
        gettext_lazy("Period"),
        gettext_lazy("Status"),
        gettext_lazy("Reason for the decision"),
        gettext_lazy("Comments"),
        gettext_lazy("Votes"),
    ],
    order=40,
)
def proposals_rows(user, scope: ExportScope):
    statuses = choice_labels(ActivityStatus.choices)
    votes = Vote.objects.all()
    live = scope.kelurahan is not None and can(user, "designing.view_live_results", scope.kelurahan)
    if not live:
        votes = votes.filter(round__closes_at__lte=timezone.now(), round__cancelled_at__isnull=True)
    rows = (
        scope.filter(Activity.objects.filter(~Q(status=ActivityStatus.DRAFT)))
        .annotate(
            comment_count=count_per_row(Comment.objects.filter(hidden_at__isnull=True), "activity"),
            vote_count=count_per_row(votes, "activity"),
        )
        .order_by(*ACTIVITY_ORDER)
        .values_list(
            "title",
            "kelurahan__name",
            "rt__number",
            "rt__rw__number",
            "period__year",
            "status",
            "decision_reason",
            "comment_count",
            "vote_count",
        )
    )
    for (
        title,
        kelurahan,
        rt_number,
        rw_number,
        year,
        status,
        reason,
        comments,
        vote_count,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            title,
            kelurahan,
            rt_label(rt_number, rw_number),
            year,
            statuses.get(status, status),
            reason,
            comments,
            vote_count,
        )


def budget_plan_rows(*, rt: RT, period: Period):
    """The RT budget plan (RAP) of ``period`` in the planning system's columns
    (``PLANNING_COLUMNS``): a row per budget line of the RT's own RT-Keren-funded activities,
    pending proposals included, and one row per kelurahan-wide activity it shares in, for its
    share. The budgets add up to what the RAP page shows, pending and committed (two queries)."""
    kelurahan = rt.rw.kelurahan.name
    own = (
        BudgetLine.objects.filter(
            activity__rt=rt,
            activity__period=period,
            activity__funding_source=Activity.Funding.RT_KEREN,
            activity__status__in=PLAN_STATUSES,
        )
        .order_by("activity__status", "activity__title", "activity", "pk")
        .values_list(
            "activity__title",
            "item",
            "quantity",
            "unit",
            "unit_price",
            "activity__nature",
            "activity__status",
        )
    )
    location = f"{rt_label(rt.number, rt.rw.number)}, {kelurahan}"
    for title, item, quantity, unit, unit_price, nature, status in own:
        yield planning_row(
            title=title,
            item=item,
            location=location,
            quantity=quantity,
            unit=unit,
            unit_price=unit_price,
            funding=Activity.Funding.RT_KEREN,
            nature=nature,
            year=period.year,
            status=status,
        )
    shared = (
        shared_activities(rt_id=rt.pk, period_id=period.pk, statuses=PLAN_STATUSES)
        .order_by("status", "title", "pk")
        .values_list("title", "share_amount", "nature", "status")
    )
    for title, share, nature, status in shared:
        yield planning_row(
            title=title,
            item=_("Share of %(rt)s in the kelurahan-wide activity")
            % {"rt": rt_label(rt.number, rt.rw.number)},
            location=f"{_('Whole kelurahan')}, {kelurahan}",
            quantity=1,
            unit=_("package"),
            unit_price=share or 0,
            funding=Activity.Funding.RT_KEREN,
            nature=nature,
            year=period.year,
            status=status,
        )
