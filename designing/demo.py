"""Demo data of co-designing, in the demo RT (RT 002 / RW 007) of Kelurahan Blitar: proposals
in every state with a lively discussion (one comment hidden by the officer), a closed voting
round with published results, an open round with votes, and a kelurahan-wide proposal awaiting
review. Needs the core's demo (places, residents, accounts, the period).

Proposals and rounds are found by title before they are made, so a second run creates nothing.
Votes of residents without an account stand for paper ballots counted at the RT's meeting.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from rtkeren.models import RT, Activity, Interest, Kelurahan, Period, Resident, User
from rtkeren.permissions import can
from rtkeren.registry import demo_data
from rtkeren.services import activities as transitions
from rtkeren.services.budget import activity_shares_set, split_by_shares
from rtkeren.services.ledger import participation_record

from . import services
from .models import Vote, VotingRound
from .origins import origins_for
from .services import BudgetLineData, ProposalData

BLITAR = "35.72.02.1002"
DEMO_RT = (7, 2)
CLOSED_ROUND = "Pemilihan usulan RT 002 / RW 007 tahap 1"
OPEN_ROUND = "Pemilihan usulan RT 002 / RW 007 tahap 2"

A = Activity


@dataclass(frozen=True)
class ProposalSpec:
    key: str
    title: str
    author: str
    kind: str
    nature: str
    bidang: str
    description: str
    lines: tuple[tuple[str, int, str, int], ...]
    interests: tuple[str, ...] = ()
    outputs: str = ""
    target: str = ""
    kelurahan_wide: bool = False
    origin_words: tuple[str, ...] = ()
    comments: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = field(default=())


PROPOSALS = [
    ProposalSpec(
        "batik",
        "Kelas membatik tulis untuk remaja",
        "ketua_rt",
        A.Kind.TRAINING,
        A.Nature.NONFISIK,
        A.Bidang.HUMAN_DEVELOPMENT,
        "Enam pertemuan membatik tulis motif Blitaran bersama perajin batik RT 002. Setiap "
        "peserta menyelesaikan satu lembar kain batik.",
        (
            ("Kain mori primissima", 20, "lembar", 35_000),
            ("Malam dan pewarna", 1, "paket", 650_000),
            ("Canting dan kompor", 10, "set", 45_000),
            ("Honor pelatih", 6, "pertemuan", 150_000),
        ),
        ("membatik", "kerajinan"),
        "20 lembar batik tulis",
        "20 remaja RT 002",
        origin_words=("batik",),
        comments=(
            (
                "warga",
                "Bagus sekali. Apakah ibu-ibu yang belum pernah membatik boleh ikut?",
                (("ketua_rt", "Boleh, Bu. Kuota remaja 20, sisanya untuk ibu-ibu PKK."),),
            ),
            (
                "pendamping",
                "Mohon dipastikan hasil kain dipamerkan di akhir kelas supaya semua produk "
                "selesai. Tahun lalu banyak produk pelatihan yang tidak jadi.",
                (("ketua_rt", "Siap, kami jadwalkan pameran di balai RT."),),
            ),
        ),
    ),
    ProposalSpec(
        "tari",
        "Kostum dan pengeras suara sanggar tari anak",
        "warga",
        A.Kind.PERFORMANCE,
        A.Nature.NONFISIK,
        A.Bidang.HUMAN_DEVELOPMENT,
        "Sanggar tari anak di balai RT butuh kostum jaranan dan remo serta pengeras suara "
        "untuk latihan dan pentas Agustusan.",
        (
            ("Kostum tari jaranan", 12, "stel", 250_000),
            ("Pengeras suara portabel", 1, "unit", 2_400_000),
        ),
        ("tari", "musik"),
        "12 stel kostum, 1 pentas",
        "15 anak RT 002",
        origin_words=("tari",),
        comments=(
            (
                "ketua_rw",
                "Pengeras suara bisa dipakai bersama untuk kegiatan RW juga?",
                (("warga", "Bisa, Pak. Nanti disimpan di balai RT dan dicatat peminjamannya."),),
            ),
            ("petugas", "Silakan lampirkan tiga penawaran harga untuk pengeras suara.", ()),
            ("ketua_rt", "Kegiatan ini sekalian kita tampilkan pada malam tirakatan.", ()),
        ),
    ),
    ProposalSpec(
        "pecel",
        "Pelatihan pengemasan pecel dan pengurusan PIRT",
        "ketua_rt",
        A.Kind.TRAINING,
        A.Nature.NONFISIK,
        A.Bidang.ECONOMY,
        "Ibu-ibu PKK belajar mengemas pecel dan jajanan pasar dan mengurus izin PIRT agar "
        "bisa dijual di toko oleh-oleh.",
        (
            ("Narasumber dinas kesehatan", 2, "pertemuan", 500_000),
            ("Bahan kemasan", 200, "buah", 3_500),
            ("Biaya pengurusan PIRT", 5, "usaha", 150_000),
        ),
        ("kuliner",),
        "5 usaha dengan izin PIRT",
        "25 ibu PKK",
        origin_words=("pecel",),
        comments=(
            (
                "warga",
                "Usul: sekalian pelatihan foto produk untuk jualan daring.",
                (("ketua_rt", "Usul yang bagus, kami tambahkan satu sesi."),),
            ),
            (
                "ketua_rw",
                "Dasar pengurus ini cuma cari proyek!",
                (),
            ),
        ),
    ),
    ProposalSpec(
        "saluran",
        "Perbaikan saluran air Gang Kenari",
        "ketua_rt",
        A.Kind.PHYSICAL,
        A.Nature.FISIK,
        A.Bidang.INFRASTRUCTURE,
        "Saluran air sepanjang 60 meter di Gang Kenari sering meluap saat hujan. Dikerjakan "
        "bergotong royong dengan bahan dari anggaran RT Keren.",
        (
            ("Semen", 40, "sak", 65_000),
            ("Pasir", 4, "truk", 1_200_000),
            ("Batu kali", 3, "truk", 1_500_000),
            ("Buis beton", 30, "buah", 180_000),
            ("Konsumsi kerja bakti", 4, "hari", 400_000),
            ("Upah tukang", 12, "hari kerja", 150_000),
            ("Tutup saluran beton", 60, "buah", 160_000),
        ),
        target="Warga Gang Kenari",
        outputs="60 meter saluran",
        comments=(
            (
                "warga",
                "Saluran depan rumah saya tiap hujan meluap, mohon diprioritaskan.",
                (("ketua_rt", "Betul, ini masuk prioritas pertama dari musyawarah."),),
            ),
        ),
    ),
    ProposalSpec(
        "pentas",
        "Pentas seni Agustusan dengan panggung besar",
        "warga",
        A.Kind.PERFORMANCE,
        A.Nature.NONFISIK,
        A.Bidang.HUMAN_DEVELOPMENT,
        "Panggung, tata suara dan lampu sewaan untuk pentas seni 17 Agustus.",
        (
            ("Sewa panggung 6x8 m", 1, "paket", 6_500_000),
            ("Sewa tata suara dan lampu", 1, "paket", 5_000_000),
        ),
        ("tari", "musik", "teater"),
        comments=(
            (
                "ketua_rt",
                "Biaya sewa terlalu besar untuk satu malam; mungkin panggung sederhana saja.",
                (),
            ),
        ),
    ),
    ProposalSpec(
        "balai",
        "Pengecatan dan perbaikan atap balai RT",
        "ketua_rt",
        A.Kind.PHYSICAL,
        A.Nature.FISIK,
        A.Bidang.INFRASTRUCTURE,
        "Atap balai RT bocor di tiga titik dan dindingnya kusam.",
        (
            ("Cat tembok", 10, "pail", 450_000),
            ("Genteng", 200, "buah", 6_000),
            ("Upah tukang", 8, "hari kerja", 150_000),
        ),
    ),
    ProposalSpec(
        "foto",
        "Pelatihan fotografi untuk Karang Taruna",
        "warga",
        A.Kind.TRAINING,
        A.Nature.NONFISIK,
        A.Bidang.HUMAN_DEVELOPMENT,
        "Masih disusun: pelatihan dasar fotografi dengan ponsel.",
        (("Honor pelatih", 4, "pertemuan", 200_000),),
        ("fotografi",),
    ),
    ProposalSpec(
        "lomba",
        "Lomba kebersihan antar gang",
        "warga",
        A.Kind.GOTONG_ROYONG,
        A.Nature.NONFISIK,
        A.Bidang.GOVERNANCE,
        "Lomba kebersihan gang dengan hadiah peralatan kebersihan.",
        (("Hadiah peralatan kebersihan", 3, "paket", 500_000),),
    ),
    ProposalSpec(
        "hadrah",
        "Festival hadrah dan paduan suara lintas iman",
        "komunitas",
        A.Kind.RELIGIOUS,
        A.Nature.NONFISIK,
        A.Bidang.HUMAN_DEVELOPMENT,
        "Grup hadrah remaja masjid dan paduan suara gereja tampil bersama di pendopo "
        "kelurahan, diawali doa bersama lintas iman.",
        (
            ("Konsumsi peserta", 120, "kotak", 15_000),
            ("Sewa tata suara", 1, "paket", 2_500_000),
            ("Piagam dan cendera mata", 10, "grup", 100_000),
        ),
        ("hadrah", "musik"),
        "1 festival, 10 grup tampil",
        "Remaja masjid, gereja dan warga kelurahan",
        kelurahan_wide=True,
        origin_words=("hadrah",),
        comments=(
            (
                "warga",
                "Setuju, ini mempererat kerukunan. Anak saya ikut paduan suara.",
                (("komunitas", "Terima kasih, latihan bersama tiap Sabtu sore."),),
            ),
            ("pendamping", "Mohon melibatkan juga kelompok Hindu dan Buddha di kelurahan.", ()),
        ),
    ),
]

#: Which demo proposals go where.
CLOSED_ROUND_KEYS = ("saluran", "pentas")
OPEN_ROUND_KEYS = ("batik", "tari", "pecel")
HIDDEN_COMMENT = "Dasar pengurus ini cuma cari proyek!"
HIDE_REASON = "Menyerang pribadi pengurus; silakan sampaikan kritik dengan sopan."
REJECT_REASON = (
    "Biaya sewa hampir setengah pagu RT untuk satu malam. Silakan ajukan ulang dengan "
    "panggung sederhana."
)


def _users(*usernames: str) -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=usernames)}


def _data(spec: ProposalSpec, origins) -> ProposalData:
    return ProposalData(
        title=spec.title,
        description=spec.description,
        kind=spec.kind,
        nature=spec.nature,
        bidang=spec.bidang,
        funding_source=Activity.Funding.RT_KEREN,
        target_participants=spec.target,
        expected_outputs=spec.outputs,
        interests=list(_interests(spec.interests)),
        origins=[
            origin
            for origin in origins
            if any(word in origin.label.lower() for word in spec.origin_words)
        ][:2],
        budget_lines=[BudgetLineData(*line) for line in spec.lines],
    )


def _share_among_rw(activity: Activity, rt: RT, officer: User) -> None:
    """The RTs of the demo RT's RW pay the kelurahan-wide proposal in equal shares (the first
    RTs take the odd rupiah), as the officer would set them before the review."""
    rts = list(RT.objects.filter(rw_id=rt.rw_id).order_by("number"))
    parts = split_by_shares(activity.budget_total(), dict.fromkeys(range(len(rts)), 1))
    activity_shares_set(
        activity=activity,
        by=officer,
        amounts={each.pk: parts[index] for index, each in enumerate(rts)},
    )


def _interests(slugs):
    return Interest.objects.filter(slug__in=slugs)


def _discuss(activity: Activity, spec: ProposalSpec, users: dict[str, User]) -> int:
    posted = 0
    for author, body, replies in spec.comments:
        comment = services.comment_post(activity=activity, by=users[author], body=body)
        posted += 1
        for reply_author, reply_body in replies:
            services.comment_post(
                activity=activity, by=users[reply_author], body=reply_body, parent=comment
            )
            posted += 1
        if body == HIDDEN_COMMENT:
            services.comment_hide(comment=comment, by=users["petugas"], reason=HIDE_REASON)
    return posted


def _paper_votes(voting_round: VotingRound, wanted: dict[str, int], proposals, recorder) -> int:
    """Ballots of residents without an account, as counted at the RT's meeting. Each proposal
    goes to the residents who have used the fewest of their votes so far, so that nobody holds
    more than the round allows (the database refuses that too)."""
    if voting_round.votes.exists():
        return 0
    allowed = voting_round.votes_per_resident
    needed = max(max(wanted.values(), default=0), -(-sum(wanted.values()) // allowed))
    residents = list(
        Resident.objects.active()
        .verified()
        .adults()
        .filter(rt=voting_round.rt_id, user__isnull=True)
        .order_by("pk")[:needed]
    )
    used = dict.fromkeys(residents, 0)
    cast = 0
    for key, count in sorted(wanted.items(), key=lambda item: -item[1]):
        voters = sorted((r for r in residents if used[r] < allowed), key=used.__getitem__)
        for resident in voters[:count]:
            Vote.objects.create(round=voting_round, activity=proposals[key], resident=resident)
            used[resident] += 1
            participation_record(
                resident=resident,
                kind=services.KIND_VOTED,
                subject=voting_round,
                period=voting_round.period,
                recorded_by=recorder,
            )
            cast += 1
    return cast


def _round(title, rt, period, users, proposals, keys, opens_at, closes_at) -> VotingRound:
    return services.round_open(
        by=users["petugas"],
        place=rt,
        period=period,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        votes_per_resident=2,
        proposals=[proposals[key] for key in keys],
    )


@demo_data.register("designing", order=30)
def seed_designing(*, stdout) -> str:
    kelurahan = Kelurahan.objects.get(code=BLITAR)
    rt = RT.objects.select_related("rw").get(
        rw__kelurahan=kelurahan, rw__number=DEMO_RT[0], number=DEMO_RT[1]
    )
    period = Period.objects.containing(timezone.localdate()).get()
    users = _users("warga", "ketua_rt", "ketua_rw", "komunitas", "petugas", "pendamping")
    existing = {
        activity.title: activity
        for activity in Activity.objects.filter(
            kelurahan=kelurahan, title__in=[spec.title for spec in PROPOSALS]
        )
    }
    if len(existing) == len(PROPOSALS):
        return "0 proposals, 0 comments, 0 rounds, 0 votes created"
    with transaction.atomic():
        return _seed(kelurahan, rt, period, users, existing)


def _seed(kelurahan, rt, period, users, existing) -> str:
    origins = origins_for([kelurahan.pk])
    proposals, created, comments = {}, 0, 0
    for spec in PROPOSALS:
        activity = existing.get(spec.title)
        if activity is None:
            activity = services.proposal_create(
                by=users[spec.author],
                place=kelurahan if spec.kelurahan_wide else rt,
                period=period,
                data=_data(spec, origins),
            )
            created += 1
            if spec.kelurahan_wide:
                _share_among_rw(activity, rt, users["petugas"])
            if spec.key not in ("foto",):
                transitions.activity_propose(activity=activity, by=users[spec.author])
                comments += _discuss(activity, spec, users)
        proposals[spec.key] = activity
    now = timezone.now()
    rounds = votes = 0
    if not VotingRound.objects.filter(kelurahan=kelurahan, title=CLOSED_ROUND).exists():
        closed = _round(
            CLOSED_ROUND,
            rt,
            period,
            users,
            proposals,
            CLOSED_ROUND_KEYS,
            now - datetime.timedelta(days=1),
            now + datetime.timedelta(hours=1),
        )
        votes += _paper_votes(closed, {"saluran": 14, "pentas": 5}, proposals, users["ketua_rt"])
        # The round was held last month: moved back once its ballots are in.
        VotingRound.objects.filter(pk=closed.pk).update(
            opens_at=now - datetime.timedelta(days=30),
            closes_at=now - datetime.timedelta(days=16),
            results_announced_at=now - datetime.timedelta(days=15),
        )
        rounds += 1
        transitions.activity_approve(activity=proposals["saluran"], by=users["petugas"])
        transitions.activity_reject(
            activity=proposals["pentas"], by=users["petugas"], reason=REJECT_REASON
        )
        balai = proposals["balai"]
        transitions.activity_approve(activity=balai, by=users["petugas"])
        transitions.activity_start_delivery(activity=balai, by=users["ketua_rt"])
        transitions.activity_cancel(
            activity=proposals["lomba"],
            by=users["warga"],
            reason="Digabung dengan kegiatan kerja bakti Agustusan.",
        )
    if not VotingRound.objects.filter(kelurahan=kelurahan, title=OPEN_ROUND).exists():
        opened = _round(
            OPEN_ROUND,
            rt,
            period,
            users,
            proposals,
            OPEN_ROUND_KEYS,
            now - datetime.timedelta(days=2),
            now + datetime.timedelta(days=5),
        )
        rounds += 1
        votes += _paper_votes(opened, {"batik": 9, "tari": 12, "pecel": 6}, proposals, None)
        for username, key in (("ketua_rt", "batik"), ("ketua_rt", "pecel"), ("warga", "tari")):
            if can(users[username], "designing.vote_in_round", opened):
                services.vote_cast(voting_round=opened, activity=proposals[key], by=users[username])
                votes += 1
    return f"{created} proposals, {comments} comments, {rounds} rounds, {votes} votes created"
