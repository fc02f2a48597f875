"""Co-commissioning at city scale (``seed_city``): potentials with their endorsements, and held
forums with their invited elements, attendance and priority lists, over the three periods."""

import datetime

from django.utils import timezone

from rtkeren.city import City, allot, bulk_insert, spread
from rtkeren.registry import city_data

from .models import (
    Attendance,
    Category,
    Element,
    Endorsement,
    Forum,
    InvitedElement,
    Potential,
    PriorityItem,
)
from .services import KIND_FORUM_ATTENDED, KIND_POTENTIAL_ENDORSED, KIND_POTENTIAL_RECORDED

POTENTIALS = 5_000
ENDORSEMENTS = 50_000
FORUMS = 600
FORUM_ATTENDANCES = 20_000
INVITED = 4
PRIORITIES = 3
#: One potential in this many belongs to the whole kelurahan rather than to an RT.
KELURAHAN_WIDE_EVERY = 10

TOPICS = {
    Category.CULTURE: ["Kampung budaya", "Tradisi bersih desa", "Cerita rakyat"],
    Category.ARTS: ["Sanggar tari", "Grup karawitan", "Jaranan anak"],
    Category.CULINARY: ["Sentra jajanan", "Kuliner khas Blitar", "Olahan belimbing"],
    Category.CRAFTS: ["Perajin batik tulis", "Anyaman bambu", "Kerajinan kayu"],
    Category.RELIGIOUS: ["Hadrah remaja", "Forum lintas iman", "Majelis taklim"],
    Category.ECONOMY: ["UMKM rumahan", "Bank sampah", "Pasar minggu"],
    Category.HUMAN_RESOURCES: ["Pemuda terampil desain", "Guru ngaji", "Pelatih silat"],
    Category.NATURE: ["Lahan tidur", "Sungai bersih", "Taman RW"],
    Category.OTHER: ["Balai warga", "Pos kamling", "Lapangan voli"],
}


def _potentials(city: City) -> list[Potential]:
    rng = city.rng("potentials")
    potentials = []
    for period, count in zip(city.periods, spread(city.count(POTENTIALS), 3), strict=True):
        for index in range(count):
            neighbourhood = rng.choice(city.neighbourhoods)
            category = rng.choice(list(TOPICS))
            user_id, resident_id = rng.choice(neighbourhood.accounts)
            day = city.day_in(period, rng, end=300)
            wide = index % KELURAHAN_WIDE_EVERY == KELURAHAN_WIDE_EVERY - 1
            potentials.append(
                Potential(
                    kelurahan_id=neighbourhood.kelurahan_id,
                    rt=None if wide else neighbourhood.rt,
                    title=f"{rng.choice(TOPICS[category])} {neighbourhood.rt}",
                    category=category,
                    description="Potensi yang dicatat warga untuk musyawarah perencanaan.",
                    author_id=user_id,
                    author_resident_id=resident_id,
                    status=(
                        Potential.Status.OPEN if rng.random() < 0.9 else Potential.Status.ARCHIVED
                    ),
                    created_at=city.moment(day),
                )
            )
    return bulk_insert(Potential, potentials)


def _endorse(city: City, potentials: list[Potential]) -> int:
    rng = city.rng("endorsements")
    pools = []
    for potential in potentials:
        if potential.rt_id is None:
            pool = city.kelurahan_adults(potential.kelurahan_id)
        else:
            pool = city.neighbourhood(potential.rt_id).adults
        pools.append([pk for pk in pool if pk != potential.author_resident_id])
    counts = allot(city.count(ENDORSEMENTS), [len(pool) for pool in pools])
    endorsements = []
    for potential, pool, count in zip(potentials, pools, counts, strict=True):
        day = timezone.localdate(potential.created_at)
        for resident_id in rng.sample(pool, count):
            endorsed_on = min(day + datetime.timedelta(days=rng.randint(0, 30)), city.today)
            endorsements.append(
                Endorsement(
                    potential=potential,
                    resident_id=resident_id,
                    created_at=city.moment(endorsed_on),
                )
            )
            city.ledger.add(
                resident_id=resident_id,
                kind=KIND_POTENTIAL_ENDORSED,
                subject=Potential,
                object_id=potential.pk,
                period_id=city.period_of(endorsed_on).pk,
                occurred_on=endorsed_on,
            )
        city.ledger.add(
            resident_id=potential.author_resident_id,
            kind=KIND_POTENTIAL_RECORDED,
            subject=Potential,
            object_id=potential.pk,
            period_id=city.period_of(day).pk,
            occurred_on=day,
            recorded_by_id=potential.author_id,
        )
    bulk_insert(Endorsement, endorsements)
    return len(endorsements)


