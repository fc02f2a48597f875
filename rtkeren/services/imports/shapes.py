"""What an import file holds and what the import makes of it: the columns, and each row's
planned outcome."""

import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from rtkeren.models import Resident


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    example: str
    aliases: tuple[str, ...] = ()


# The headers are part of the file format, so they stay in Indonesian whatever the page language.
COLUMNS = (
    Column("nik", "NIK", True, "3572024708850001"),
    Column("name", "Nama", True, "Siti Aminah", ("nama lengkap",)),
    Column("birth_date", "Tanggal lahir", True, "07-08-1985", ("tgl lahir", "tanggal_lahir")),
    Column("sex", "Jenis kelamin", False, "P", ("jenis_kelamin", "jk", "l/p")),
    Column("rw", "RW", True, "7"),
    Column("rt", "RT", True, "2"),
    Column("kk_number", "No. KK", False, "3572020101090001", ("nomor kk", "no kk", "kk")),
    Column("address", "Alamat", False, "Jl. Kalimantan No. 12"),
    Column("phone", "Telepon", False, "0812-3456-7890", ("no hp", "no. hp", "hp", "telp")),
    Column("occupation", "Pekerjaan", False, "Pedagang"),
)
EXAMPLE_NIK = COLUMNS[0].example
#: Columns stored as text in the template, so that Excel keeps all 16 digits and leading zeros.
TEXT_COLUMNS = ("nik", "kk_number", "phone", "birth_date")
#: Optional columns: an empty cell keeps what the register holds.
OPTIONAL_FIELDS = ("kk_number", "address", "phone", "occupation")
FIELD_LABELS = {
    "name": gettext_lazy("name"),
    "birth_date": gettext_lazy("birth date"),
    "sex": gettext_lazy("sex"),
    "rt": gettext_lazy("RT"),
    "kk_number": gettext_lazy("family card number"),
    "address": gettext_lazy("address"),
    "phone": gettext_lazy("phone"),
    "occupation": gettext_lazy("occupation"),
}


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"
    ALL = (CREATE, UPDATE, UNCHANGED, REJECT)
    WRITES = (CREATE, UPDATE)


@dataclass
class PlannedRow:
    """One data row of the file and what the import does with it."""

    line: int
    cells: dict
    action: str = Action.CREATE
    messages: list[str] = field(default_factory=list)
    name: str = ""
    nik: str = ""
    digest: str = ""
    place: str = ""
    values: dict = field(default_factory=dict)
    resident: Resident | None = None
    changes: dict = field(default_factory=dict)

    def reject(self, message) -> None:
        self.action = Action.REJECT
        self.messages.append(str(message))

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "action": self.action,
            "name": self.name[:150],
            "nik": bool(self.digest),
            "place": self.place,
            "messages": self.messages,
            "changes": [str(FIELD_LABELS[name]) for name in self.changes],
        }


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    content_sha256: str

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Action.ALL, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def fingerprint(self) -> str:
        """Changes when the file or any row's outcome changes: what the officer confirms."""
        outcome = [
            [row.line, row.action, row.resident.pk if row.resident else None, sorted(row.changes)]
            for row in self.rows
        ]
        payload = json.dumps([self.content_sha256, outcome], separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    def as_json(self) -> dict:
        return {"counts": self.counts(), "rows": [row.as_json() for row in self.rows]}
