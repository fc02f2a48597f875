"""Co-assessment's part of the search box (``rtkeren.search``): follow-ups, from the same
visible queryset as their list."""

from django.urls import reverse
from django.utils.translation import gettext as _

from rtkeren.exports import rt_label
from rtkeren.search import SearchHit, snippet_of, text_match

from .selectors import follow_ups_visible_to


def follow_up_hits(user, query: str, limit: int) -> list[SearchHit]:
    rows = text_match(
        follow_ups_visible_to(user), ("obstacle", "action", "activity__title"), query
    ).values_list(
        "pk",
        "activity__title",
        "obstacle",
        "activity__rt__number",
        "activity__rt__rw__number",
        "activity__kelurahan__name",
    )[:limit]
    return [
        SearchHit(
            kind=_("Follow-ups"),
            title=title,
            url=reverse("assessment:followup-detail", args=[pk]),
            snippet=snippet_of(obstacle),
            place=f"{rt_label(rt, rw)}, {kelurahan}",
        )
        for pk, title, obstacle, rt, rw, kelurahan in rows
    ]
