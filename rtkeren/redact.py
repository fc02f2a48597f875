"""Free text typed by officers and committees (a spending line's item, a photo's caption, a
follow-up's obstacle) may name a resident: "kain dari Bu Siti Aminah", "dibayar ke 0812...".
Before such text leaves the portal (the public pages, open data), every resident's name found in
it and every NIK or phone number is replaced by a placeholder.

A name is found when a run of one to ``MAX_NAME_WORDS`` words of the text equals a resident's
whole name, whatever the case (one query for any number of texts, on the index of the
lower-cased names); a run of one word only when it is written with a capital, so that a resident
whose one-word name is also a common word does not blank that word everywhere. Any resident of
the city counts, not only the kelurahan's: a seller may live next door.
"""

import re
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from rtkeren.models import Resident

#: The longest name looked for, in words ("Hj. Siti Nur Aminah Rahayu").
MAX_NAME_WORDS = 5
#: Runs of words looked up in one query on SQLite (on PostgreSQL, all of them).
CANDIDATES_PER_QUERY = 5000
#: Sixteen digits in a row, or in the groups people write a NIK in.
NIK_LIKE = re.compile(r"(?<!\d)\d{6}[ .-]?\d{6}[ .-]?\d{4}(?!\d)")
#: An Indonesian mobile number: 08 or +62 8 / 62 8, then 7 to 11 more digits, maybe grouped.
PHONE_LIKE = re.compile(r"(?<![\d+])(?:\+?62[ .-]?|0)8(?:[ .-]?\d){7,11}(?!\d)")
WORD = re.compile(r"\S+")
EDGE_PUNCTUATION = ".,;:!?()[]\"'"


def _runs(text: str) -> set[str]:
    """The lower-cased runs of words of ``text`` a name could be: as written, without the
    punctuation around the run (a comma after a name) and without any word's (a name may be
    written "H Ahmad" or "H. Ahmad"). A run with a digit is no name."""
    words = WORD.findall(text)
    # What each run needs of a word, worked out once a word rather than once a run.
    lowered = [word.lower() for word in words]
    bare = [word.strip(EDGE_PUNCTUATION) for word in lowered]
    has_digit = [any(char.isdigit() for char in word) for word in words]
    runs: set[str] = set()
    for start in range(len(words)):
        for end in range(start + 1, min(start + MAX_NAME_WORDS, len(words)) + 1):
            if has_digit[end - 1]:
                break
            if end == start + 1 and not _capitalised(words[start]):
                continue
            whole = " ".join(lowered[start:end])
            runs.add(whole)
            runs.add(whole.strip(EDGE_PUNCTUATION))
            runs.add(" ".join(bare[start:end]))
    runs.discard("")
    return runs


def _capitalised(word: str) -> bool:
    return word.strip(EDGE_PUNCTUATION)[:1].isupper()


def _name_pattern(names: Iterable[str]) -> re.Pattern | None:
    names = sorted({name for name in names if name.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in names)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redactor_for(texts: Iterable[str]) -> Callable[[str], str]:
    """A function that blanks, in any of ``texts``, the residents' names (one query, none when
    the texts hold no candidate), NIKs and phone numbers."""
    candidates: set[str] = set()
    for text in texts:
        if text:
            candidates |= _runs(text)
    pattern = _name_pattern(_residents_named(sorted(candidates)))

    def redacted(text: str) -> str:
        if not text:
            return text
        if pattern is not None:
            text = pattern.sub(_blank_name, text)
        text = NIK_LIKE.sub(_("[NIK]"), text)
        return PHONE_LIKE.sub(_("[phone number]"), text)

    return redacted


def _residents_named(candidates: list[str]) -> set[str]:
    """The lower-cased ``candidates`` that are a resident's whole name, lower-cased: one query,
    none for no candidate."""
    if not candidates:
        return set()
    if connection.vendor == "postgresql":
        # The candidates as one array: the same SQL for any number of them, and no list of a
        # few hundred values for Django to build into the query on every page.
        quote, table = connection.ops.quote_name, Resident._meta.db_table
        name = f"LOWER({quote(table)}.{quote(Resident._meta.get_field('name').column)})"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT {name} FROM {quote(table)} WHERE {name} = ANY(%s)",
                [candidates],
            )
            return {found for (found,) in cursor.fetchall()}
    names: set[str] = set()
    # SQLite takes a limited number of parameters a statement: a whole city's texts are looked
    # up a batch at a time (one query for any page's texts).
    for start in range(0, len(candidates), CANDIDATES_PER_QUERY):
        names.update(
            Resident.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=candidates[start : start + CANDIDATES_PER_QUERY])
            .order_by()
            .values_list("lower_name", flat=True)
            .distinct()
        )
    return names


def _blank_name(match: re.Match) -> str:
    found = match.group(0)
    # A one-word name only where it is written as a name.
    if len(found.split()) == 1 and not _capitalised(found):
        return found
    return _("[resident's name]")
