"""The core's demo data: Kelurahan Blitar in detail, a corner of Kelurahan Pakunden, the demo
accounts, and on request (``seed_demo --residents N``) residents all over Kota Blitar.

Everything is drawn from generators seeded with fixed strings, and ages count from a fixed day
(``REFERENCE_DATE``), so every run builds the same people with the same NIKs. Objects are looked
up by their natural keys (a username, a NIK's keyed hash, a kelurahan and a name...) before they
are created: running the seeder again creates nothing twice.

Residents are written with ``bulk_create`` in batches: the demo's own with their history rows,
the many of ``--residents`` without (a creation row per resident would double the time). Beyond
Django's own work per row, encrypting the NIK is the cost; ``benchmarks/seed_residents.py``
measures both.
"""

import datetime
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from rtkeren import nik as nik_codec
from rtkeren.models import (
    RT,
    RW,
    Community,
    CommunityMembership,
    Interest,
    Kelurahan,
    Kota,
    Period,
    Pokmas,
    PokmasMembership,
    Position,
    Resident,
    ResidentInterest,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.registry import demo_data
from rtkeren.services.base import base_open, base_residents_sync

DEMO_PASSWORD = "rtkeren-demo"  # noqa: S105 (published in the README for the demo only)
KOTA_BLITAR = "35.72"
BLITAR = "35.72.02.1002"
PAKUNDEN = "35.72.02.1001"
DEMO_RW, DEMO_RT = 7, 2
OTHER_RW, OTHER_RT = 8, 1
# A training of the demo RT that one stage's demo delivers and a later stage's demo evaluates:
# the two find it by this title, since neither imports the other.
EVALUATED_TRAINING = "Pelatihan membatik tulis untuk remaja RT 002"
RTS_PER_KELURAHAN = 30
# Ages count from this day, not from today, so that a run next month makes the same people.
REFERENCE_DATE = datetime.date(2026, 1, 1)
BATCH_SIZE = 2000
HISTORY_REASON = "demo data"

# RW number -> how many RTs it has. Kelurahan Blitar is drawn by hand; the others by rt_layout.
BLITAR_LAYOUT = {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 3, 7: 4, 8: 3}
BLITAR_RESIDENTS = 600
DEMO_RT_RESIDENTS = 70
PAKUNDEN_LAYOUT = {1: 2}
PAKUNDEN_RESIDENTS_PER_RT = 16

INTERESTS = {
    "tari": "Tari",
    "karawitan": "Karawitan",
    "membatik": "Membatik",
    "hadrah": "Hadrah",
    "kuliner": "Kuliner",
    "kerajinan": "Kerajinan",
    "teater": "Teater",
    "musik": "Musik",
    "desain": "Desain",
    "jaranan": "Jaranan",
    "menjahit": "Menjahit",
    "fotografi": "Fotografi",
    "pencak-silat": "Pencak silat",
    "tata-rias": "Tata rias",
}
YOUTH_INTERESTS = ["tari", "musik", "teater", "desain", "fotografi", "pencak-silat", "hadrah"]
WOMEN_INTERESTS = ["kuliner", "membatik", "menjahit", "kerajinan", "tata-rias", "tari", "hadrah"]
MEN_INTERESTS = ["karawitan", "kerajinan", "jaranan", "musik", "hadrah", "fotografi", "kuliner"]
INTEREST_KINDS = [ResidentInterest.Kind.INTEREST] * 5 + [
    ResidentInterest.Kind.TALENT,
    ResidentInterest.Kind.TALENT,
    ResidentInterest.Kind.SKILL,
    ResidentInterest.Kind.SKILL,
    ResidentInterest.Kind.SKILL,
]

WORK = [
    "Wiraswasta",
    "Karyawan Swasta",
    "Pedagang",
    "Buruh Harian Lepas",
    "Guru",
    "Pegawai Negeri Sipil",
    "Perajin",
    "Petani",
    "Sopir",
    "Penjahit",
    "Tukang Batu",
    "Perawat",
]
PHONE_PREFIXES = ["812", "813", "821", "822", "852", "853", "857", "877", "878", "881", "895"]
RELIGIONS = [choice.value for choice in Resident.Religion if choice != "9"]
RELIGION_WEIGHTS = [88, 6, 3, 0.7, 1, 0.3, 1]
POKMAS_NAMES = [
    "Guyub Rukun",
    "Maju Bersama",
    "Sumber Rejeki",
    "Tunas Harapan",
    "Karya Mandiri",
    "Rukun Santoso",
    "Mekar Sari",
    "Ngudi Makmur",
    "Bina Warga",
    "Sido Mulyo",
]
OFFICER_POSITIONS = [Position.CHAIR, Position.VICE_CHAIR, Position.SECRETARY, Position.TREASURER]


@dataclass
class Person:
    """A resident as generated, before it is known whether the register already holds them."""

    name: str
    sex: str
    birth_date: datetime.date
    nik: str
    digest: str
    rt: RT
    kk_number: str = ""
    address: str = ""
    phone: str = ""
    occupation: str = ""
    status: str = Resident.Status.ACTIVE
    religion: str = ""
    verification: str = Resident.Verification.VERIFIED
    interests: list[tuple[str, str]] = field(default_factory=list)

    @property
    def age(self) -> int:
        born = self.birth_date
        return REFERENCE_DATE.year - born.year - ((born.month, born.day) > (1, 1))

    @property
    def is_plain_adult(self) -> bool:
        """Active, verified, and of an age to hold an office or an account."""
        return (
            self.status == Resident.Status.ACTIVE
            and self.verification == Resident.Verification.VERIFIED
            and 25 <= self.age <= 65
        )

    def to_resident(self, now: datetime.datetime) -> Resident:
        resident = Resident(
            name=self.name,
            sex=self.sex,
            birth_date=self.birth_date,
            rt=self.rt,
            kk_number=self.kk_number,
            address=self.address,
            phone=self.phone,
            occupation=self.occupation,
            status=self.status,
            religion=self.religion,
            religion_consent_at=now if self.religion else None,
            verification=self.verification,
            verified_at=now if self.verification == Resident.Verification.VERIFIED else None,
        )
        resident.set_nik(self.nik)
        return resident


def region_code(kelurahan: Kelurahan) -> str:
    """The first six digits of a NIK issued in the kelurahan's kecamatan: 35.72.02 -> 357202."""
    return kelurahan.code[:8].replace(".", "")


class Population:
    """Households of plausible residents of Kota Blitar, the same ones for the same seed.

    ``used_digests`` holds the NIK hashes already taken; every NIK drawn is added to it.
    """

    def __init__(self, seed: str, used_digests: set[str] | None = None):
        from faker import Faker  # a development dependency: imported only when seeding

        self.random = random.Random(seed)
        self.fake = Faker("id_ID")
        self.fake.seed_instance(seed)
        self.used_digests = used_digests if used_digests is not None else set()
        self.streets: dict[int, list[str]] = {}

    def household(self, rt: RT, region: str) -> list[Person]:
        """A family sharing a family card and an address: the head comes first."""
        rng = self.random
        head_age = round(rng.triangular(22, 88, 42))
        head_sex = "L" if rng.random() < 0.85 else "P"
        ages_and_sexes = [(head_age, head_sex)]
        mother_age = head_age if head_sex == "P" else None
        if rng.random() < (0.8 if head_age < 70 else 0.45):
            spouse_sex = "P" if head_sex == "L" else "L"
            spouse_age = max(19, head_age + rng.randint(-6, 3) * (1 if head_sex == "L" else -1))
            ages_and_sexes.append((spouse_age, spouse_sex))
            mother_age = spouse_age if spouse_sex == "P" else head_age
        if mother_age and mother_age < 66:
            children = rng.choices([0, 1, 2, 3, 4], weights=[15, 25, 35, 18, 7])[0]
            for _child in range(children):
                child_age = rng.randint(0, max(0, min(mother_age - 19, 32)))
                ages_and_sexes.append((child_age, rng.choice("LP")))
        if head_age < 55 and rng.random() < 0.1:
            ages_and_sexes.append((min(95, head_age + rng.randint(22, 32)), rng.choice("LP")))

        address = self.address_in(rt)
        kk_number = self._kk_number(region)
        religion = rng.choices(RELIGIONS, weights=RELIGION_WEIGHTS)[0]
        religion_recorded = rng.random() < 0.7
        return [
            self.person(
                rt,
                region,
                age=age,
                sex=sex,
                kk_number=kk_number,
                address=address,
                religion=religion if religion_recorded and age >= 17 else "",
            )
            for age, sex in ages_and_sexes
        ]

    def person(self, rt: RT, region: str, *, age: int, sex: str, **fields) -> Person:
        rng = self.random
        birth_date = REFERENCE_DATE - datetime.timedelta(days=age * 365 + rng.randint(1, 364))
        if age > 55 and rng.random() < 0.3:
            name = self.fake.first_name_male() if sex == "L" else self.fake.first_name_female()
        elif sex == "L":
            name = f"{self.fake.first_name_male()} {self.fake.last_name_male()}"
        else:
            name = f"{self.fake.first_name_female()} {self.fake.last_name_female()}"
        nik, digest = self._nik(region, birth_date, sex)
        status = Resident.Status.ACTIVE
        roll = rng.random()
        if roll < (0.07 if age > 65 else 0.005):
            status = Resident.Status.DECEASED
        elif roll > 0.97:
            status = Resident.Status.MOVED
        return Person(
            name=name,
            sex=sex,
            birth_date=birth_date,
            nik=nik,
            digest=digest,
            rt=rt,
            phone=self._phone() if 17 <= age <= 75 and rng.random() < 0.65 else "",
            occupation=self._occupation(age, sex),
            status=status,
            interests=self._interests(age, sex),
            **fields,
        )

    def address_in(self, rt: RT) -> str:
        if rt.pk not in self.streets:
            self.streets[rt.pk] = [self.fake.street_name() for _street in range(2)]
        return f"{self.random.choice(self.streets[rt.pk])} No. {self.random.randint(1, 120)}"

    def _nik(self, region: str, birth_date: datetime.date, sex: str) -> tuple[str, str]:
        day = birth_date.day + (40 if sex == "P" else 0)
        stem = f"{region}{day:02d}{birth_date:%m}{birth_date.year % 100:02d}"
        while True:
            nik = f"{stem}{self.random.randint(1, 9999):04d}"
            digest = nik_codec.nik_digest(nik)
            if digest not in self.used_digests:
                self.used_digests.add(digest)
                return nik, digest

    def _kk_number(self, region: str) -> str:
        issued = datetime.date(2010, 1, 1) + datetime.timedelta(days=self.random.randint(0, 5800))
        return f"{region}{issued:%d%m%y}{self.random.randint(1, 9999):04d}"

    def _phone(self) -> str:
        digits = "".join(str(self.random.randint(0, 9)) for _digit in range(8))
        return f"+62{self.random.choice(PHONE_PREFIXES)}{digits}"

    def _occupation(self, age: int, sex: str) -> str:
        rng = self.random
        if age < 5:
            return "Belum/Tidak Bekerja"
        if age < 19 or (age < 23 and rng.random() < 0.6):
            return "Pelajar/Mahasiswa"
        if age >= 60 and rng.random() < 0.5:
            return "Pensiunan" if rng.random() < 0.4 else "Belum/Tidak Bekerja"
        if sex == "P" and rng.random() < 0.4:
            return "Mengurus Rumah Tangga"
        return rng.choice(WORK)

    def _interests(self, age: int, sex: str) -> list[tuple[str, str]]:
        rng = self.random
        if age < 7:
            return []
        pool = YOUTH_INTERESTS if age < 25 else WOMEN_INTERESTS if sex == "P" else MEN_INTERESTS
        how_many = rng.choices([0, 1, 2, 3], weights=[30, 35, 25, 10])[0]
        slugs = rng.sample(pool, how_many)
        if how_many and rng.random() < 0.15:
            slugs[-1] = rng.choice(list(INTERESTS))
        return sorted({(slug, rng.choice(INTEREST_KINDS)) for slug in slugs})

    def residents_of(self, rt: RT, region: str, count: int) -> list[Person]:
        people: list[Person] = []
        while len(people) < count:
            people.extend(self.household(rt, region)[: count - len(people)])
        return people


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


# Accounts.


class Accounts:
    """Demo accounts, created once; all share the demo password (hashed once per run)."""

    def __init__(self, starts_on: datetime.date):
        self.starts_on = starts_on
        self.created = 0
        self._password_hash = ""

    def user(self, username: str, *, name: str = "", **extra) -> User:
        first_name, _space, last_name = name.partition(" ")
        user = User.objects.filter(username=username).first()
        if user is None:
            self._password_hash = self._password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                username=username,
                first_name=first_name,
                last_name=last_name,
                password=self._password_hash,
                **extra,
            )
            self.created += 1
        return user

    def resident_user(self, username: str, person: Person, resident_pk: int) -> User:
        """An account for a resident, linked to their register entry; verified residents also
        get the resident role for their RT."""
        user = self.user(username, name=person.name)
        resident = Resident.objects.get(pk=resident_pk)
        if resident.user_id is None and not Resident.objects.filter(user=user).exists():
            resident.user = user
            resident._change_reason = HISTORY_REASON
            resident.save(update_fields=["user"])
        if person.verification == Resident.Verification.VERIFIED:
            self.role(user, Role.RESIDENT, rt=person.rt)
        return user

    def role(self, user: User, role: str, **scope) -> RoleAssignment:
        assignment, _created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            ends_on=None,
            **scope,
            defaults={"starts_on": self.starts_on},
        )
        return assignment