def _forums(city: City) -> list[tuple[Forum, list[int]]]:
    """Held forums with the residents they may draw: the first of each kelurahan in a period
    is the kelurahan's own, the others are RW forums."""
    rng = city.rng("forums")
    forums, pools = [], []
    for period, count in zip(city.periods, spread(city.count(FORUMS), 3), strict=True):
        for index in range(count):
            if index < len(city.kelurahan):
                kelurahan_id = city.kelurahan[index].pk
                neighbourhood, rw = None, None
                pool = city.kelurahan_adults(kelurahan_id)
                scope = f"Kelurahan {city.kelurahan[index].name}"
            else:
                neighbourhood = city.neighbourhoods[index % len(city.neighbourhoods)]
                kelurahan_id, rw = neighbourhood.kelurahan_id, neighbourhood.rt.rw
                pool = [
                    pk
                    for n in city.in_kelurahan(kelurahan_id)
                    if n.rt.rw_id == rw.pk
                    for pk in n.adults
                ]
                scope = str(rw)
            day = city.day_in(period, rng, start=20, end=330)
            forums.append(
                Forum(
                    title=f"Musyawarah perencanaan {scope} {period.year}",
                    kelurahan_id=kelurahan_id,
                    rw=rw,
                    date=day,
                    starts_at=datetime.time(19, 0),
                    ends_at=datetime.time(21, 30),
                    place="Balai warga",
                    agenda="Menggali potensi wilayah dan menyusun daftar skala prioritas.",
                    status=Forum.Status.HELD,
                    minutes="Musyawarah berjalan lancar dan menyepakati daftar prioritas.",
                    decisions="Tiga prioritas disepakati untuk diusulkan.",
                    minutes_recorded_at=city.moment(day, 22),
                    minutes_recorded_by_id=city.officers[kelurahan_id],
                    organiser_id=city.officers[kelurahan_id],
                    created_at=city.moment(day - datetime.timedelta(days=14)),
                )
            )
            pools.append(pool)
    return list(zip(bulk_insert(Forum, forums), pools, strict=True))


def _attend(city: City, forums: list[tuple[Forum, list[int]]]) -> int:
    rng = city.rng("forum attendance")
    elements = list(Element)
    counts = allot(city.count(FORUM_ATTENDANCES), [len(pool) for _forum, pool in forums])
    attendances, invited, priorities = [], [], []
    for (forum, pool), count in zip(forums, counts, strict=True):
        officer = city.officers[forum.kelurahan_id]
        for resident_id in rng.sample(pool, count):
            attendances.append(
                Attendance(
                    forum=forum,
                    resident_id=resident_id,
                    element=rng.choice(elements),
                    resident_age=city.age_on(resident_id, forum.date),
                    recorded_by_id=officer,
                    recorded_at=city.moment(forum.date, 22),
                )
            )
            city.ledger.add(
                resident_id=resident_id,
                kind=KIND_FORUM_ATTENDED,
                subject=Forum,
                object_id=forum.pk,
                period_id=city.period_of(forum.date).pk,
                occurred_on=forum.date,
                recorded_by_id=officer,
            )
        invited += [
            InvitedElement(forum=forum, element=element)
            for element in rng.sample(elements, INVITED)
        ]
        priorities += [
            PriorityItem(forum=forum, rank=rank, title=f"Prioritas {rank}")
            for rank in range(1, PRIORITIES + 1)
        ]
    bulk_insert(Attendance, attendances)
    bulk_insert(InvitedElement, invited)
    bulk_insert(PriorityItem, priorities)
    return len(attendances)


@city_data.register("commissioning", order=10)
def seed_city(city: City) -> str:
    potentials = _potentials(city)
    endorsements = _endorse(city, potentials)
    forums = _forums(city)
    attendances = _attend(city, forums)
    return (
        f"{len(potentials)} potentials, {endorsements} endorsements, {len(forums)} forums, "
        f"{attendances} forum attendances"
    )
