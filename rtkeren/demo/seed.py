"""The core's seeder (``seed_demo``) and the residents ``seed_demo --residents`` adds."""

import time
from dataclasses import dataclass

from rtkeren.models import (
    RT,
    Community,
    Kelurahan,
    Kota,
    Resident,
    Role,
    User,
)
from rtkeren.registry import demo_data
from rtkeren.services.base import base_open, base_residents_sync

from .groups import (
    Accounts,
    CommunitySpec,
    community_specs,
    ensure_community,
    ensure_pokmas,
    pick,
)
from .people import (
    BATCH_SIZE,
    BLITAR,
    BLITAR_LAYOUT,
    BLITAR_RESIDENTS,
    DEMO_RT,
    DEMO_RT_RESIDENTS,
    DEMO_RW,
    KOTA_BLITAR,
    OTHER_RT,
    OTHER_RW,
    PAKUNDEN,
    PAKUNDEN_LAYOUT,
    PAKUNDEN_RESIDENTS_PER_RT,
    REFERENCE_DATE,
    Person,
    Population,
    region_code,
)
from .places import (
    create_missing_residents,
    ensure_interests,
    ensure_layout,
    ensure_open_period,
    find_rt,
    insert_residents,
    resident_ids,
    rt_layout,
)

# The seeder.


@dataclass
class DemoPlaces:
    blitar: Kelurahan
    pakunden: Kelurahan
    blitar_rts: list[RT]
    pakunden_rts: list[RT]

    @property
    def demo_rt(self) -> RT:
        return find_rt(self.blitar_rts, DEMO_RW, DEMO_RT)

    @property
    def other_rt(self) -> RT:
        return find_rt(self.blitar_rts, OTHER_RW, OTHER_RT)


def demo_places() -> DemoPlaces:
    blitar = Kelurahan.objects.select_related("kecamatan").get(code=BLITAR)
    pakunden = Kelurahan.objects.select_related("kecamatan").get(code=PAKUNDEN)
    return DemoPlaces(
        blitar=blitar,
        pakunden=pakunden,
        blitar_rts=ensure_layout(blitar, BLITAR_LAYOUT),
        pakunden_rts=ensure_layout(pakunden, PAKUNDEN_LAYOUT),
    )


def demo_people(places: DemoPlaces) -> tuple[list[Person], list[Person]]:
    """The register of the demo (verified residents) and a few self-registrations, pending."""
    population = Population("rtkeren demo")
    demo_rt, blitar_region = places.demo_rt, region_code(places.blitar)
    people: list[Person] = []
    others = [rt for rt in places.blitar_rts if rt != demo_rt]
    per_rt, extra = divmod(BLITAR_RESIDENTS - DEMO_RT_RESIDENTS, len(others))
    for rt in places.blitar_rts:
        count = DEMO_RT_RESIDENTS if rt == demo_rt else per_rt + (others.index(rt) < extra)
        people += population.residents_of(rt, blitar_region, count)
    for rt in places.pakunden_rts:
        people += population.residents_of(
            rt, region_code(places.pakunden), PAKUNDEN_RESIDENTS_PER_RT
        )
    pending = []
    for rt, age, sex in [(demo_rt, 19, "P"), (demo_rt, 34, "L"), (demo_rt, 52, "P")] + [
        (places.other_rt, 23, "L")
    ]:
        person = population.person(
            rt,
            blitar_region,
            age=age,
            sex=sex,
            address=population.address_in(rt),
            verification=Resident.Verification.PENDING,
        )
        person.status = Resident.Status.ACTIVE
        pending.append(person)
    return people, pending


def seed_accounts(
    accounts: Accounts,
    places: DemoPlaces,
    people: list[Person],
    pending: list[Person],
    ids: dict[str, int],
) -> Person:
    """The demo accounts and their roles, but the community lead's (its community comes later).
    Returns the resident who leads the sanggar."""
    taken: set[str] = set()

    def resident_account(username: str, rt: RT) -> tuple[User, Person]:
        neighbours = [p for p in people if p.rt.pk == rt.pk]
        person = pick(neighbours, taken, lambda p: p.is_plain_adult)
        return accounts.resident_user(username, person, ids[person.digest]), person

    demo_rt, other_rt = places.demo_rt, places.other_rt
    accounts.user("admin", is_staff=True, is_superuser=True)
    kota = Kota.objects.get(code=KOTA_BLITAR)
    accounts.role(accounts.user("kota", name="Bagus Santoso"), Role.CITY_VIEWER, kota=kota)
    petugas = accounts.user("petugas", name="Dwi Hartono")
    accounts.role(petugas, Role.OFFICER, kelurahan=places.blitar)
    pendamping = accounts.user("pendamping", name="Rina Wulandari")
    accounts.role(pendamping, Role.FACILITATOR, kelurahan=places.blitar)
    petugas2 = accounts.user("petugas2", name="Yuliana Sari")
    accounts.role(petugas2, Role.OFFICER, kelurahan=places.pakunden)

    ketua_rt, _person = resident_account("ketua_rt", demo_rt)
    accounts.role(ketua_rt, Role.RT_CHAIR, rt=demo_rt)
    resident_account("warga", demo_rt)
    ketua_rw, _person = resident_account("ketua_rw", find_rt(places.blitar_rts, DEMO_RW, 1))
    accounts.role(ketua_rw, Role.RW_CHAIR, rw=demo_rt.rw)
    ketua_rt2, _person = resident_account("ketua_rt2", other_rt)
    accounts.role(ketua_rt2, Role.RT_CHAIR, rt=other_rt)
    _user, lead = resident_account("komunitas", find_rt(places.blitar_rts, 3, 1))
    resident_account("warga2", places.pakunden_rts[0])
    for number, person in enumerate(pending, start=1):
        accounts.resident_user(f"pendaftar{number}", person, ids[person.digest])
    return lead