def pick(people: Iterable[Person], taken: set[str], test: Callable[[Person], bool]) -> Person:
    """The first person passing ``test`` not chosen yet (the same one on every run)."""
    person = next(p for p in people if p.digest not in taken and test(p))
    taken.add(person.digest)
    return person


# Communities and Pokmas.


@dataclass
class CommunitySpec:
    name: str
    kind: str
    description: str
    interests: list[str]
    size: int
    admits: Callable[[Person], bool]
    rt: RT | None = None


def community_specs(kelurahan_name: str, demo_rt: RT) -> list[CommunitySpec]:
    return [
        CommunitySpec(
            f"Sanggar Kampung Budaya Kelurahan {kelurahan_name}",
            Community.Kind.SANGGAR,
            "Sanggar tari, karawitan dan jaranan Kampung Budaya: latihan rutin setiap Sabtu "
            "sore di balai RW 007, terbuka untuk anak-anak sampai lansia.",
            ["tari", "karawitan", "jaranan", "membatik", "teater"],
            30,
            lambda p: p.age >= 8,
        ),
        CommunitySpec(
            f"Karang Taruna Kelurahan {kelurahan_name}",
            Community.Kind.KARANG_TARUNA,
            "Organisasi pemuda kelurahan: kegiatan sosial, olahraga, seni dan kewirausahaan.",
            ["musik", "desain", "fotografi", "pencak-silat"],
            30,
            lambda p: 13 <= p.age <= 35,
        ),
        CommunitySpec(
            f"TP PKK Kelurahan {kelurahan_name}",
            Community.Kind.PKK,
            "Tim Penggerak PKK: kesehatan keluarga, kuliner, keterampilan menjahit dan membatik.",
            ["kuliner", "menjahit", "membatik", "kerajinan"],
            25,
            lambda p: p.sex == "P" and 20 <= p.age <= 65,
        ),
        CommunitySpec(
            "Majelis Taklim Nurul Huda",
            Community.Kind.MAJELIS_TAKLIM,
            "Pengajian rutin setiap Kamis malam dan grup hadrah remaja masjid.",
            ["hadrah"],
            20,
            lambda p: p.age >= 17 and p.religion == Resident.Religion.ISLAM,
        ),
        CommunitySpec(
            f"Forum Lintas Iman Kelurahan {kelurahan_name}",
            Community.Kind.INTERFAITH,
            "Forum warga lintas agama untuk menjaga kerukunan dan merayakan hari besar bersama.",
            [],
            12,
            lambda p: p.age >= 17 and p.religion not in ("", Resident.Religion.UNDISCLOSED),
        ),
        CommunitySpec(
            "Kelompok Batik Tulis RT 002",
            Community.Kind.CULTURAL,
            "Warga RT 002 yang belajar dan memproduksi batik tulis motif Blitar.",
            ["membatik"],
            10,
            lambda p: p.age >= 15 and p.rt.pk == demo_rt.pk,
            rt=demo_rt,
        ),
    ]


