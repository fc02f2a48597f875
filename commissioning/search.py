"""Co-commissioning's part of the search box (``rtkeren.search``): potentials and forums, from
the same visible querysets as their lists."""

from django.urls import reverse
from django.utils.translation import gettext as _

from rtkeren.exports import rt_label
from rtkeren.search import SearchHit, snippet_of, text_match

from .selectors import forums_visible_to, potentials_visible_to


def _place(rt, rw, kelurahan) -> str:
    if rt is None and rw is not None:
        return f"RW {rw:03d}, {kelurahan}"
    return f"{rt_label(rt, rw)}, {kelurahan}"


def potential_hits(user, query: str, limit: int) -> list[SearchHit]:
    rows = text_match(potentials_visible_to(user), ("title", "description"), query).values_list(
        "pk", "title", "description", "rt__number", "rt__rw__number", "kelurahan__name"
    )[:limit]
    return [
        SearchHit(
            kind=_("Potentials"),
            title=title,
            url=reverse("commissioning:potential-detail", args=[pk]),
            snippet=snippet_of(description),
            place=_place(rt, rw, kelurahan),
        )
        for pk, title, description, rt, rw, kelurahan in rows
    ]


def forum_hits(user, query: str, limit: int) -> list[SearchHit]:
    rows = text_match(forums_visible_to(user), ("title", "agenda"), query).values_list(
        "pk", "title", "agenda", "rt__number", "rw__number", "kelurahan__name"
    )[:limit]
    return [
        SearchHit(
            kind=_("Forums"),
            title=title,
            url=reverse("commissioning:forum-detail", args=[pk]),
            snippet=snippet_of(agenda),
            place=_place(rt, rw, kelurahan),
        )
        for pk, title, agenda, rt, rw, kelurahan in rows
    ]
