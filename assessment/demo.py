"""Demo data of co-assessment: the batik training of the demo RT that co-delivery's demo
delivered five days ago (``EVALUATED_TRAINING``), evaluated by residents and government side by
side (they disagree on what it produced), its obstacles turned into follow-ups in every status,
and a quarterly round of Kelurahan Blitar with its evaluation forum. The demo resident ``warga``
took part and has not evaluated yet.

Needs the core's demo (places, residents, accounts, the period) and runs after co-delivery's,
whose training it evaluates when there is one. The round is found by its title before anything
is made, so a second run creates nothing."""

import datetime

from django.utils import timezone

from rtkeren.demo import BLITAR, DEMO_RT, DEMO_RW
from rtkeren.demo import EVALUATED_TRAINING as TITLE
from rtkeren.models import RT, Activity, ActivityStatus, Kelurahan, Period, Resident, User
from rtkeren.registry import demo_data

from . import selectors, services
from .models import Criterion, EvaluationRound, FollowUp

ROUND_TITLE = "Evaluasi triwulan Kelurahan Blitar"
# Residents find the products unfinished and the committee hard to reach; the government side
# sees a well-run training. Criteria by code.
COMMUNITY_SCORES = [
    {"manfaat": 4, "minat-bakat": 5, "kualitas-pelaksanaan": 4, "luaran-produk": 2},
    {"manfaat": 5, "minat-bakat": 4, "kualitas-pelaksanaan": 3, "luaran-produk": 2},
    {"manfaat": 4, "minat-bakat": 4, "kualitas-pelaksanaan": 4, "luaran-produk": 1},
]
GOVERNMENT_SCORES = {
    "manfaat": 4,
    "minat-bakat": 4,
    "kualitas-pelaksanaan": 5,
    "luaran-produk": 4,
    "komunikasi-pengurus": 4,
}
COMMUNITY_OBSTACLES = [
    ("Kain mori dan malam habis di pertemuan keempat, jadi batik belum selesai.", ""),
    (
        "Jadwal sering berubah dan kabarnya tidak sampai ke semua peserta.",
        "Umumkan jadwal di grup RT.",
    ),
    ("", "Adakan pameran kecil supaya hasil batik bisa dijual."),
]


def _scores(values: dict[str, int], default: int) -> dict[int, int]:
    return {c.pk: values.get(c.code, default) for c in Criterion.objects.active()}


def _evaluate(activity: Activity, offline: list[Resident], users: dict[str, User]) -> int:
    chair = users["ketua_rt"]
    count = 0
    for index, resident in enumerate(offline[:9]):
        obstacles, suggestions = COMMUNITY_OBSTACLES[index % len(COMMUNITY_OBSTACLES)]
        services.evaluation_record_on_behalf(
            activity=activity,
            by=chair,
            resident=resident,
            scores=_scores(COMMUNITY_SCORES[index % len(COMMUNITY_SCORES)], 2),
            obstacles=obstacles,
            suggestions=suggestions,
        )
        count += 1
    services.evaluation_submit(
        activity=activity,
        by=chair,
        scores=_scores(COMMUNITY_SCORES[0], 3),
        obstacles="Pengurus Pokmas kurang berkoordinasi soal pembelian bahan.",
    )
    for username in ("petugas", "pendamping"):
        services.evaluation_submit(
            activity=activity,
            by=users[username],
            scores=_scores(GOVERNMENT_SCORES, 4),
            suggestions="Laporan realisasi agar dilengkapi foto hasil.",
        )
    return count + 3


def _follow_ups(activity: Activity, users: dict[str, User]) -> int:
    today = timezone.localdate()
    evaluation = activity.evaluations.exclude(obstacles="").order_by("pk").first()
    specs = [
        ("ketua_rt", "Pokmas membeli kain mori dan malam untuk dua pertemuan tambahan.", 14, None),
        (
            "pendamping",
            "Pendamping menyusun jadwal tetap dan membagikannya di grup RT.",
            10,
            "in_progress",
        ),
        ("petugas", "Kelurahan menyediakan stan pameran batik di acara Agustusan.", 20, "done"),
        (
            "ketua_rt",
            "Ketua RT mengumpulkan kain yang belum selesai dan mencari pelatih.",
            -3,
            None,
        ),
    ]
    for owner, action, days, status in specs:
        follow_up = services.follow_up_create(
            activity=activity,
            by=users["petugas"],
            evaluation=evaluation,
            obstacle=evaluation.obstacles,
            action=action,
            owner=users[owner],
            due_on=today + datetime.timedelta(days=max(days, 1)),
        )
        if days < 0:
            # Overdue: its due date was set when it was made, and has passed since.
            FollowUp.objects.filter(pk=follow_up.pk).update(
                due_on=today + datetime.timedelta(days=days)
            )
        if status:
            services.follow_up_update(
                follow_up=follow_up,
                by=users[owner],
                status=status,
                resolution="Stan pameran sudah dipesan untuk 17 Agustus."
                if status == FollowUp.Status.DONE
                else "",
            )
    return len(specs)


def _round(kelurahan: Kelurahan, period: Period, rt: RT, users: dict[str, User]) -> int:
    today = timezone.localdate()
    evaluation_round = services.round_open(
        by=users["petugas"],
        place=kelurahan,
        period=period,
        title=ROUND_TITLE,
        covers_from=max(period.starts_on, today - datetime.timedelta(days=90)),
        covers_until=today,
        forum_on=today - datetime.timedelta(days=1),
        forum_place="Pendopo Kantor Kelurahan Blitar",
    )
    present = list(Resident.objects.active().adults().filter(rt=rt).order_by("-pk")[:12])
    added, _removed = services.forum_attendance_set(
        evaluation_round=evaluation_round, by=users["petugas"], present=present, shown=present
    )
    return added


@demo_data.register("assessment", order=50)
def seed_assessment(*, stdout) -> str:
    kelurahan = Kelurahan.objects.get(code=BLITAR)
    if EvaluationRound.objects.filter(kelurahan=kelurahan, title=ROUND_TITLE).exists():
        return "nothing new"
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["warga", "ketua_rt", "petugas", "pendamping"])
    }
    period = Period.objects.containing(timezone.localdate()).get()
    rt = RT.objects.select_related("rw").get(
        rw__kelurahan=kelurahan, rw__number=DEMO_RW, number=DEMO_RT
    )
    activity = Activity.objects.filter(
        rt=rt, period=period, title=TITLE, status=ActivityStatus.DELIVERED
    ).first()
    evaluations = follow_ups = 0
    if activity is not None:
        # Those who took part without an account, in the order they were chosen.
        offline = list(selectors.participants(activity).filter(user__isnull=True).order_by("pk"))
        evaluations = _evaluate(activity, offline, users)
        follow_ups = _follow_ups(activity, users)
    present = _round(kelurahan, period, rt, users)
    return (
        f"{evaluations} evaluations, {follow_ups} follow-ups, "
        f"1 evaluation round with {present} present created"
    )
