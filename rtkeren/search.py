"""One search box over what a signed-in person may see: each app contributes its records
through ``rtkeren.registry.search_providers`` and answers only from its own visible querysets, so
a search never shows what the person's pages would not.

On PostgreSQL the words are matched with full-text search in the ``indonesian`` configuration
(its stemmer finds "pelatihan" from "latih"), ranked title first; on SQLite every word must
appear in one of the fields (a plain fallback for development and tests).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext as _

from rtkeren.exports import rt_label
from rtkeren.registry import search_providers
from rtkeren.selectors.activities import activities_visible_to

#: Results per kind of record; a search shows at most this many of each.
PER_KIND = 10
QUERY_MAX = 100
WORDS_MAX = 8
CONFIG = "indonesian"
#: How alike a word and a title's word must be (pg_trgm's word similarity) to count as a typo.
TYPO_SIMILARITY = 0.5


@dataclass(frozen=True)
class SearchHit:
    kind: str
    title: str
    url: str
    snippet: str = ""
    place: str = ""
    rank: float = 0.0


def words_of(query: str) -> list[str]:
    return [word for word in query[:QUERY_MAX].split() if word][:WORDS_MAX]


def text_match(queryset: QuerySet, fields: Sequence[str], query: str) -> QuerySet:
    """``queryset`` cut to the rows matching ``query`` in ``fields`` (the first weighs most),
    annotated with ``search_rank`` and ordered best first."""
    words = words_of(query)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _postgres(queryset, fields, " ".join(words))
    condition = Q()
    for word in words:
        condition &= _any_field(fields, word)
    return queryset.filter(condition).annotate(search_rank=Value(0.0)).order_by("-pk")


def _postgres(queryset: QuerySet, fields: Sequence[str], text: str) -> QuerySet:
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramWordSimilarity,
    )

    vector = SearchVector(fields[0], config=CONFIG, weight="A")
    for field in fields[1:]:
        vector = vector + SearchVector(field, config=CONFIG, weight="B")
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    # A word mistyped ("pelatiahn") still finds the title it was meant for (pg_trgm).
    similar = TrigramWordSimilarity(text, fields[0])
    return (
        queryset.alias(search_vector=vector, title_similarity=similar)
        .filter(Q(search_vector=query) | Q(title_similarity__gte=TYPO_SIMILARITY))
        .annotate(
            search_rank=Greatest(SearchRank(F("search_vector"), query), F("title_similarity"))
        )
        .order_by("-search_rank", "-pk")
    )


def _any_field(fields: Sequence[str], word: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


def search(user, query: str) -> list[tuple[str, list[SearchHit]]]:
    """Per kind of record, the person's best matches (at most ``PER_KIND`` each)."""
    if not words_of(query):
        return []
    found = []
    for name, provider in search_providers.items():
        hits = provider(user, query, PER_KIND)
        if hits:
            found.append((name, hits))
    return found


def activity_hits(user, query: str, limit: int) -> list[SearchHit]:
    """Proposals and activities the person may see (the activity list's own rule)."""
    rows = text_match(activities_visible_to(user), ("title", "description"), query).values_list(
        "pk", "title", "description", "rt__number", "rt__rw__number", "kelurahan__name"
    )[:limit]
    return [
        SearchHit(
            kind=_("Proposals and activities"),
            title=title,
            url=reverse("activity-detail", args=[pk]),
            snippet=snippet_of(description),
            place=f"{rt_label(rt, rw)}, {kelurahan}",
        )
        for pk, title, description, rt, rw, kelurahan in rows
    ]


SNIPPET_LENGTH = 160


def snippet_of(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SNIPPET_LENGTH else text[: SNIPPET_LENGTH - 1].rstrip() + "…"
