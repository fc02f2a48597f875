"""The co-commissioning records whose change history officers read on the core's history page
(``rtkeren.views.history``): potentials and forums (with their minutes and decisions),
registered from ``CommissioningConfig.ready()``.

Who may read it is the permission below, asked on the record: the officers of its kelurahan and
the administrator, as for an activity's history.
"""

import rules
from django.urls import reverse
from django.utils.translation import gettext

from rtkeren.registry import history_kinds
from rtkeren.rules import is_admin, is_officer_of
from rtkeren.selectors.history import RelatedHistory, related_history

from .models import Attendance
from .selectors import forums_visible_to, potentials_visible_to

VIEW_HISTORY = "commissioning.view_history"

rules.add_perm(VIEW_HISTORY, is_admin | is_officer_of)


def potentials_reached(user):
    # With the places the permission needs to place the potential without a query.
    return potentials_visible_to(user).with_places()


def forums_reached(user):
    return forums_visible_to(user).with_places()


def _attendance_changes(forum) -> list[RelatedHistory]:
    records = Attendance.history.filter(forum_id=forum.pk).select_related("resident")
    return [
        related_history(
            gettext("Attendance"),
            records,
            lambda row: row.resident.name if row.resident else row.guest_name,
        )
    ]


def register() -> None:
    history_kinds.register(
        "potential",
        slug="potensi",
        queryset=potentials_reached,
        permission=VIEW_HISTORY,
        back_url=lambda potential: reverse("commissioning:potential-detail", args=[potential.pk]),
    )
    history_kinds.register(
        "forum",
        slug="musyawarah",
        queryset=forums_reached,
        permission=VIEW_HISTORY,
        back_url=lambda forum: reverse("commissioning:forum-detail", args=[forum.pk]),
        related=_attendance_changes,
    )