def ensure_community(
    spec: CommunitySpec,
    kelurahan: Kelurahan,
    people: list[Person],
    ids: dict[str, int],
    interest_ids: dict[str, int],
    *,
    chair: Person | None = None,
) -> tuple[Community, int]:
    community, created = Community.objects.get_or_create(
        kelurahan=kelurahan,
        name=spec.name,
        defaults={"kind": spec.kind, "description": spec.description, "rt": spec.rt},
    )
    if created:
        community.interests.set([interest_ids[slug] for slug in spec.interests])
    rng = random.Random(f"community {spec.name}")
    candidates = [
        p
        for p in people
        if p.rt.rw.kelurahan_id == kelurahan.pk
        and p.status == Resident.Status.ACTIVE
        and p.verification == Resident.Verification.VERIFIED
        and spec.admits(p)
        and (chair is None or p.digest != chair.digest)
    ]
    # Those who already hold one of the community's interests join first.
    fitting = [p for p in candidates if {slug for slug, _kind in p.interests} & set(spec.interests)]
    fitting_digests = {p.digest for p in fitting}
    rest = [p for p in candidates if p.digest not in fitting_digests]
    rng.shuffle(fitting)
    rng.shuffle(rest)
    chosen = ([chair] if chair else []) + (fitting + rest)[: spec.size - (1 if chair else 0)]
    # Office holders are adults; children and teenagers are members.
    officers = [p for p in chosen if p.age >= 17][: len(OFFICER_POSITIONS)]
    positions = {p.digest: pos for p, pos in zip(officers, OFFICER_POSITIONS, strict=False)}
    return community, add_memberships(
        CommunityMembership,
        {"community": community},
        [(ids[p.digest], positions.get(p.digest, Position.MEMBER)) for p in chosen],
    )


