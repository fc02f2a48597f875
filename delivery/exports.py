"""Delivery as spreadsheets: activities with attendance and outputs, output lines, spending
(see ``rtkeren.exports``)."""

from django.utils.translation import gettext_lazy

from rtkeren.exports import (
    ACTIVITY_ORDER,
    CHUNK_SIZE,
    ExportScope,
    choice_labels,
    date,
    money,
    register_export,
    rt_label,
)
from rtkeren.models import Activity, ActivityStatus
from rtkeren.models.activities import budget_per_row
from rtkeren.models.aggregates import count_per_row, sum_per_row

from .models import RECORDED_STATUSES, Attendance, Implementer, Meeting, Output, Spending


@register_export(
    "pelaksanaan",
    title=gettext_lazy("Delivery: attendance and outputs"),
    columns=[
        gettext_lazy("Activity"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("RT / RW"),
        gettext_lazy("Period"),
        gettext_lazy("Status"),
        gettext_lazy("Meetings"),
        gettext_lazy("Attendances"),
        gettext_lazy("Distinct attendees"),
        gettext_lazy("Implementers"),
        gettext_lazy("Planned outputs"),
        gettext_lazy("Finished outputs"),
        money(gettext_lazy("Budget")),
        money(gettext_lazy("Spent")),
    ],
    order=50,
)
def delivery_rows(user, scope: ExportScope):
    statuses = choice_labels(ActivityStatus.choices)
    rows = (
        scope.filter(Activity.objects.filter(status__in=RECORDED_STATUSES))
        .annotate(
            meeting_count=count_per_row(Meeting.objects.all(), "activity"),
            attendance_count=count_per_row(Attendance.objects.all(), "meeting__activity"),
            attendee_count=count_per_row(
                Attendance.objects.all(), "meeting__activity", counted="resident"
            ),
            implementer_count=count_per_row(
                Implementer.objects.all(), "activity", counted="resident"
            ),
            planned=sum_per_row(Output.objects.all(), "activity", "target_quantity"),
            finished=sum_per_row(Output.objects.all(), "activity", "finished_quantity"),
            budget=budget_per_row(),
            spent=sum_per_row(Spending.objects.all(), "activity", "amount"),
        )
        .order_by(*ACTIVITY_ORDER)
        .values_list(
            "title",
            "kelurahan__name",
            "rt__number",
            "rt__rw__number",
            "period__year",
            "status",
            "meeting_count",
            "attendance_count",
            "attendee_count",
            "implementer_count",
            "planned",
            "finished",
            "budget",
            "spent",
        )
    )
    for title, kelurahan, rt_number, rw_number, year, status, *figures in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield (
            title,
            kelurahan,
            rt_label(rt_number, rw_number),
            year,
            statuses.get(status, status),
            *figures,
        )


@register_export(
    "luaran",
    title=gettext_lazy("Training outputs"),
    columns=[
        gettext_lazy("Activity"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("RT / RW"),
        gettext_lazy("Product"),
        gettext_lazy("Target quantity"),
        gettext_lazy("Finished quantity"),
        gettext_lazy("Unit"),
        gettext_lazy("Status"),
        gettext_lazy("Obstacle"),
        gettext_lazy("About the obstacle"),
    ],
    order=55,
)
def outputs_rows(user, scope: ExportScope):
    statuses = choice_labels(Output.Status.choices)
    obstacles = choice_labels(Output.Obstacle.choices)
    rows = (
        scope.filter(Output.objects.all(), "activity__kelurahan")
        .order_by("activity__kelurahan__name", "activity__pk", "pk")
        .values_list(
            "activity__title",
            "activity__kelurahan__name",
            "activity__rt__number",
            "activity__rt__rw__number",
            "name",
            "target_quantity",
            "finished_quantity",
            "unit",
            "status",
            "obstacle",
            "obstacle_note",
        )
    )
    for (
        title,
        kelurahan,
        rt_number,
        rw_number,
        name,
        target,
        done,
        unit,
        status,
        obstacle,
        note,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            title,
            kelurahan,
            rt_label(rt_number, rw_number),
            name,
            target,
            done,
            unit,
            statuses.get(status, status),
            obstacles.get(obstacle, obstacle),
            note,
        )


@register_export(
    "belanja",
    title=gettext_lazy("Spending"),
    columns=[
        gettext_lazy("Activity"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("RT / RW"),
        gettext_lazy("Period"),
        date(gettext_lazy("Date")),
        gettext_lazy("Item"),
        money(gettext_lazy("Amount")),
        gettext_lazy("Reason for going over the budget"),
    ],
    order=60,
)
def spending_rows(user, scope: ExportScope):
    rows = (
        scope.filter(Spending.objects.all(), "activity__kelurahan")
        .order_by("activity__kelurahan__name", "activity__pk", "spent_on", "pk")
        .values_list(
            "activity__title",
            "activity__kelurahan__name",
            "activity__rt__number",
            "activity__rt__rw__number",
            "activity__period__year",
            "spent_on",
            "item",
            "amount",
            "over_budget_reason",
        )
    )
    for title, kelurahan, rt_number, rw_number, *rest in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (title, kelurahan, rt_label(rt_number, rw_number), *rest)
