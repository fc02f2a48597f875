"""Writes of co-delivery: one function per action, each checking its permission, atomic, writing
the participation ledger where a resident takes part and notifying once the transaction commits.

The ledger rows of ``Stage.DELIVERY`` are what other stages read to know who took part in an
activity: one row per implementer row (kind ``implemented``) and one per resident per meeting
attended (kind ``attended``), always with the activity set.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rtkeren.models import Activity, NotificationKind, Resident, User
from rtkeren.permissions import require
from rtkeren.photos import photo_normalized
from rtkeren.selectors.residents import acting_resident, awaits_confirmation
from rtkeren.services.ledger import participation_record, participation_remove
from rtkeren.services.notifications import notification_send
from rtkeren.templatetags.rtkeren import rupiah

from . import selectors
from .checks import forget_coordinators
from .models import (
    Attendance,
    CommitteeNote,
    Implementer,
    Meeting,
    MeetingPhoto,
    Output,
    Spending,
    Task,
)

KIND_IMPLEMENTED = "implemented"
KIND_ATTENDED = "attended"
CHECKIN_SALT = "delivery.meeting-checkin"
#: Check-in refusals about the person rather than the code.
CHECKIN_REFUSALS = frozenset(
    {"checkin_no_resident", "checkin_unverified", "checkin_minor", "checkin_wrong_place"}
)

MEETING_PLANNED = gettext_noop(
    "A meeting of “%(activity)s” is planned: %(title)s, %(date)s at %(time)s, %(place)s."
)
MEETING_CHANGED = gettext_noop(
    "A meeting of “%(activity)s” has changed: %(title)s, now %(date)s at %(time)s, %(place)s."
)
TASK_GIVEN = gettext_noop("A committee task for you in “%(activity)s”: %(title)s (due %(date)s).")


def _render(text: str, values: dict):
    """A notification text rendered in each recipient's language (see notification_send)."""
    return lambda: _(text) % values


# Meetings.


@dataclass(frozen=True)
class MeetingDetails:
    title: str
    date: datetime.date
    starts_at: datetime.time
    place: str
    ends_at: datetime.time | None = None
    facilitator: str = ""


def _notify_meeting(meeting: Meeting, text: str) -> None:
    recipients = list(selectors.notification_recipients(meeting.activity))
    values = {
        "activity": meeting.activity.title,
        "title": meeting.title,
        "date": formats.date_format(meeting.date, "DATE_FORMAT"),
        "time": formats.time_format(meeting.starts_at, "TIME_FORMAT"),
        "place": meeting.place,
    }
    url = reverse("delivery:meeting-detail", args=[meeting.pk])
    transaction.on_commit(
        lambda: notification_send(
            kind=NotificationKind.MEETING,
            recipients=recipients,
            message=_render(text, values),
            url=url,
            subject=meeting,
        )
    )


def _set_details(meeting: Meeting, details: MeetingDetails) -> None:
    meeting.title, meeting.date, meeting.starts_at = details.title, details.date, details.starts_at
    meeting.ends_at, meeting.place = details.ends_at, details.place
    meeting.facilitator = details.facilitator
    meeting.full_clean(exclude=["activity", "created_by"])


@transaction.atomic
def meeting_plan(*, activity: Activity, by: User, details: MeetingDetails) -> Meeting:
    """Plan a meeting; implementers and earlier attendees are told."""
    require(by, "delivery.plan_meetings", activity)
    meeting = Meeting(activity=activity, created_by=by)
    _set_details(meeting, details)
    meeting.save()
    _notify_meeting(meeting, MEETING_PLANNED)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, details: MeetingDetails) -> Meeting:
    """Change a meeting; if its day, time or place moves, the people concerned are told again."""
    require(by, "delivery.plan_meetings", meeting)
    before = (meeting.date, meeting.starts_at, meeting.ends_at, meeting.place)
    _set_details(meeting, details)
    meeting.save()
    if before != (meeting.date, meeting.starts_at, meeting.ends_at, meeting.place):
        _notify_meeting(meeting, MEETING_CHANGED)
    return meeting


