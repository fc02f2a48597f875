"""Co-commissioning's part of what a person takes away from Data Saya."""

from django.db.models import Q
from django.utils.translation import gettext as _

from rtkeren.registry import PersonalSection

from .models import Attendance, Endorsement, Potential


def sections(user, resident_ids: list[int]) -> list[PersonalSection]:
    """The potentials the person recorded, endorsed, and the forums they attended: a query each."""
    potentials = (
        Potential.objects.filter(Q(author=user) | Q(author_resident_id__in=resident_ids))
        .select_related("kelurahan", "rt__rw")
        .order_by("created_at", "pk")
    )
    endorsements = (
        Endorsement.objects.filter(resident_id__in=resident_ids)
        .select_related("potential")
        .order_by("created_at", "pk")
    )
    attendances = (
        Attendance.objects.filter(resident_id__in=resident_ids)
        .select_related("forum")
        .order_by("forum__date", "pk")
    )
    return [
        PersonalSection(
            key="potentials",
            title=_("Potentials recorded"),
            rows=[
                {
                    _("Title"): potential.title,
                    _("Category"): potential.get_category_display(),
                    _("Description"): potential.description,
                    _("Place"): str(potential.place_name),
                    _("Status"): potential.get_status_display(),
                    _("Recorded at"): potential.created_at,
                }
                for potential in potentials
            ],
        ),
        PersonalSection(
            key="endorsements",
            title=_("Potentials endorsed"),
            rows=[
                {
                    _("Potential"): endorsement.potential.title,
                    _("Endorsed at"): endorsement.created_at,
                }
                for endorsement in endorsements
            ],
        ),
        PersonalSection(
            key="forum_attendance",
            title=_("Forums attended"),
            rows=[
                {
                    _("Forum"): attendance.forum.title,
                    _("Date"): attendance.forum.date,
                    _("Represents"): attendance.get_element_display(),
                }
                for attendance in attendances
            ],
        ),
    ]
