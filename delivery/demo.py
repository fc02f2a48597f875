"""Demo data of co-delivery in the demo RT (RT 002 / RW 007, Kelurahan Blitar) of the open
period: a batik training already delivered whose products are not all finished, and an
interfaith arts activity still running, with meetings, implementers, attendance, committee
notes and tasks, photos and spending; and a batik training for the young delivered five days
ago, left for the evaluation demo (``EVALUATED_TRAINING``). Needs the core's demo (places,
residents, accounts).

Each activity is found by its title before it is made, so a second run creates nothing."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from rtkeren.demo import BLITAR, DEMO_RT, DEMO_RW, EVALUATED_TRAINING
from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    ActivityTransition,
    BudgetLine,
    Period,
    Resident,
    User,
)
from rtkeren.registry import demo_data
from rtkeren.selectors.residents import acting_resident
from rtkeren.services.activities import (
    KIND_ACTIVITY_PROPOSED,
    activity_mark_delivered,
    activity_start_delivery,
)
from rtkeren.services.ledger import participation_record

from . import services
from .models import Implementer

TRAINING = "Pelatihan membatik tulis motif Blitaran"
RUNNING = "Latihan hadrah dan paduan suara lintas iman"
EVALUATED_PARTICIPANTS = 14
DELIVERED_DAYS_AGO = 5
EVALUATED_TIMELINE = [
    (ActivityStatus.DRAFT, ActivityStatus.PROPOSED, 60),
    (ActivityStatus.PROPOSED, ActivityStatus.APPROVED, 45),
    (ActivityStatus.APPROVED, ActivityStatus.IN_DELIVERY, 30),
    (ActivityStatus.IN_DELIVERY, ActivityStatus.DELIVERED, DELIVERED_DAYS_AGO),
]


def _picture(text: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), colour)
    ImageDraw.Draw(image).text((24, 24), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _approved(*, rt: RT, period: Period, title: str, users: dict, budget, **fields) -> Activity:
    """An activity already approved by the officer, as if it came through voting and review."""
    now = timezone.now()
    activity = Activity.objects.create(
        title=title,
        rt=rt,
        kelurahan_id=rt.rw.kelurahan_id,
        period=period,
        author=users["ketua_rt"],
        status=ActivityStatus.APPROVED,
        status_changed_at=now,
        nature=Activity.Nature.NONFISIK,
        bidang=Activity.Bidang.HUMAN_DEVELOPMENT,
        **fields,
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(activity=activity, item=item, quantity=quantity, unit=unit, unit_price=price)
        for item, quantity, unit, price in budget
    )
    ActivityTransition.objects.create(
        activity=activity,
        from_status=ActivityStatus.PROPOSED,
        to_status=ActivityStatus.APPROVED,
        by=users["petugas"],
        at=now,
        note="",
    )
    return activity


def _meeting(activity, by, title, day: datetime.date, place="Balai RT 002"):
    return services.meeting_plan(
        activity=activity,
        by=by,
        details=services.MeetingDetails(
            title=title,
            date=day,
            starts_at=datetime.time(19, 0),
            ends_at=datetime.time(21, 0),
            place=place,
            facilitator="Ibu Endang Lestari (perajin batik)",
        ),
    )


def _implement(activity, by, residents, roles):
    for resident, role in zip(residents, roles, strict=False):
        services.implementer_add(activity=activity, by=by, resident=resident, role=role)


def _seed_training(rt: RT, period: Period, users: dict, residents: list[Resident]) -> bool:
    if Activity.objects.filter(rt=rt, period=period, title=TRAINING).exists():
        return False
    chair = users["ketua_rt"]
    activity = _approved(
        rt=rt,
        period=period,
        title=TRAINING,
        users=users,
        kind=Activity.Kind.TRAINING,
        description="Kelas membatik tulis untuk remaja dan ibu-ibu, enam kali pertemuan.",
        budget=[
            ("Kain mori primissima", 40, "lembar", 35_000),
            ("Malam batik dan pewarna", 1, "paket", 600_000),
            ("Honor pelatih", 3, "pertemuan", 250_000),
        ],
    )
    activity_start_delivery(activity=activity, by=chair)
    _implement(
        activity,
        chair,
        residents,
        [
            Implementer.Role.COORDINATOR,
            Implementer.Role.TRAINER,
            Implementer.Role.TREASURER,
            Implementer.Role.DOCUMENTATION,
        ],
    )
    today = timezone.localdate()
    for weeks, title in ((6, "Pengenalan canting dan pola"), (5, "Mencanting"), (4, "Mewarnai")):
        meeting = _meeting(activity, chair, title, today - datetime.timedelta(weeks=weeks))
        present = {resident.pk for resident in residents[: 16 - weeks]}
        services.attendance_mark(meeting=meeting, by=chair, present=present)
        services.meeting_photo_add(
            meeting=meeting, by=chair, image=_picture(title, (120, 70, 30)), caption=title
        )
    for name, target, unit, finished, status, obstacle, note in (
        ("Kain batik tulis", 20, "lembar", 12, "in_progress", "materials", "Malam batik habis."),
        ("Taplak meja batik", 10, "buah", 10, "finished", "", ""),
        ("Selendang batik", 15, "lembar", 0, "not_started", "time", "Peserta sibuk panen."),
    ):
        output = services.output_plan(
            activity=activity, by=chair, name=name, target_quantity=target, unit=unit
        )
        services.output_progress(
            output=output,
            by=chair,
            finished_quantity=finished,
            status=status,
            obstacle=obstacle,
            obstacle_note=note,
        )
    for item, amount, weeks in (
        ("Kain mori 40 lembar", 1_400_000, 6),
        ("Malam dan pewarna", 640_000, 5),
    ):
        services.spending_record(
            activity=activity,
            by=chair,
            spent_on=today - datetime.timedelta(weeks=weeks),
            item=item,
            amount=amount,
            receipt=_picture(item, (200, 200, 190)),
        )
    services.committee_note_add(
        activity=activity,
        by=chair,
        kind="decision",
        text="Sisa kain dibagikan ke peserta agar dilanjutkan di rumah; hasil dikumpulkan "
        "sebelum pameran Agustusan.",
    )
    activity_mark_delivered(activity=activity, by=chair)
    return True


def _seed_running(rt: RT, period: Period, users: dict, residents: list[Resident]) -> bool:
    if Activity.objects.filter(rt=rt, period=period, title=RUNNING).exists():
        return False
    chair = users["ketua_rt"]
    activity = _approved(
        rt=rt,
        period=period,
        title=RUNNING,
        users=users,
        kind=Activity.Kind.RELIGIOUS,
        description="Remaja masjid dan paduan suara gereja berlatih bersama untuk pentas "
        "kerukunan.",
        budget=[
            ("Sewa sound system", 2, "hari", 400_000),
            ("Konsumsi latihan", 4, "kali", 150_000),
        ],
    )
    activity_start_delivery(activity=activity, by=chair)
    _implement(
        activity,
        chair,
        residents[4:],
        [Implementer.Role.COORDINATOR, Implementer.Role.TRAINER, Implementer.Role.CORE_PARTICIPANT],
    )
    today = timezone.localdate()
    past = _meeting(activity, chair, "Latihan pertama", today - datetime.timedelta(days=5))
    services.attendance_mark(
        meeting=past, by=chair, present={resident.pk for resident in residents[2:12]}
    )
    _meeting(
        activity, chair, "Gladi bersih", today + datetime.timedelta(days=9), "Masjid Al-Ikhlas"
    )
    warga = users.get("warga")
    if warga is not None:
        services.implementer_add(
            activity=activity,
            by=chair,
            resident=Resident.objects.get(user=warga),
            role=Implementer.Role.DOCUMENTATION,
        )
        services.task_assign(
            activity=activity,
            by=chair,
            title="Kirim foto latihan ke grup pengurus",
            assignee=warga,
            due_on=today - datetime.timedelta(days=2),
        )
    services.task_assign(
        activity=activity,
        by=chair,
        title="Pesan sound system untuk gladi bersih",
        assignee=chair,
        due_on=today + datetime.timedelta(days=5),
    )
    return True


def _evaluated_activity(rt: RT, period: Period, author: User, officer: User) -> Activity:
    now = timezone.now()
    author_resident = acting_resident(author)
    activity = Activity.objects.create(
        title=EVALUATED_TRAINING,
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
        for source, target, days in EVALUATED_TIMELINE
    )
    if author_resident is not None:
        proposed_days_ago = next(
            days for _from, to, days in EVALUATED_TIMELINE if to == ActivityStatus.PROPOSED
        )
        participation_record(
            resident=author_resident,
            kind=KIND_ACTIVITY_PROPOSED,
            subject=activity,
            activity=activity,
            occurred_on=timezone.localdate(now - datetime.timedelta(days=proposed_days_ago)),
            recorded_by=author,
        )
    return activity


def _seed_evaluated(rt: RT, period: Period, users: dict) -> bool:
    """The training the evaluation demo evaluates: the demo ``warga`` and chair and residents
    without an account took part, most attending its one meeting, some as core participants."""
    if Activity.objects.filter(rt=rt, period=period, title=EVALUATED_TRAINING).exists():
        return False
    chair = users["ketua_rt"]
    activity = _evaluated_activity(rt, period, chair, users["petugas"])
    with_accounts = list(Resident.objects.filter(user__in=[users["warga"], chair]))
    others = list(
        Resident.objects.active()
        .verified()
        .adults()
        .filter(rt=rt, user__isnull=True)
        .order_by("pk")[: EVALUATED_PARTICIPANTS - len(with_accounts)]
    )
    day = timezone.localdate() - datetime.timedelta(days=DELIVERED_DAYS_AGO)
    # The services write the records and their ledger rows; the activity is delivered only
    # afterwards, as the RT chair would do it.
    Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.IN_DELIVERY)
    activity.status = ActivityStatus.IN_DELIVERY
    meeting = services.meeting_plan(
        activity=activity,
        by=chair,
        details=services.MeetingDetails(
            title=EVALUATED_TRAINING,
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
            services.implementer_add(
                activity=activity, by=chair, resident=resident, role="peserta_inti"
            )
        else:
            attending.append(resident.pk)
    services.attendance_mark(meeting=meeting, by=chair, present=attending)
    Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.DELIVERED)
    return True


@demo_data.register("delivery", order=40)
def seed_delivery(*, stdout) -> str:
    rt = RT.objects.select_related("rw").get(
        rw__kelurahan__code=BLITAR, rw__number=DEMO_RW, number=DEMO_RT
    )
    period = Period.objects.containing(timezone.localdate()).get()
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["ketua_rt", "petugas", "warga"])
    }
    residents = list(
        Resident.objects.active()
        .verified()
        .adults()
        .filter(rt=rt, user__isnull=True)
        .order_by("pk")[:16]
    )
    # Made in the order they began: the evaluated training dates from 70 days ago.
    created = _seed_evaluated(rt, period, users)
    created += _seed_training(rt, period, users, residents)
    created += _seed_running(rt, period, users, residents)
    today = _meeting_today(rt, period, users)
    return f"{created} delivery activities created" + (
        ", a meeting open for check-in" if today else ""
    )


#: The demo's meeting of the day, whose self check-in is open when the demo is loaded.
TODAY_MEETING = "Latihan hari ini"


def _meeting_today(rt: RT, period: Period, users: dict) -> bool:
    """A meeting of the running activity that began a little before now, so that its self
    check-in window (30 minutes before the start to 2 hours after the end) is open for the
    next hours whenever the demo is loaded: made again on a later day, never twice a day."""
    activity = Activity.objects.filter(rt=rt, period=period, title=RUNNING).first()
    chair = users.get("ketua_rt")
    now = timezone.localtime()
    if activity is None or chair is None:
        return False
    if activity.meetings.filter(title=TODAY_MEETING, date=now.date()).exists():
        return False
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = max(now - datetime.timedelta(minutes=15), midnight)
    ends = min(starts + datetime.timedelta(hours=2), now.replace(hour=23, minute=59))
    services.meeting_plan(
        activity=activity,
        by=chair,
        details=services.MeetingDetails(
            title=TODAY_MEETING,
            date=now.date(),
            starts_at=starts.time().replace(second=0, microsecond=0),
            ends_at=ends.time().replace(second=0, microsecond=0),
            place="Balai RT 002",
            facilitator="",
        ),
    )
    return True
