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


class Source:
    """Whose columns a file holds: the portal's template, or OpenSID's resident export
    (docs/opensid-import.md)."""

    TEMPLATE = "template"
    OPENSID = "opensid"


# OpenSID's column names (its ``Impor_model::daftar_kolom``) that the import reads, by the key of
# the template column they fill. The export has more; they are ignored.
OPENSID_COLUMNS = {
    "nik": "nik",
    "nama": "name",
    "tanggallahir": "birth_date",
    "sex": "sex",
    "rw": "rw",
    "rt": "rt",
    "no_kk": "kk_number",
    "alamat": "address",
    "alamat_sekarang": "current_address",
    "pekerjaan_id": "occupation",
    "status_dasar": "status",
}
#: Without these a file is not taken for OpenSID's export.
OPENSID_REQUIRED = ("nik", "nama", "tanggallahir", "rw", "rt")
#: OpenSID's codes, or the names its export "in letters" writes, for the sex (tweb_penduduk_sex,
#: and the extra spellings its own import accepts).
OPENSID_SEX = {
    "1": "L",
    "laki-laki": "L",
    "l": "L",
    "lk": "L",
    "2": "P",
    "perempuan": "P",
    "p": "P",
    "pr": "P",
}
#: OpenSID's basic status (tweb_status_dasar) that has a counterpart in the register.
OPENSID_STATUS = {
    "1": Resident.Status.ACTIVE,
    "hidup": Resident.Status.ACTIVE,
    "2": Resident.Status.DECEASED,
    "mati": Resident.Status.DECEASED,
    "3": Resident.Status.MOVED,
    "pindah": Resident.Status.MOVED,
    "pindah dalam negeri": Resident.Status.MOVED,
    "pindah luar negeri": Resident.Status.MOVED,
}
#: Missing, gone away without moving out, not a valid entry: nothing in the register says so.
OPENSID_STATUS_WITHOUT_COUNTERPART = {
    "4": "HILANG",
    "hilang": "HILANG",
    "6": "PERGI",
    "pergi": "PERGI",
    "9": "TIDAK VALID",
    "tidak valid": "TIDAK VALID",
}
#: What OpenSID's export "in letters" writes in ``status_dasar``: the names of the residence
#: status (tweb_penduduk_status), not of the basic status, so it cannot be read.
OPENSID_RESIDENCE_STATUS = ("tetap", "tidak tetap")

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
    "status": gettext_lazy("status"),
}
_OPENSID_OWN_LABELS = {
    "nik": gettext_lazy("NIK"),
    "rw": gettext_lazy("RW"),
    "alamat_sekarang": gettext_lazy("address, when alamat is empty"),
    "pekerjaan_id": gettext_lazy("occupation, when written in letters"),
}
#: What each OpenSID column read fills, for the import page.
OPENSID_COLUMN_LABELS = {
    name: _OPENSID_OWN_LABELS[name] if name in _OPENSID_OWN_LABELS else FIELD_LABELS[key]
    for name, key in OPENSID_COLUMNS.items()
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
    source: str = Source.TEMPLATE
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

    @property
    def source(self) -> str:
        return self.rows[0].source if self.rows else Source.TEMPLATE

    @property
    def whole_file_only(self) -> bool:
        """An OpenSID export is the kelurahan's register as a whole: imported in part, it would
        leave residents out without anyone noticing, so one rejected row holds back every row."""
        return self.source == Source.OPENSID

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
        return {
            "source": self.source,
            "counts": self.counts(),
            "rows": [row.as_json() for row in self.rows],
        }
