"""Co-delivery's part of what a person takes away from Data Saya."""

from django.utils.translation import gettext as _

from rtkeren.registry import PersonalSection

from .models import Attendance, CommitteeNote, Implementer, Task


def sections(user, resident_ids: list[int]) -> list[PersonalSection]:
    """The person's roles in activities, meetings attended, tasks and committee notes: a query
    each."""
    roles = (
        Implementer.objects.filter(resident_id__in=resident_ids)
        .select_related("activity")
        .order_by("created_at", "pk")
    )
    attendances = (
        Attendance.objects.filter(resident_id__in=resident_ids)
        .select_related("meeting__activity")
        .order_by("meeting__date", "pk")
    )
    tasks = Task.objects.filter(assignee=user).select_related("activity").order_by("due_on", "pk")
    notes = (
        CommitteeNote.objects.filter(author=user)
        .select_related("activity")
        .order_by("created_at", "pk")
    )
    return [
        PersonalSection(
            key="implementer_roles",
            title=_("Roles in activities"),
            rows=[
                {
                    _("Activity"): role.activity.title,
                    _("Role"): role.get_role_display(),
                    _("Note"): role.note,
                }
                for role in roles
            ],
        ),
        PersonalSection(
            key="meeting_attendance",
            title=_("Meetings attended"),
            rows=[
                {
                    _("Activity"): attendance.meeting.activity.title,
                    _("Meeting"): attendance.meeting.title,
                    _("Date"): attendance.meeting.date,
                    _("Recorded by"): attendance.get_method_display(),
                }
                for attendance in attendances
            ],
        ),
        PersonalSection(
            key="tasks",
            title=_("Committee tasks"),
            rows=[
                {
                    _("Activity"): task.activity.title,
                    _("What"): task.title,
                    _("Due date"): task.due_on,
                    _("Done at"): task.done_at,
                }
                for task in tasks
            ],
        ),
        PersonalSection(
            key="committee_notes",
            title=_("Committee notes written"),
            rows=[
                {
                    _("Activity"): note.activity.title,
                    _("Kind"): note.get_kind_display(),
                    _("Text"): note.text,
                    _("Written at"): note.created_at,
                }
                for note in notes
            ],
        ),
    ]
