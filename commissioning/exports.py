"""The potentials register and the forums, as spreadsheets (see ``rtkeren.exports``)."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rtkeren.exports import (
    CHUNK_SIZE,
    ExportScope,
    choice_labels,
    date,
    moment,
    register_export,
    rt_label,
)

from .models import Category, Element, Forum, Potential


@register_export(
    "potensi",
    title=gettext_lazy("Potentials"),
    columns=[
        gettext_lazy("Title"),
        gettext_lazy("Category"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("RT / RW"),
        gettext_lazy("Status"),
        gettext_lazy("Endorsements"),
        moment(gettext_lazy("Recorded at")),
    ],
    order=20,
)
def potentials_rows(user, scope: ExportScope):
    categories = choice_labels(Category.choices)
    statuses = choice_labels(Potential.Status.choices)
    rows = (
        scope.filter(Potential.objects.all())
        .annotate(endorsement_count=Count("endorsements"))
        .order_by("kelurahan__name", "rt__rw__number", "rt__number", "pk")
        .values_list(
            "title",
            "category",
            "kelurahan__name",
            "rt__number",
            "rt__rw__number",
            "status",
            "endorsement_count",
            "created_at",
        )
    )
    for title, category, kelurahan, rt_number, rw_number, status, endorsements, at in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield (
            title,
            categories.get(category, category),
            kelurahan,
            rt_label(rt_number, rw_number),
            statuses.get(status, status),
            endorsements,
            at,
        )


def _forum_level(rt_number, rt_rw_number, rw_number) -> str:
    if rt_number is not None:
        return rt_label(rt_number, rt_rw_number)
    if rw_number is not None:
        return f"RW {rw_number:03d}"
    return _("Whole kelurahan")


@register_export(
    "musyawarah",
    title=gettext_lazy("Forums and attendance"),
    columns=[
        gettext_lazy("Title"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("Level"),
        date(gettext_lazy("Date")),
        gettext_lazy("Place"),
        gettext_lazy("Status"),
        moment(gettext_lazy("Minutes recorded at")),
        gettext_lazy("Attendance"),
        *[label for _value, label in Element.choices],
    ],
    order=30,
)
def forums_rows(user, scope: ExportScope):
    statuses = choice_labels(Forum.Status.choices)
    # One conditional count per element: attendance by element in the forum's own row, in the
    # same single query.
    per_element = {
        f"attended_{value}": Count("attendances", filter=Q(attendances__element=value))
        for value in Element.values
    }
    rows = (
        scope.filter(Forum.objects.all())
        .annotate(attended=Count("attendances"), **per_element)
        .order_by("kelurahan__name", "date", "pk")
        .values_list(
            "title",
            "kelurahan__name",
            "rt__number",
            "rt__rw__number",
            "rw__number",
            "date",
            "place",
            "status",
            "minutes_recorded_at",
            "attended",
            *per_element,
        )
    )
    for (
        title,
        kelurahan,
        rt_number,
        rt_rw,
        rw_number,
        day,
        place,
        status,
        minutes_at,
        *counts,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            title,
            kelurahan,
            _forum_level(rt_number, rt_rw, rw_number),
            day,
            place,
            statuses.get(status, status),
            minutes_at,
            *counts,
        )
