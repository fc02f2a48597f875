"""The check (dry run): what the import would do with each row, against the register, without
writing a resident."""

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rtkeren import nik as nik_codec
from rtkeren.models import RT, Kelurahan, Resident
from rtkeren.phone import normalize_phone

from .read import (
    LOOKUP_CHUNK,
    SEX_WORDS,
    cell_date,
    cell_number,
    cell_text,
)
from .shapes import (
    EXAMPLE_NIK,
    OPENSID_RESIDENCE_STATUS,
    OPENSID_SEX,
    OPENSID_STATUS,
    OPENSID_STATUS_WITHOUT_COUNTERPART,
    OPTIONAL_FIELDS,
    Action,
    ImportPlan,
    PlannedRow,
    Source,
)

# The check.


def _read_opensid_codes(row: PlannedRow) -> str:
    """Turn the cells of a row of OpenSID's export into the template's, rejecting the row for
    each code OpenSID's reference tables do not hold. Returns the resident's status."""
    cells = row.cells
    sex_code = cell_text(cells.get("sex"))
    if sex_code:
        cells["sex"] = OPENSID_SEX.get(sex_code.lower())
        if cells["sex"] is None:
            row.reject(
                _(
                    "The sex code “%(code)s” is not one of OpenSID's: 1 (LAKI-LAKI) or 2 "
                    "(PEREMPUAN)."
                )
                % {"code": sex_code[:20]}
            )
    # Its occupation is a code of OpenSID's own list unless exported in letters.
    if cell_text(cells.get("occupation")).isdigit():
        cells["occupation"] = ""
    if not cell_text(cells.get("address")):
        cells["address"] = cells.get("current_address")

    status_code = cell_text(cells.get("status"))
    key = status_code.lower()
    if not status_code:
        return Resident.Status.ACTIVE
    if key in OPENSID_STATUS:
        return OPENSID_STATUS[key]
    if key in OPENSID_STATUS_WITHOUT_COUNTERPART:
        row.reject(
            _(
                "OpenSID's status dasar %(status)s has no counterpart in the portal, which knows "
                "living, moved away and deceased residents. Leave this resident out of the "
                "export, e.g. by exporting only the residents whose status dasar is HIDUP."
            )
            % {"status": OPENSID_STATUS_WITHOUT_COUNTERPART[key]}
        )
    elif key in OPENSID_RESIDENCE_STATUS:
        row.reject(
            _(
                "The status dasar reads “%(code)s”, which OpenSID's export in letters writes in "
                "place of the status dasar. Export with the “Ekspor Penduduk” button, which "
                "writes codes."
            )
            % {"code": status_code[:20]}
        )
    else:
        row.reject(
            _(
                "The status dasar code “%(code)s” is not one of OpenSID's: 1 (HIDUP), 2 (MATI) "
                "or 3 (PINDAH)."
            )
            % {"code": status_code[:20]}
        )
    return Resident.Status.ACTIVE


