"""The co-delivery records whose change history officers read on the core's history page
(``rtkeren.views.history``): spending lines, training outputs and meetings, registered from
``DeliveryConfig.ready()``.

Who may read it is the permission below, asked on the record: the officers of its activity's
kelurahan and the administrator, as for the activity's own history. The records reached are
those of every activity the user sees, whatever its status: money and products stay open to
checking after the activity is evaluated.
"""

import rules
from django.urls import reverse
from django.utils.translation import gettext

from rtkeren.registry import history_kinds
from rtkeren.rules import is_admin, is_officer_of
from rtkeren.selectors.activities import activities_visible_to
from rtkeren.selectors.history import RelatedHistory, related_history

from .models import DELIVERY_STATUSES, Attendance, Meeting, Output, Spending

VIEW_HISTORY = "delivery.view_history"

rules.add_perm(VIEW_HISTORY, is_admin | is_officer_of)


def _of_visible_activities(model, user):
    # The activity and its places come along: the permission places the record by them.
    return model.objects.filter(
        activity__in=activities_visible_to(user).values("pk")
    ).select_related("activity__rt__rw", "activity__kelurahan")


def spendings_reached(user):
    return _of_visible_activities(Spending, user)


def outputs_reached(user):
    return _of_visible_activities(Output, user)


def meetings_reached(user):
    return _of_visible_activities(Meeting, user)


def _delivery_page(activity, name: str, *args) -> str:
    """The delivery page while the activity is being delivered; afterwards its core page."""
    if activity.status in DELIVERY_STATUSES:
        return reverse(name, args=args)
    return reverse("activity-detail", args=[activity.pk])


def _attendance_changes(meeting) -> list[RelatedHistory]:
    records = Attendance.history.filter(meeting_id=meeting.pk).select_related("resident")
    return [
        related_history(
            gettext("Attendance"), records, lambda row: row.resident.name if row.resident else ""
        )
    ]


def register() -> None:
    history_kinds.register(
        "spending",
        slug="realisasi",
        queryset=spendings_reached,
        permission=VIEW_HISTORY,
        back_url=lambda line: _delivery_page(
            line.activity, "delivery:spending-list", line.activity_id
        ),
    )
    history_kinds.register(
        "output",
        slug="luaran",
        queryset=outputs_reached,
        permission=VIEW_HISTORY,
        back_url=lambda output: _delivery_page(
            output.activity, "delivery:activity-detail", output.activity_id
        ),
    )
    history_kinds.register(
        "meeting",
        slug="pertemuan",
        queryset=meetings_reached,
        permission=VIEW_HISTORY,
        back_url=lambda meeting: _delivery_page(
            meeting.activity, "delivery:meeting-detail", meeting.pk
        ),
        related=_attendance_changes,
    )
