"""The demo's accounts, communities and Pokmas."""

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from rtkeren.models import (
    RT,
    Community,
    CommunityMembership,
    Kelurahan,
    Pokmas,
    PokmasMembership,
    Position,
    Resident,
    Role,
    RoleAssignment,
    User,
)

from .people import (
    DEMO_PASSWORD,
    HISTORY_REASON,
    OFFICER_POSITIONS,
    POKMAS_NAMES,
    REFERENCE_DATE,
    Person,
)

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