def _read_row(row: PlannedRow, *, rts: dict, kelurahan: Kelurahan) -> None:
    """Fill ``row.values`` from its cells, rejecting it with every problem found."""
    cells = row.cells
    status = _read_opensid_codes(row) if row.source == Source.OPENSID else None
    row.name = cell_text(cells.get("name"))
    row.nik = nik_codec.normalize_nik(cell_text(cells.get("nik")))
    facts = None
    if not row.nik:
        row.reject(_("Enter the resident's NIK."))
    elif row.nik == EXAMPLE_NIK:
        row.reject(_("This is the example row of the template. Delete it from the file."))
    else:
        try:
            facts = nik_codec.parse_nik(row.nik)
        except ValidationError as error:
            for message in error.messages:
                row.reject(message)
    if facts is not None:
        row.digest = nik_codec.nik_digest(row.nik)

    birth_date = cell_date(cells.get("birth_date"))
    if birth_date is None:
        row.reject(_("Write the birth date as day-month-year, e.g. 17-08-1985."))
    elif facts and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        facts.birth_date.day,
        facts.birth_date.month,
        facts.birth_date.year % 100,
    ):
        row.reject(
            _(
                "The birth date does not match the NIK, which says %(date)s. Check the "
                "birth date or the NIK."
            )
            % {"date": date_format(facts.birth_date, "j F Y")}
        )

    sex_text = cell_text(cells.get("sex")).lower()
    sex = SEX_WORDS.get(sex_text) if sex_text else (facts.sex if facts else "")
    if sex is None:
        row.reject(_("Write the sex as L (male) or P (female)."))
    elif facts and sex != facts.sex:
        row.reject(
            _("The sex does not match the NIK, which says %(sex)s. Check the sex or the NIK.")
            % {"sex": Resident.Sex(facts.sex).label}
        )

    rw_number, rt_number = cell_number(cells.get("rw")), cell_number(cells.get("rt"))
    rt = rts.get((rw_number, rt_number))
    if rw_number is None or rt_number is None:
        row.reject(_("Write the RW and the RT as numbers, e.g. 7 and 2."))
    elif rt is None:
        row.reject(
            _("Kelurahan %(kelurahan)s has no RT %(rt)03d / RW %(rw)03d.")
            % {"kelurahan": kelurahan.name, "rt": rt_number, "rw": rw_number}
        )
    else:
        row.place = str(rt)

    phone = ""
    try:
        phone = normalize_phone(cell_text(cells.get("phone")))
    except ValidationError as error:
        row.reject(_("Phone: %(error)s") % {"error": " ".join(error.messages)})

    row.values = {
        "name": row.name,
        "birth_date": birth_date,
        "sex": sex or "",
        "rt": rt,
        "kk_number": nik_codec.normalize_nik(cell_text(cells.get("kk_number"))),
        "address": cell_text(cells.get("address")),
        "phone": phone,
        "occupation": cell_text(cells.get("occupation")),
    }
    if status is not None:
        row.values["status"] = status
    # The model's own field rules (lengths, the family card number) give the same messages as
    # the forms; the NIK and the places were checked above.
    candidate = Resident(**{k: v for k, v in row.values.items() if k != "rt"})
    try:
        candidate.clean_fields(
            exclude=[
                "nik_ciphertext",
                "nik_digest",
                "rt",
                "user",
                "verified_by",
                "birth_date",
                "sex",
            ]
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = Resident._meta.get_field(name).verbose_name
            for message in messages:
                row.reject(f"{str(label).capitalize()}: {message}")


def _register_matches(digests: list[str]) -> dict[str, list[Resident]]:
    """Every resident holding one of the NIKs, with their places: a query per LOOKUP_CHUNK."""
    found: dict[str, list[Resident]] = {}
    for start in range(0, len(digests), LOOKUP_CHUNK):
        chunk = digests[start : start + LOOKUP_CHUNK]
        for resident in Resident.objects.filter(nik_digest__in=chunk).select_related("rt__rw"):
            found.setdefault(resident.nik_digest, []).append(resident)
    return found


def _compare(row: PlannedRow, resident: Resident) -> None:
    """Record what an update would change. Empty optional cells keep the register's value."""
    row.resident = resident
    for name, value in row.values.items():
        if name in OPTIONAL_FIELDS and not value:
            continue
        current = resident.rt if name == "rt" else getattr(resident, name)
        if current != value:
            row.changes[name] = value
    row.action = Action.UPDATE if row.changes else Action.UNCHANGED
    if not resident.is_verified:
        row.messages.append(
            _("This resident waits for verification; the import does not verify them.")
        )


def import_plan(*, kelurahan: Kelurahan, rows: list[PlannedRow], content_sha256: str) -> ImportPlan:
    """Decide each row's fate without writing. Queries: one for the RTs and one per
    LOOKUP_CHUNK NIKs, however many rows the file has."""
    rts = {
        (rt.rw.number, rt.number): rt
        for rt in RT.objects.filter(rw__kelurahan=kelurahan).select_related("rw__kelurahan")
    }
    lines_by_digest: dict[str, list[int]] = {}
    for row in rows:
        _read_row(row, rts=rts, kelurahan=kelurahan)
        if row.digest:
            lines_by_digest.setdefault(row.digest, []).append(row.line)

    matches = _register_matches(list(lines_by_digest))
    for row in rows:
        if not row.digest:
            continue
        lines = lines_by_digest[row.digest]
        if len(lines) > 1:
            row.reject(
                _(
                    "The same NIK is on several lines of this file (%(lines)s). Keep one line "
                    "per resident."
                )
                % {"lines": ", ".join(str(line) for line in lines)}
            )
        residents = matches.get(row.digest, [])
        own = [r for r in residents if r.rt.rw.kelurahan_id == kelurahan.pk]
        own.sort(key=lambda r: (not r.is_verified, r.pk))
        elsewhere = [r for r in residents if r.is_verified and r not in own]
        if elsewhere and not (own and own[0].is_verified):
            row.reject(
                _(
                    "A verified resident with this NIK is already in the register of another "
                    "kelurahan. The same person cannot be added twice."
                )
            )
        if row.action != Action.REJECT and own:
            _compare(row, own[0])
    return ImportPlan(rows=rows, content_sha256=content_sha256)
