"""Demo data of co-commissioning: potentials with endorsements in the demo RT and across
Kelurahan Blitar, a forum held there with its attendance, minutes and priority list, and a
kelurahan forum coming up. Needs the core's demo (places, residents, accounts, the period).

Everything is found by its title before it is made, so a second run creates nothing."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from rtkeren.models import RT, Interest, Kelurahan, Period, Resident, User
from rtkeren.permissions import can
from rtkeren.registry import demo_data
from rtkeren.services.ledger import participation_record

from . import services
from .models import Category, Element, Endorsement, Forum, Potential

BLITAR = "35.72.02.1002"
DEMO_RT = (7, 2)
OTHER_RT = (8, 1)
HELD_FORUM = "Musyawarah penggalian potensi RT 002 / RW 007"
COMING_FORUM = "Rembug warga Kelurahan Blitar: rencana kegiatan RT Keren"


@dataclass(frozen=True)
class PotentialSpec:
    title: str
    category: str
    rt: tuple[int, int] | None
    author: str
    interests: tuple[str, ...]
    endorsers: int
    description: str


POTENTIALS = [
    PotentialSpec(
        "Sanggar tari anak di balai RT 002",
        Category.ARTS,
        DEMO_RT,
        "warga",
        ("tari",),
        6,
        "Setiap Minggu sore belasan anak berlatih tari jaranan dan tari remo di balai RT, "
        "dilatih seorang ibu warga secara sukarela. Butuh kostum dan pengeras suara.",
    ),
    PotentialSpec(
        "Pecel dan jajanan pasar ibu-ibu PKK",
        Category.CULINARY,
        DEMO_RT,
        "ketua_rt",
        ("kuliner",),
        9,
        "Ibu-ibu PKK membuat pecel, jenang dan jajanan pasar untuk hajatan. Bisa dikembangkan "
        "menjadi usaha bersama dengan kemasan dan izin PIRT.",
    ),
    PotentialSpec(
        "Perajin batik tulis rumahan",
        Category.CRAFTS,
        DEMO_RT,
        "komunitas",
        ("membatik", "kerajinan"),
        4,
        "Tiga warga membatik tulis di rumah dengan motif Blitaran. Mereka bersedia mengajar "
        "remaja jika ada bahan dan tempat.",
    ),
    PotentialSpec(
        "Hadrah remaja dan doa bersama lintas iman",
        Category.RELIGIOUS,
        None,
        "ketua_rw",
        ("hadrah", "musik"),
        7,
        "Grup hadrah remaja masjid sering tampil bersama paduan suara gereja pada peringatan "
        "hari besar. Potensi kerukunan yang bisa dijadikan agenda rutin kelurahan.",
    ),
    PotentialSpec(
        "Lahan kosong tepi sungai untuk kebun warga",
        Category.NATURE,
        OTHER_RT,
        "ketua_rt2",
        (),
        3,
        "Lahan milik kelurahan di tepi sungai belum dimanfaatkan. Warga siap menanam sayur "
        "dan tanaman obat keluarga.",
    ),
    PotentialSpec(
        "Karawitan bapak-bapak kelurahan",
        Category.CULTURE,
        None,
        "petugas",
        ("karawitan",),
        5,
        "Seperangkat gamelan tersimpan di kantor kelurahan; beberapa bapak masih bisa "
        "menabuh. Perlu pelatih dan jadwal latihan.",
    ),
    PotentialSpec(
        "Latihan tari anak-anak RT 002",
        Category.ARTS,
        DEMO_RT,
        "ketua_rw",
        ("tari",),
        2,
        "Anak-anak berlatih tari di balai RT tiap Minggu. (Dicatat dua kali: petugas dapat "
        "menggabungkannya.)",
    ),
]

PRIORITIES = [
    ("Pecel dan jajanan pasar ibu-ibu PKK", "Pelatihan pengemasan dan pengurusan PIRT."),
    ("Sanggar tari anak di balai RT 002", "Kostum dan pengeras suara; pentas pada Agustusan."),
    ("Perajin batik tulis rumahan", "Kelas membatik untuk remaja, 6 pertemuan."),
]


def _users(*usernames: str) -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=usernames)}


def _rt(kelurahan: Kelurahan, where: tuple[int, int]) -> RT:
    rw_number, rt_number = where
    return RT.objects.select_related("rw").get(
        rw__kelurahan=kelurahan, rw__number=rw_number, number=rt_number
    )


def _endorse_from_register(potential: Potential, wanted: int, recorded_by: User) -> int:
    """Endorsements from residents without an account, as an RT chair collects them on paper
    at a meeting: the same row and ledger entry the endorse service writes."""
    have = potential.endorsements.count()
    if have >= wanted:
        return 0
    residents = Resident.objects.active().verified().adults().filter(user__isnull=True)
    residents = (
        residents.filter(rt=potential.rt_id)
        if potential.rt_id
        else residents.filter(rt__rw__kelurahan=potential.kelurahan_id)
    )
    residents = residents.exclude(potential_endorsements__potential=potential).order_by("pk")
    added = 0
    for resident in residents[: wanted - have]:
        Endorsement.objects.create(potential=potential, resident=resident)
        participation_record(
            resident=resident,
            kind=services.KIND_POTENTIAL_ENDORSED,
            subject=potential,
            recorded_by=recorded_by,
        )
        added += 1
    return added


def _seed_potentials(kelurahan: Kelurahan, users: dict[str, User]) -> tuple[int, int]:
    interests = {interest.slug: interest for interest in Interest.objects.all()}
    created = endorsed = 0
    for spec in POTENTIALS:
        potential = Potential.objects.filter(kelurahan=kelurahan, title=spec.title).first()
        if potential is None:
            potential = services.potential_record(
                by=users[spec.author],
                place=_rt(kelurahan, spec.rt) if spec.rt else kelurahan,
                title=spec.title,
                category=spec.category,
                description=spec.description,
                interests=[interests[slug] for slug in spec.interests if slug in interests],
            )
            created += 1
            for username in ("warga", "ketua_rt", "ketua_rw"):
                user = users[username]
                if can(user, "commissioning.endorse_potential", potential):
                    services.potential_endorse(potential=potential, by=user)
                    endorsed += 1
        endorsed += _endorse_from_register(potential, spec.endorsers, users["ketua_rt"])
    return created, endorsed


def _element_for(resident: Resident, on: datetime.date) -> str:
    age = resident.age(on)
    if age <= 30:
        return Element.YOUTH if resident.sex == Resident.Sex.MALE else Element.KARANG_TARUNA
    if age >= 60:
        return Element.ELDERLY
    if resident.sex == Resident.Sex.FEMALE:
        return Element.PKK if resident.pk % 2 else Element.WOMEN
    return Element.GENERAL if resident.pk % 3 else Element.COMMUNITY_LEADERS


def _seed_held_forum(rt: RT, users: dict[str, User], period: Period) -> bool:
    if Forum.objects.filter(kelurahan=rt.rw.kelurahan_id, title=HELD_FORUM).exists():
        return False
    chair = users["ketua_rt"]
    held_on = max(timezone.localdate() - datetime.timedelta(days=21), period.starts_on)
    forum = services.forum_schedule(
        by=chair,
        place=rt,
        title=HELD_FORUM,
        date=held_on,
        starts_at=datetime.time(19, 30),
        ends_at=datetime.time(21, 30),
        place_name="Balai RT 002, Jl. Kenari",
        agenda="1. Pembukaan\n2. Paparan potensi wilayah yang sudah dicatat warga\n"
        "3. Diskusi dan penentuan skala prioritas\n4. Penutup",
        invited=[
            Element.RELIGIOUS_LEADERS,
            Element.COMMUNITY_LEADERS,
            Element.CHAIRS,
            Element.PKK,
            Element.KARANG_TARUNA,
            Element.POKMAS,
            Element.YOUTH,
            Element.WOMEN,
            Element.ELDERLY,
            Element.DISABILITY,
            Element.GENERAL,
        ],
    )
    residents = list(Resident.objects.active().adults(held_on).filter(rt=rt).order_by("pk")[:32])
    present = {resident.pk: _element_for(resident, held_on) for resident in residents}
    if chair_resident := Resident.objects.filter(user=chair).first():
        present[chair_resident.pk] = Element.CHAIRS
    services.forum_attendance_record(
        forum=forum,
        by=chair,
        present=present,
        guests=[
            services.Guest(
                "Ust. Mahmud Fauzi", "Takmir Masjid Al-Ikhlas", Element.RELIGIOUS_LEADERS
            ),
            services.Guest("Pdt. Yohanes Setiawan", "GKJW Blitar", Element.RELIGIOUS_LEADERS),
            services.Guest("Sri Wahyuni", "LPMK Kelurahan Blitar", Element.LPMK),
        ],
    )
    services.forum_minutes_record(
        forum=forum,
        by=chair,
        minutes="Musyawarah dibuka oleh Ketua RT pukul 19.35 dan diawali doa bersama oleh tokoh "
        "agama Islam dan Kristen.\nSekretaris memaparkan tujuh potensi yang telah dicatat "
        "warga di portal.\nWarga membahas potensi satu per satu; ibu-ibu PKK dan Karang Taruna "
        "menyampaikan usulan masing-masing.\nMusyawarah ditutup pukul 21.20.",
        decisions="Tiga potensi dijadikan prioritas usulan kegiatan RT Keren tahun depan.\n"
        "Pokmas menyusun rancangan anggaran untuk prioritas pertama.",
    )
    by_title = {
        potential.title: potential
        for potential in Potential.objects.filter(kelurahan=rt.rw.kelurahan_id)
    }
    services.forum_priorities_set(
        forum=forum,
        by=chair,
        priorities=[
            services.Priority(title="", potential=by_title.get(title), note=note)
            if title in by_title
            else services.Priority(title=title, note=note)
            for title, note in PRIORITIES
        ],
    )
    return True


def _seed_coming_forum(kelurahan: Kelurahan, users: dict[str, User]) -> bool:
    if Forum.objects.filter(kelurahan=kelurahan, title=COMING_FORUM).exists():
        return False
    services.forum_schedule(
        by=users["petugas"],
        place=kelurahan,
        title=COMING_FORUM,
        date=timezone.localdate() + datetime.timedelta(days=10),
        starts_at=datetime.time(9, 0),
        ends_at=datetime.time(12, 0),
        place_name="Pendopo Kantor Kelurahan Blitar",
        agenda="1. Hasil musyawarah RT dan RW\n2. Daftar skala prioritas kelurahan\n"
        "3. Pembagian peran warga, Pokmas dan komunitas",
        invited=Element.values,
    )
    return True


@demo_data.register("commissioning", order=20)
def seed_commissioning(*, stdout) -> str:
    kelurahan = Kelurahan.objects.get(code=BLITAR)
    users = _users("warga", "ketua_rt", "ketua_rw", "ketua_rt2", "komunitas", "petugas")
    period = Period.objects.containing(timezone.localdate()).get()
    potentials, endorsements = _seed_potentials(kelurahan, users)
    forums = _seed_held_forum(_rt(kelurahan, DEMO_RT), users, period)
    forums += _seed_coming_forum(kelurahan, users)
    return f"{potentials} potentials, {endorsements} endorsements, {forums} forums created"
