"""The demo's RTs, reference data and the writing of its residents in batches."""

import datetime
import random
from collections.abc import Iterable

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from rtkeren.models import (
    RT,
    RW,
    Interest,
    Kelurahan,
    Period,
    Resident,
    ResidentInterest,
)

from .people import (
    BATCH_SIZE,
    BLITAR,
    BLITAR_LAYOUT,
    HISTORY_REASON,
    INTERESTS,
    RTS_PER_KELURAHAN,
    Person,
)

# Places.


def rt_layout(kelurahan_code: str) -> dict[int, int]:
    """RW number -> number of RTs: 30 RTs per kelurahan (630 in the city, as in December 2023)."""
    if kelurahan_code == BLITAR:
        return dict(BLITAR_LAYOUT)
    rng = random.Random(f"layout {kelurahan_code}")
    rw_count = rng.randint(6, 10)
    counts = [2] * rw_count
    for _extra in range(RTS_PER_KELURAHAN - 2 * rw_count):
        counts[rng.randrange(rw_count)] += 1
    return dict(enumerate(counts, start=1))


def ensure_layout(kelurahan: Kelurahan, layout: dict[int, int]) -> list[RT]:
    """The RWs and RTs of ``layout`` in the kelurahan, created where missing, in order."""
    rws = {rw.number: rw for rw in RW.objects.filter(kelurahan=kelurahan)}
    new_rws = [RW(kelurahan=kelurahan, number=n) for n in layout if n not in rws]
    for rw in RW.objects.bulk_create(new_rws):
        rws[rw.number] = rw
    rts = {(rt.rw_id, rt.number): rt for rt in RT.objects.filter(rw__kelurahan=kelurahan)}
    wanted = [(rws[rw], n) for rw, count in layout.items() for n in range(1, count + 1)]
    new_rts = [RT(rw=rw, number=n) for rw, n in wanted if (rw.pk, n) not in rts]
    for rt in RT.objects.bulk_create(new_rts):
        rts[(rt.rw_id, rt.number)] = rt
    ordered = []
    for rw, number in wanted:
        rt = rts[(rw.pk, number)]
        rt.rw = rw
        rw.kelurahan = kelurahan
        ordered.append(rt)
    return ordered


def find_rt(rts: Iterable[RT], rw_number: int, rt_number: int) -> RT:
    return next(rt for rt in rts if rt.rw.number == rw_number and rt.number == rt_number)


# Writing residents.


def create_missing_residents(people: list[Person], interest_ids: dict[str, int]) -> int:
    """Create the people whose NIK the register does not hold yet; return how many."""
    existing: set[str] = set()
    digests = [person.digest for person in people]
    for start in range(0, len(digests), BATCH_SIZE):
        existing.update(
            Resident.objects.filter(nik_digest__in=digests[start : start + BATCH_SIZE]).values_list(
                "nik_digest", flat=True
            )
        )
    return len(insert_residents([p for p in people if p.digest not in existing], interest_ids))


def insert_residents(
    people: list[Person],
    interest_ids: dict[str, int],
    *,
    history: bool = True,
    users: dict[str, int] | None = None,
) -> list[int]:
    """Insert ``people`` with their interests, each linked to the account ``users`` gives for
    its NIK hash, if any; their primary keys, in order. Without ``history`` no creation row goes
    to the residents' history (which then starts at their first change): that halves the time."""
    now = timezone.now()
    users = users or {}
    pks = []
    for start in range(0, len(people), BATCH_SIZE):
        batch = people[start : start + BATCH_SIZE]
        residents = [person.to_resident(now) for person in batch]
        for person, resident in zip(batch, residents, strict=True):
            resident.user_id = users.get(person.digest)
        if history:
            residents = bulk_create_with_history(
                residents,
                Resident,
                batch_size=BATCH_SIZE,
                default_change_reason=HISTORY_REASON,
                default_date=now,
            )
        else:
            residents = Resident.objects.bulk_create(residents, batch_size=BATCH_SIZE)
        links = [
            ResidentInterest(resident=resident, interest_id=interest_ids[slug], kind=kind)
            for person, resident in zip(batch, residents, strict=True)
            for slug, kind in person.interests
        ]
        ResidentInterest.objects.bulk_create(links, batch_size=BATCH_SIZE)
        pks += [resident.pk for resident in residents]
    return pks


def resident_ids(people: Iterable[Person]) -> dict[str, int]:
    """Resident primary keys by NIK hash."""
    digests = [person.digest for person in people]
    found: dict[str, int] = {}
    for start in range(0, len(digests), BATCH_SIZE):
        found.update(
            Resident.objects.filter(nik_digest__in=digests[start : start + BATCH_SIZE]).values_list(
                "nik_digest", "pk"
            )
        )
    return found


# Reference data.


def ensure_interests() -> dict[str, int]:
    for slug, name in INTERESTS.items():
        Interest.objects.get_or_create(slug=slug, defaults={"name": name})
    return dict(Interest.objects.filter(slug__in=INTERESTS).values_list("slug", "pk"))


def ensure_open_period() -> Period:
    year = timezone.localdate().year
    period, _created = Period.objects.get_or_create(
        year=year,
        defaults={
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 12, 31),
            "is_open": True,
        },
    )
    return period