def seed_groups(
    places: DemoPlaces,
    people: list[Person],
    ids: dict[str, int],
    interest_ids: dict[str, int],
    *,
    lead: Person,
) -> tuple[Community, int, int]:
    """Communities and a Pokmas per RT with their members. Returns the sanggar and how many
    community and Pokmas members were added."""
    specs = community_specs(places.blitar.name, places.demo_rt)
    sanggar, members = ensure_community(
        specs[0], places.blitar, people, ids, interest_ids, chair=lead
    )
    for spec in specs[1:]:
        members += ensure_community(spec, places.blitar, people, ids, interest_ids)[1]
    pakunden_youth = CommunitySpec(
        f"Karang Taruna Kelurahan {places.pakunden.name}",
        Community.Kind.KARANG_TARUNA,
        "Organisasi pemuda Kelurahan Pakunden.",
        ["musik", "fotografi"],
        8,
        lambda p: 13 <= p.age <= 35,
    )
    members += ensure_community(pakunden_youth, places.pakunden, people, ids, interest_ids)[1]
    pokmas_members = 0
    for rts in (places.blitar_rts, places.pakunden_rts):
        for sequence, rt in enumerate(rts, start=1):
            pokmas_members += ensure_pokmas(rt, sequence, people, ids)[1]
    return sanggar, members, pokmas_members


@demo_data.register("core", order=0)
def seed_core(*, stdout) -> str:
    interest_ids = ensure_interests()
    period = ensure_open_period()
    places = demo_places()
    people, pending = demo_people(places)
    residents = create_missing_residents(people + pending, interest_ids)
    base_open(period=period)
    ids = resident_ids(people + pending)
    accounts = Accounts(starts_on=REFERENCE_DATE)
    lead = seed_accounts(accounts, places, people, pending, ids)
    sanggar, members, pokmas_members = seed_groups(places, people, ids, interest_ids, lead=lead)
    komunitas = User.objects.get(username="komunitas")
    accounts.role(komunitas, Role.COMMUNITY_LEAD, community=sanggar)
    return (
        f"period {period.year}; {residents} residents, {accounts.created} accounts, "
        f"{members} community members, {pokmas_members} Pokmas members created"
    )


def residents_add(*, count: int) -> tuple[int, float]:
    """Add ``count`` residents spread evenly over every kelurahan of Kota Blitar (creating their
    30 RTs each where missing). Returns the number added and the seconds it took."""
    started = time.perf_counter()
    interest_ids = ensure_interests()
    kelurahan_list = list(
        Kelurahan.objects.filter(kecamatan__kota__code=KOTA_BLITAR).select_related("kecamatan")
    )
    rts = {k.pk: ensure_layout(k, rt_layout(k.code)) for k in kelurahan_list}
    used = set(Resident.objects.values_list("nik_digest", flat=True))
    # Seeded by the size of the register, so that the same command on the same data repeats
    # itself, while a second run draws new people.
    population = Population(f"rtkeren residents {len(used)}", used)
    quota, extra = divmod(count, len(kelurahan_list))
    batch: list[Person] = []
    added = 0
    for index, kelurahan in enumerate(kelurahan_list):
        wanted, placed = quota + (index < extra), 0
        while placed < wanted:
            rt = population.random.choice(rts[kelurahan.pk])
            household = population.household(rt, region_code(kelurahan))[: wanted - placed]
            placed += len(household)
            batch.extend(household)
            if len(batch) >= BATCH_SIZE:
                added += _insert_in_base(batch, interest_ids)
                batch = []
    added += _insert_in_base(batch, interest_ids)
    return added, time.perf_counter() - started


def _insert_in_base(people: list[Person], interest_ids: dict[str, int]) -> int:
    """Insert ``people`` without history and add them to the base of the open periods."""
    pks = insert_residents(people, interest_ids, history=False)
    base_residents_sync(resident_ids=pks)
    return len(pks)
