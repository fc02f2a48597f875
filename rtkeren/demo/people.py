"""The demo's places by code and its people: residents drawn the same way for the same seed."""

import datetime
import random
from dataclasses import dataclass, field

from rtkeren import nik as nik_codec
from rtkeren.models import (
    RT,
    Kelurahan,
    Position,
    Resident,
    ResidentInterest,
)

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
