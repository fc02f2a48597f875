"""Demo data of co-assessment: a batik training in the demo RT, delivered five days ago, that
residents and government have evaluated side by side (they disagree on what it produced), its
obstacles turned into follow-ups in every status, and a quarterly round of Kelurahan Blitar with
its evaluation forum. The demo resident ``warga`` took part and has not evaluated yet.

Needs the core's demo (places, residents, accounts, the period). The activity is found by its
title before anything is made, so a second run creates nothing."""

import datetime

from django.utils import timezone

from delivery import services as delivery_services
from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    ActivityTransition,
    Kelurahan,
    Period,
    Resident,
    User,
)
from rtkeren.registry import demo_data
from rtkeren.selectors.residents import acting_resident
from rtkeren.services.activities import KIND_ACTIVITY_PROPOSED
from rtkeren.services.ledger import participation_record

from . import services
from .models import Criterion, FollowUp

BLITAR = "35.72.02.1002"
DEMO_RT = (7, 2)
TITLE = "Pelatihan membatik tulis untuk remaja RT 002"
ROUND_TITLE = "Evaluasi triwulan Kelurahan Blitar"
PARTICIPANTS = 14
DELIVERED_DAYS_AGO = 5
TIMELINE = [
    (ActivityStatus.DRAFT, ActivityStatus.PROPOSED, 60),
    (ActivityStatus.PROPOSED, ActivityStatus.APPROVED, 45),
    (ActivityStatus.APPROVED, ActivityStatus.IN_DELIVERY, 30),
    (ActivityStatus.IN_DELIVERY, ActivityStatus.DELIVERED, DELIVERED_DAYS_AGO),
]
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


def _activity(rt: RT, period: Period, author: User, officer: User) -> Activity:
    now = timezone.now()
    author_resident = acting_resident(author)
    activity = Activity.objects.create(
        title=TITLE,
        description="Enam pertemuan membatik tulis motif Blitaran untuk remaja, dilatih perajin "
        "batik warga RT 002. Target: setiap peserta menyelesaikan satu kain batik.",
        kind=Activity.Kind.TRAINING,
        nature=Activity.Nature.NONFISIK,
        bidang=Activity.Bidang.HUMAN_DEVELOPMENT,
        kelurahan_id=rt.rw.kelurahan_id,
        rt=rt,
        period=period,
        author=author,
        proposed_as=author_resident,
        expected_outputs="14 kain batik tulis selesai",
        status=ActivityStatus.DELIVERED,
        status_changed_at=now - datetime.timedelta(days=DELIVERED_DAYS_AGO),
        created_at=now - datetime.timedelta(days=70),
    )
    ActivityTransition.objects.bulk_create(
        ActivityTransition(
            activity=activity,
            from_status=source,
            to_status=target,
            by=officer if target == ActivityStatus.APPROVED else author,
            at=now - datetime.timedelta(days=days),
        )
        for source, target, days in TIMELINE
    )
    if author_resident is not None:
        proposed_days_ago = next(days for _from, to, days in TIMELINE if to == "proposed")
        participation_record(
            resident=author_resident,
            kind=KIND_ACTIVITY_PROPOSED,
            subject=activity,
            activity=activity,
            occurred_on=timezone.localdate(now - datetime.timedelta(days=proposed_days_ago)),
            recorded_by=author,
        )
    return activity


def _participants(activity: Activity, rt: RT, users: dict[str, User]) -> list[Resident]:
    """The demo ``warga`` and chair, and residents without an account: the delivery ledger."""
    with_accounts = list(Resident.objects.filter(user__in=[users["warga"], users["ketua_rt"]]))
    others = list(
        Resident.objects.active()
        .verified()
        .adults()
        .filter(rt=rt, user__isnull=True)
        .order_by("pk")[: PARTICIPANTS - len(with_accounts)]
    )
    day = timezone.localdate() - datetime.timedelta(days=DELIVERED_DAYS_AGO)
    chair = users["ketua_rt"]
    # Delivery's own services write its records and their ledger rows; the activity is
    # delivered only afterwards, as the RT chair would do it.
    Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.IN_DELIVERY)
    activity.status = ActivityStatus.IN_DELIVERY
    meeting = delivery_services.meeting_plan(
        activity=activity,
        by=chair,
        details=delivery_services.MeetingDetails(
            title=TITLE,
            date=day,
            starts_at=datetime.time(19, 0),
            ends_at=datetime.time(21, 0),
            place="Balai RT 002",
            facilitator="",
        ),
    )
    attending = []
    for index, resident in enumerate(with_accounts + others):
        if index % 5 == 1:
            delivery_services.implementer_add(
                activity=activity, by=chair, resident=resident, role="peserta_inti"
            )
        else:
            attending.append(resident.pk)
    delivery_services.attendance_mark(meeting=meeting, by=chair, present=attending)
    Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.DELIVERED)
    activity.status = ActivityStatus.DELIVERED
    return others


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


@demo_data.register("assessment", order=40)
def seed_assessment(*, stdout) -> str:
    kelurahan = Kelurahan.objects.get(code=BLITAR)
    if Activity.objects.filter(kelurahan=kelurahan, title=TITLE).exists():
        return "nothing new"
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["warga", "ketua_rt", "petugas", "pendamping"])
    }
    period = Period.objects.containing(timezone.localdate()).get()
    rt = RT.objects.select_related("rw").get(
        rw__kelurahan=kelurahan, rw__number=DEMO_RT[0], number=DEMO_RT[1]
    )
    activity = _activity(rt, period, users["ketua_rt"], users["petugas"])
    offline = _participants(activity, rt, users)
    evaluations = _evaluate(activity, offline, users)
    follow_ups = _follow_ups(activity, users)
    present = _round(kelurahan, period, rt, users)
    return (
        f"1 delivered activity, {evaluations} evaluations, {follow_ups} follow-ups, "
        f"1 evaluation round with {present} present created"
    )