def add_memberships(model, parent: dict, members: list[tuple[int, str]]) -> int:
    existing = set(model.objects.filter(**parent).values_list("resident_id", flat=True))
    new = [
        model(resident_id=resident_id, position=position, starts_on=REFERENCE_DATE, **parent)
        for resident_id, position in members
        if resident_id not in existing
    ]
    model.objects.bulk_create(new)
    return len(new)


def ensure_pokmas(
    rt: RT, sequence: int, people: list[Person], ids: dict[str, int]
) -> tuple[Pokmas, int]:
    rng = random.Random(f"pokmas {rt.rw.kelurahan.code} {rt.rw.number} {rt.number}")
    pokmas, _created = Pokmas.objects.get_or_create(
        rt=rt,
        defaults={
            "name": f"Pokmas {rng.choice(POKMAS_NAMES)}",
            "decree_number": (
                f"188/{sequence:02d}/410.{rt.rw.kelurahan.code[6:8]}.{rt.rw.kelurahan.code[-4:]}"
                f"/{REFERENCE_DATE.year}"
            ),
            "decree_date": REFERENCE_DATE + datetime.timedelta(days=14),
        },
    )
    adults = [p for p in people if p.rt.pk == rt.pk and p.is_plain_adult]
    chosen = rng.sample(adults, min(5, len(adults)))
    positions = [Position.CHAIR, Position.SECRETARY, Position.TREASURER]
    members = [
        (ids[p.digest], positions[i] if i < len(positions) else Position.MEMBER)
        for i, p in enumerate(chosen)
    ]
    return pokmas, add_memberships(PokmasMembership, {"pokmas": pokmas}, members)


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