# Implementers.


def _in_scope(activity: Activity, resident: Resident) -> bool:
    return selectors.scope_residents(activity).filter(pk=resident.pk).exists()


@transaction.atomic
def implementer_add(
    *, activity: Activity, by: User, resident: Resident, role: str, note: str = ""
) -> Implementer:
    """``resident`` implements the activity in ``role``: their co-delivery participation."""
    require(by, "delivery.manage_activity", activity)
    if not _in_scope(activity, resident):
        raise ValidationError(
            {"resident": _("Choose an active resident of the activity's RT or kelurahan.")},
            code="implementer_outsider",
        )
    implementer = Implementer(
        activity=activity, resident=resident, role=role, note=note.strip(), added_by=by
    )
    implementer.full_clean(exclude=["activity", "resident", "added_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            implementer.save()
    except IntegrityError as error:
        raise ValidationError(
            _("%(name)s already has this role in this activity.") % {"name": resident.name},
            code="implementer_duplicate",
        ) from error
    participation_record(
        resident=resident,
        kind=KIND_IMPLEMENTED,
        subject=implementer,
        activity=activity,
        recorded_by=by,
    )
    forget_coordinators(by)
    return implementer


@transaction.atomic
def implementer_remove(*, implementer: Implementer, by: User) -> None:
    require(by, "delivery.manage_activity", implementer)
    participation_remove(resident=implementer.resident, kind=KIND_IMPLEMENTED, subject=implementer)
    implementer.delete()
    forget_coordinators(by)


# Attendance.


def _attend(*, meeting: Meeting, resident: Resident, method: str, by: User) -> Attendance:
    """One attendance and its ledger row; an attendance already there is given back as is.

    The resident was there in person, so the ledger row is not "on behalf"; ``recorded_by``
    says who typed it in (the resident themselves for a self check-in).
    """
    attendance = Attendance(
        meeting=meeting,
        resident=resident,
        method=method,
        is_minor=not resident.is_adult(meeting.date),
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:
        return Attendance.objects.get(meeting=meeting, resident=resident)
    participation_record(
        resident=resident,
        kind=KIND_ATTENDED,
        subject=attendance,
        activity=meeting.activity,
        occurred_on=meeting.date,
        on_behalf=False,
        recorded_by=by,
    )
    return attendance


@dataclass(frozen=True)
class AttendanceChange:
    added: int
    removed: int


@transaction.atomic
def attendance_mark(
    *, meeting: Meeting, by: User, present: Iterable[int], absent: Iterable[int] = ()
) -> AttendanceChange:
    """The committee's list: residents in ``present`` are there (once, whoever recorded them
    before), residents in ``absent`` are taken off. Minors may be recorded here."""
    require(by, "delivery.manage_activity", meeting)
    present = set(present)
    absent = set(absent) - present
    allowed = {
        resident.pk: resident
        for resident in selectors.scope_residents(meeting.activity).filter(pk__in=present | absent)
    }
    strangers = present - set(allowed)
    if strangers:
        raise ValidationError(
            _("Some people chosen are not active residents of this activity's RT or kelurahan."),
            code="attendance_outsider",
        )
    already = set(meeting.attendances.values_list("resident_id", flat=True))
    added = 0
    for resident_id in sorted(present - already):
        _attend(
            meeting=meeting, resident=allowed[resident_id], method=Attendance.Method.MARKED, by=by
        )
        added += 1
    removed = 0
    for attendance in meeting.attendances.filter(resident_id__in=absent).select_related("resident"):
        participation_remove(resident=attendance.resident, kind=KIND_ATTENDED, subject=attendance)
        attendance.delete()
        removed += 1
    return AttendanceChange(added=added, removed=removed)


def checkin_token(meeting: Meeting) -> str:
    """The token of the meeting's QR code: signed, and tied to the meeting's check-in key."""
    return signing.dumps([meeting.pk, meeting.checkin_key], salt=CHECKIN_SALT)


def _when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": formats.time_format(local, "TIME_FORMAT"),
    }


def checkin_problem(*, meeting: Meeting, token: str, now: datetime.datetime | None = None):
    """Why the code ``token`` cannot check anyone in to ``meeting`` now, or None."""
    try:
        meeting_id, key = signing.loads(token, salt=CHECKIN_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return ValidationError(
            _(
                "This check-in code is not valid. Scan the QR code shown at the meeting again, "
                "or ask the committee to record your attendance."
            ),
            code="checkin_invalid",
        )
    if meeting_id != meeting.pk or key != meeting.checkin_key:
        return ValidationError(
            _(
                "This check-in code belongs to another meeting, or has been replaced. Scan the "
                "QR code shown at this meeting."
            ),
            code="checkin_foreign",
        )
    now = now or timezone.now()
    if now < meeting.checkin_opens_at:
        return ValidationError(
            _("Check-in for this meeting opens on %(when)s. Please come back then.")
            % {"when": _when(meeting.checkin_opens_at)},
            code="checkin_early",
        )
    if now > meeting.checkin_closes_at:
        return ValidationError(
            _(
                "Check-in for this meeting closed on %(when)s. Ask the committee to record your "
                "attendance."
            )
            % {"when": _when(meeting.checkin_closes_at)},
            code="checkin_closed",
        )
    return None


def checkin_resident(*, meeting: Meeting, user: User) -> Resident:
    """The resident ``user`` checks in to ``meeting`` as: an active, verified adult of the
    activity's place; else a ValidationError saying why not."""
    resident = acting_resident(user)
    if resident is None and awaits_confirmation(user):
        # A claimed register entry is refused as a self-typed one is: the claimant learns
        # nothing about the entry, and nothing is written to it.
        raise ValidationError(
            _(
                "Your account has not been verified by your RT chair yet, so you cannot check "
                "in yourself. Ask the committee to record your attendance."
            ),
            code="checkin_unverified",
        )
    if resident is None:
        raise ValidationError(
            _("Only active residents in the register can check in. Ask the committee."),
            code="checkin_no_resident",
        )
    if not resident.is_adult(meeting.date):
        raise ValidationError(
            _("Residents under 17 do not check in themselves; the committee records them."),
            code="checkin_minor",
        )
    if not _in_scope(meeting.activity, resident):
        raise ValidationError(
            _(
                "This meeting is for residents of %(place)s; you are registered elsewhere. Ask "
                "the committee if you took part."
            )
            % {"place": meeting.activity.rt or meeting.activity.kelurahan},
            code="checkin_wrong_place",
        )
    return resident


@transaction.atomic
def attendance_check_in(
    *, meeting: Meeting, user: User, token: str, now: datetime.datetime | None = None
) -> tuple[Attendance, bool]:
    """A resident checks in with the meeting's QR code. Returns the attendance and whether it
    is new (a resident already on the list stays there once)."""
    problem = checkin_problem(meeting=meeting, token=token, now=now)
    if problem is not None:
        raise problem
    resident = checkin_resident(meeting=meeting, user=user)
    existing = meeting.attendances.filter(resident=resident).first()
    if existing is not None:
        return existing, False
    return _attend(meeting=meeting, resident=resident, method=Attendance.Method.SELF, by=user), True


@transaction.atomic
def meeting_photo_add(*, meeting: Meeting, by: User, image, caption: str = "") -> MeetingPhoto:
    require(by, "delivery.manage_activity", meeting)
    resized = photo_normalized(image)
    photo = MeetingPhoto(meeting=meeting, caption=caption.strip(), uploaded_by=by)
    photo.image.save(resized.name, resized, save=False)
    photo.save()
    return photo


# Training outputs.


@transaction.atomic
def output_plan(
    *, activity: Activity, by: User, name: str, target_quantity: int, unit: str
) -> Output:
    require(by, "delivery.manage_activity", activity)
    output = Output(
        activity=activity,
        name=name.strip(),
        target_quantity=target_quantity,
        unit=unit.strip(),
        updated_by=by,
    )
    output.full_clean(exclude=["activity", "updated_by"])
    output.save()
    return output


@transaction.atomic
def output_progress(
    *,
    output: Output,
    by: User,
    finished_quantity: int,
    status: str,
    obstacle: str = "",
    obstacle_note: str = "",
) -> Output:
    """Record how far a product has come, and what holds it up."""
    require(by, "delivery.manage_activity", output)
    if finished_quantity < 0:
        raise ValidationError(
            {"finished_quantity": _("The finished quantity cannot be below zero.")},
            code="output_negative",
        )
    output.finished_quantity, output.status = finished_quantity, status
    output.obstacle, output.obstacle_note = obstacle, obstacle_note.strip()
    output.updated_by = by
    output.full_clean(exclude=["activity", "updated_by"])
    output.save()
    return output


# The committee.


@transaction.atomic
def committee_note_add(*, activity: Activity, by: User, kind: str, text: str) -> CommitteeNote:
    require(by, "delivery.manage_activity", activity)
    note = CommitteeNote(activity=activity, kind=kind, text=text.strip(), author=by)
    note.full_clean(exclude=["activity", "author"])
    note.save()
    return note


@transaction.atomic
def task_assign(
    *, activity: Activity, by: User, title: str, assignee: User, due_on: datetime.date
) -> Task:
    """Give a committee task to ``assignee``, who is told."""
    require(by, "delivery.manage_activity", activity)
    if not selectors.task_assignees(activity).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {"assignee": _("Choose someone who implements or manages this activity.")},
            code="task_outsider",
        )
    task = Task(
        activity=activity, title=title.strip(), assignee=assignee, due_on=due_on, created_by=by
    )
    task.full_clean(exclude=["activity", "assignee", "created_by"])
    task.save()
    if assignee.pk != by.pk:
        values = {
            "activity": activity.title,
            "title": task.title,
            "date": formats.date_format(due_on, "DATE_FORMAT"),
        }
        url = reverse("delivery:committee", args=[activity.pk])
        transaction.on_commit(
            lambda: notification_send(
                kind=NotificationKind.ACTIVITY,
                recipients=[assignee],
                message=_render(TASK_GIVEN, values),
                url=url,
                subject=task,
            )
        )
    return task


@transaction.atomic
def task_complete(*, task: Task, by: User, done: bool = True) -> Task:
    require(by, "delivery.complete_task", task)
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at"])
    return task


# Spending.


@transaction.atomic
def spending_record(
    *,
    activity: Activity,
    by: User,
    spent_on: datetime.date,
    item: str,
    amount: int,
    receipt,
    over_budget_reason: str = "",
) -> Spending:
    """A line of the realisation with its receipt photo. A line that takes the spending above
    the approved budget needs a reason, which is kept with it."""
    require(by, "delivery.manage_activity", activity)
    if amount is None or amount < 1:
        raise ValidationError({"amount": _("Enter an amount of at least Rp1.")}, code="amount")
    if not receipt:
        raise ValidationError({"receipt": _("Add a photo of the receipt.")}, code="no_receipt")
    resized = photo_normalized(receipt)
    # Locked, so that two lines recorded at once cannot both slip under the budget.
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    spent = locked.spendings.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    budget = locked.budget_total()
    reason = over_budget_reason.strip()
    if spent + amount > budget and not reason:
        raise ValidationError(
            {
                "over_budget_reason": _(
                    "This takes the spending to %(total)s, above the approved budget of "
                    "%(budget)s. Explain why in the reason field."
                )
                % {"total": rupiah(spent + amount), "budget": rupiah(budget)}
            },
            code="over_budget",
        )
    spending = Spending(
        activity=locked,
        spent_on=spent_on,
        item=item.strip(),
        amount=amount,
        over_budget_reason=reason,
        recorded_by=by,
    )
    spending.full_clean(exclude=["activity", "recorded_by", "receipt"])
    spending.receipt.save(resized.name, resized, save=False)
    spending.save()
    return spending
