"""Can a NIK be rebuilt from what an account is served?

A NIK is the kecamatan code (known from the kelurahan on every page), the birth date as DDMMYY
(day + 40 for women) and a four-digit serial. So the serial, or any longer run of the NIK's
digits, shown next to a person, together with their birth date shown anywhere next to them, gives
the whole NIK. An ``Exposure`` reads every body an account receives, remembers per account and
resident which of those facts it saw next to the resident's name, and reports:

- a run of the NIK's (or the family card's) digits next to the resident: the serial alone, or
  five or more digits that are not only the kecamatan code;
- the full birth date next to the resident, for an account that may not see it;
- a NIK rebuilt from a serial seen on one page and a birth date seen on another.

Only accounts that may not reveal the resident's NIK are checked: anyone but an officer of the
resident's kelurahan and the resident themself. The administrator edits the register in the
Django admin, which shows the birth date there; it must still show no digit of a NIK.
"""

import bisect
import datetime
import html
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from openpyxl import load_workbook

from rtkeren import scopes
from rtkeren.models import Resident, Role
from tests.security.world import World

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "january", "jan"),
            ("februari", "february", "feb"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "aug"),
            ("september", "sep"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("desember", "december", "des", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WORDY_DATE = re.compile(r"\b(\d{1,2})\.? (" + "|".join(_MONTHS) + r")\.? (\d{4})\b", re.I)
_DAY_FIRST = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DIGIT_RUN = re.compile(r"[0-9]+")
_MASK_BEFORE = ("*", "•", "x", "X", "…")
# Where one person's row ends and the next one's begins.
_ROW_END = re.compile(r"</(?:tr|li|article|section)>|<hr\b[^>]*>", re.I)
# Hidden fields, the values of check boxes and radio buttons (ids, never shown), and the admin's
# raw-id fields: a related row's key, which may equal any number (a NIK's serial among them).
_HIDDEN_INPUT = re.compile(
    r"<input\b[^>]*(?:type=[\"']?(?:hidden|checkbox|radio)"
    r"|class=\"[^\"]*\bv(?:ForeignKey|ManyToMany)RawIdAdminField\b)[^>]*>",
    re.I,
)
_INPUT_VALUE = re.compile(r"<input\b[^>]*\bvalue=\"([^\"]*)\"[^>]*>", re.I)
_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
SEGMENT_BREAK = "\n\x00\n"


def _dates_in(text: str) -> list[tuple[datetime.date, tuple[int, int]]]:
    found = []
    for pattern, order in ((_WORDY_DATE, "dmy"), (_DAY_FIRST, "dmy"), (_ISO_DATE, "ymd")):
        for match in pattern.finditer(text):
            first, second, third = match.groups()
            if order == "ymd":
                year, month, day = int(first), int(second), int(third)
            else:
                day, year = int(first), int(third)
                month = _MONTHS[second.lower()] if not second.isdigit() else int(second)
            try:
                found.append((datetime.date(year, month, day), match.span()))
            except ValueError:
                continue
    return found


def workbook_text(data: bytes) -> str:
    """A spreadsheet as text: one segment per row, dates written as a person reads them."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells = []
            for value in row:
                if isinstance(value, datetime.datetime | datetime.date):
                    value = value.strftime("%d/%m/%Y")
                cells.append("" if value is None else str(value))
            rows.append(" | ".join(cells))
    workbook.close()
    return SEGMENT_BREAK.join(rows)


def page_text(data: bytes) -> str:
    """What a person reads on a page, in segments (table rows, list items): the text and the
    values in the visible form fields, without the tags and hidden fields."""
    text = data.decode("utf-8", errors="replace")
    text = _INVISIBLE.sub(" ", text)
    text = _HIDDEN_INPUT.sub(" ", text)
    text = _INPUT_VALUE.sub(lambda match: f" {match[1]} ", text)
    text = _ROW_END.sub(SEGMENT_BREAK, text)
    return html.unescape(_TAG.sub(" ", text))


def served_text(data: bytes) -> str:
    if data[:2] == b"PK":
        return workbook_text(data)
    return page_text(data)


@dataclass(frozen=True)
class Person:
    pk: int
    name: str
    nik: str
    kk_number: str
    birth_date: datetime.date
    kelurahan_id: int


@dataclass
class Exposure:
    world: World
    findings: list = field(default_factory=list)
    figures: dict = field(default_factory=lambda: defaultdict(int))
    people: dict[int, Person] = field(default_factory=dict)
    # A telling run of digits (see _telling_runs) -> the residents whose NIK, or whose family
    # card number, holds it.
    by_nik_run: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_kk_run: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_birth_date: dict[datetime.date, set[int]] = field(default_factory=lambda: defaultdict(set))
    # account -> kelurahan where it is an officer (it may reveal those NIKs)
    officer_of: dict[str, set[int]] = field(default_factory=dict)
    # (account, resident pk) -> where the serial and where the birth date were first seen
    serial_seen: dict = field(default_factory=dict)
    birth_date_seen: dict = field(default_factory=dict)
    reported: set = field(default_factory=set)

    def __post_init__(self):
        residents = Resident.objects.select_related("rt__rw").order_by("pk")
        for resident in residents:
            person = Person(
                pk=resident.pk,
                name=resident.name,
                nik=resident.reveal_nik(),
                kk_number=resident.kk_number,
                birth_date=resident.birth_date,
                kelurahan_id=resident.rt.rw.kelurahan_id,
            )
            self.people[person.pk] = person
            if person.birth_date:
                self.by_birth_date[person.birth_date].add(person.pk)
            for run in _telling_runs(person.nik):
                self.by_nik_run[run].add(person.pk)
            for run in _telling_runs(person.kk_number):
                self.by_kk_run[run].add(person.pk)
        for account, user in self.world.users.items():
            self.officer_of[account] = scopes.kelurahan_ids(user, Role.OFFICER)

    def may_see(self, account: str, person: Person) -> bool:
        own = self.world.own_resident.get(account)
        return person.pk == own or person.kelurahan_id in self.officer_of.get(account, set())

    def _report(self, account: str, route: str, kind: str, message: str) -> None:
        """One finding per account, page and kind: a leaking list would repeat it per row."""
        self.figures[kind] += 1
        if (account, route, kind) not in self.reported:
            self.reported.add((account, route, kind))
            self.findings.append(message)

    def observe(self, *, account: str, label: str, url: str, data: bytes) -> None:
        try:
            text = served_text(data)
        except (OSError, ValueError, KeyError):
            text = data.decode("utf-8", errors="replace")
        # The administrator edits the register in the Django admin: the birth date and the
        # family card number are fields of its form there. A NIK's digits are not.
        editing = account == "admin" and url.startswith("/admin/")
        route = label.split(" ")[1]
        breaks = [match.start() for match in re.finditer(re.escape(SEGMENT_BREAK), text)]

        def segment_at(position: int) -> str:
            index = bisect.bisect(breaks, position)
            start = breaks[index - 1] if index else 0
            end = breaks[index] if index < len(breaks) else len(text)
            return text[start:end]

        dates = _dates_in(text)
        for match in _DIGIT_RUN.finditer(text):
            run = match[0]
            if run not in self.by_nik_run and run not in self.by_kk_run:
                continue
            masked = match.start() > 0 and text[match.start() - 1] in _MASK_BEFORE
            within_date = any(start <= match.start() < end for _date, (start, end) in dates)
            if len(run) == 4 and within_date and not masked:
                continue  # the year of a date, read as a date below
            segment = segment_at(match.start())
            for person in self._named(self.by_nik_run.get(run, ()), segment):
                self._nik_digits_seen(account, route, label, person, run)
            if not editing:
                for person in self._named(self.by_kk_run.get(run, ()), segment):
                    if not self.may_see(account, person):
                        self._report(
                            account,
                            route,
                            "family card digits",
                            f"{label}: digits {run} of the family card number of resident "
                            f"{person.pk}",
                        )
        for date, (start, _end) in dates:
            if date not in self.by_birth_date:
                continue
            for person in self._named(self.by_birth_date[date], segment_at(start)):
                if self.may_see(account, person):
                    self.figures["birth_date_shown_where_allowed"] += 1
                elif not editing:
                    self._report(
                        account,
                        route,
                        "birth date",
                        f"{label}: the birth date {date:%d/%m/%Y} of resident {person.pk}",
                    )
                    self.birth_date_seen.setdefault((account, person.pk), label)
                    self._rebuild(account, person)

    def _named(self, pks, segment: str) -> list[Person]:
        return [self.people[pk] for pk in pks if self.people[pk].name in segment]

    def _nik_digits_seen(self, account, route, label, person: Person, run: str) -> None:
        self.figures["nik_digits_next_to_resident"] += 1
        if self.may_see(account, person):
            return
        self._report(
            account,
            route,
            "NIK digits",
            f"{label}: digits {run} of the NIK of resident {person.pk}",
        )
        start = person.nik.find(run)
        if start + len(run) == len(person.nik):
            self.serial_seen.setdefault((account, person.pk), label)
        if start <= 6 and start + len(run) >= 12:
            self.birth_date_seen.setdefault((account, person.pk), label)
        self._rebuild(account, person)

    def _rebuild(self, account: str, person: Person) -> None:
        """Kecamatan code + the birth date (either sex) + the serial: the NIK, when both were
        seen next to the resident by the same account."""
        key = (account, person.pk)
        if key not in self.serial_seen or key not in self.birth_date_seen:
            return
        born = person.birth_date
        region = person.nik[:6]
        serial = person.nik[12:]
        candidates = {
            f"{region}{born.day + extra:02d}{born:%m}{born.year % 100:02d}{serial}"
            for extra in (0, 40)
        }
        if person.nik in candidates:
            self._report(
                account,
                f"resident {person.pk}",
                "rebuilt NIK",
                f"{account} rebuilt the NIK of resident {person.pk}: serial at "
                f"{self.serial_seen[key]}, birth date at {self.birth_date_seen[key]}",
            )


def _telling_runs(number: str) -> set[str]:
    """The runs of ``number``'s digits that tell more than the kecamatan code: its serial, and
    every run of five or more digits that reaches past the first six."""
    if not number:
        return set()
    runs = {number[12:]}
    for length in range(5, len(number) + 1):
        for start in range(0, len(number) - length + 1):
            if start + length > 6:
                runs.add(number[start : start + length])
    return runs
