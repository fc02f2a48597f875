"""Proposals with their vote counts as a spreadsheet (see ``rtkeren.exports``). Votes are
secret: only counts leave the portal, and only those of closed rounds, except for the officer
of the kelurahan, who follows live counts in the portal too (``designing.view_live_results``)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rtkeren.exports import (
    ACTIVITY_ORDER,
    CHUNK_SIZE,
    ExportScope,
    choice_labels,
    count_per_row,
    register_export,
    rt_label,
)
from rtkeren.models import Activity, ActivityStatus
from rtkeren.permissions import can

from .models import Comment, Vote


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
