"""Writes of co-commissioning: one function per action, each checking its permission, atomic,
writing the participation ledger where a resident takes part and notifying on commit."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rtkeren.models import RT, RW, Interest, Kelurahan, NotificationKind, Resident, User
from rtkeren.models.people import years_between
from rtkeren.permissions import require
from rtkeren.photos import photo_normalized
from rtkeren.selectors.residents import acting_resident
from rtkeren.services.ledger import (
    participation_move,
    participation_record,
    participation_remove,
)
from rtkeren.services.notifications import notification_send

from . import selectors
from .models import (
    Attendance,
    Element,
    Endorsement,
    Forum,
    InvitedElement,
    Potential,
    PriorityItem,
)

KIND_POTENTIAL_RECORDED = "potential_recorded"
KIND_POTENTIAL_ENDORSED = "potential_endorsed"
KIND_FORUM_ATTENDED = "forum_attended"

POTENTIAL_FIELDS = ("title", "category", "description")
FORUM_FIELDS = ("title", "date", "starts_at", "ends_at", "place", "agenda")


def _place_fields(place: Kelurahan | RW | RT) -> dict:
    if isinstance(place, RT):
        return {"kelurahan_id": place.rw.kelurahan_id, "rw_id": place.rw_id, "rt": place}
    if isinstance(place, RW):
        return {"kelurahan_id": place.kelurahan_id, "rw": place, "rt": None}
    return {"kelurahan": place, "rw": None, "rt": None}


# Potentials.


@transaction.atomic
def potential_record(
    *,
    by: User,
    place: Kelurahan | RT,
    title: str,
    category: str,
    description: str,
    interests: Iterable[Interest] = (),
    photo=None,
) -> Potential:
    """Record a potential of ``place`` (an RT or a whole kelurahan)."""
    require(by, "commissioning.add_potential", place)
    # Checked and re-encoded first; written to storage last, when nothing else can fail.
    normalized = photo_normalized(photo) if photo else None
    fields = _place_fields(place)
    fields.pop("rw", None)
    fields.pop("rw_id", None)
    author_resident = acting_resident(by)
    potential = Potential(
        **fields,
        title=title,
        category=category,
        description=description,
        author=by,
        author_resident=author_resident,
    )
    potential.full_clean(exclude=["photo"])
    potential.save()
    potential.interests.set(interests)
    if author_resident is not None:
        participation_record(
            resident=author_resident,
            kind=KIND_POTENTIAL_RECORDED,
            subject=potential,
            occurred_on=timezone.localdate(potential.created_at),
            recorded_by=by,
        )
    if normalized is not None:
        potential.photo.save(normalized.name, normalized, save=True)
    return potential


@transaction.atomic
def potential_update(
    *,
    potential: Potential,
    by: User,
    title: str,
    category: str,
    description: str,
    interests: Iterable[Interest] = (),
    photo=None,
    remove_photo: bool = False,
) -> Potential:
    """Change the text of a potential; a new photo replaces the old one."""
    require(by, "commissioning.change_potential", potential)
    normalized = photo_normalized(photo) if photo else None
    potential.title, potential.category, potential.description = title, category, description
    potential.full_clean(exclude=["photo"])
    potential.save(update_fields=[*POTENTIAL_FIELDS, "updated_at"])
    potential.interests.set(interests)
    old_photo = potential.photo.name if (photo or remove_photo) and potential.photo else ""
    if normalized is not None:
        potential.photo.save(normalized.name, normalized, save=False)
    elif remove_photo:
        potential.photo = ""
    if photo or remove_photo:
        potential.save(update_fields=["photo", "updated_at"])
    if old_photo:
        storage = potential.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return potential


def _already_endorsed() -> ValidationError:
    return ValidationError(
        _("You have already endorsed this potential. Each resident endorses a potential once."),
        code="endorsement_duplicate",
    )


@transaction.atomic
def potential_endorse(*, potential: Potential, by: User) -> Endorsement:
    """``by`` says they see this potential too. A second endorsement is refused by the database,
    with a message that says so."""
    require(by, "commissioning.endorse_potential", potential)
    resident = acting_resident(by)
    if resident is None:
        raise ValidationError(
            _("Only residents in the register can endorse a potential."), code="not_a_resident"
        )
    endorsement = Endorsement(potential=potential, resident=resident)
    try:
        with transaction.atomic():
            endorsement.save()
    except IntegrityError as error:
        raise _already_endorsed() from error
    participation_record(
        resident=resident,
        kind=KIND_POTENTIAL_ENDORSED,
        subject=potential,
        occurred_on=timezone.localdate(endorsement.created_at),
        recorded_by=by,
    )
    return endorsement


@transaction.atomic
def potential_unendorse(*, potential: Potential, by: User) -> bool:
    """Take back ``by``'s endorsement. Returns whether there was one."""
    require(by, "commissioning.endorse_potential", potential)
    resident = acting_resident(by)
    if resident is None:
        return False
    deleted, _per_model = Endorsement.objects.filter(
        potential=potential, resident=resident
    ).delete()
    if deleted:
        participation_remove(resident=resident, kind=KIND_POTENTIAL_ENDORSED, subject=potential)
    return bool(deleted)


@dataclass(frozen=True)
class MergeResult:
    moved: int
    already_there: int
    author_added: bool


@transaction.atomic
def potential_merge(*, duplicate: Potential, into: Potential, by: User) -> MergeResult:
    """Fold ``duplicate`` into ``into``: every resident who supported the duplicate (its author
    and its endorsers) ends up supporting the kept one exactly once, and the duplicate points to
    the kept one. Ledger rows follow the endorsements they stand for, keeping their dates."""
    require(by, "commissioning.merge_potential", duplicate)
    if duplicate.pk == into.pk:
        raise ValidationError(_("A potential cannot be merged into itself."), code="merge_self")
    # Both rows locked in a fixed order, so two merges of the same pair cannot interleave.
    locked = {
        potential.pk: potential
        for potential in Potential.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if not duplicate.is_open:
        raise ValidationError(
            _("This potential has already been merged or archived."), code="merge_closed"
        )
    if not into.is_open or into.kelurahan_id != duplicate.kelurahan_id:
        raise ValidationError(
            _("Choose an open potential of the same kelurahan to keep."), code="merge_target"
        )
    supporters = set(into.endorsements.values_list("resident", flat=True))
    if into.author_resident_id:
        supporters.add(into.author_resident_id)
    moving = duplicate.endorsements.exclude(resident__in=supporters)
    moving_residents = list(moving.values_list("resident", flat=True))
    moved = moving.update(potential=into)
    participation_move(
        kind=KIND_POTENTIAL_ENDORSED, source=duplicate, target=into, residents=moving_residents
    )
    staying = list(duplicate.endorsements.values_list("resident", flat=True))
    already_there, _per_model = duplicate.endorsements.all().delete()
    for resident_id in staying:
        # They support the kept potential already; their row there counts them.
        participation_remove(
            resident=Resident(pk=resident_id), kind=KIND_POTENTIAL_ENDORSED, subject=duplicate
        )
    author_added = False
    author = duplicate.author_resident_id
    if (
        author
        and author not in supporters
        and not into.endorsements.filter(resident=author).exists()
    ):
        # Dated when the author put the duplicate forward: their support began then.
        endorsement = Endorsement.objects.create(
            potential=into, resident_id=author, created_at=duplicate.created_at
        )
        participation_record(
            resident=endorsement.resident,
            kind=KIND_POTENTIAL_ENDORSED,
            subject=into,
            occurred_on=timezone.localdate(duplicate.created_at),
            recorded_by=by,
        )
        author_added = True
    duplicate.status = Potential.Status.MERGED
    duplicate.merged_into = into
    duplicate.full_clean(exclude=["photo"])
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    PriorityItem.objects.filter(potential=duplicate).update(potential=into)
    return MergeResult(moved=moved, already_there=already_there, author_added=author_added)


@transaction.atomic
def potential_archive(*, potential: Potential, by: User) -> Potential:
    require(by, "commissioning.archive_potential", potential)
    potential.status = Potential.Status.ARCHIVED
    potential.save(update_fields=["status", "updated_at"])
    return potential


# Forums.


def forum_message(forum: Forum, text: str):
    """A notification text rendered in each recipient's language (see notification_send)."""

    def render() -> str:
        return _(text) % {
            "title": forum.title,
            "date": formats.date_format(forum.date, "DATE_FORMAT"),
            "time": formats.time_format(forum.starts_at, "TIME_FORMAT"),
            "place": forum.place,
        }

    return render


# Marked for extraction here; translated in each recipient's language when sent.
FORUM_SCHEDULED = gettext_noop(
    "A forum is scheduled: “%(title)s”, %(date)s at %(time)s, %(place)s."
)
FORUM_CANCELLED = gettext_noop("The forum “%(title)s” of %(date)s is cancelled.")


def _notify_scope(forum: Forum, text: str) -> None:
    recipients = list(selectors.notification_recipients(forum))
    url = reverse("commissioning:forum-detail", args=[forum.pk])
    transaction.on_commit(
        lambda: notification_send(
            kind=NotificationKind.FORUM,
            recipients=recipients,
            message=forum_message(forum, text),
            url=url,
            subject=forum,
        )
    )


def _set_invited(forum: Forum, elements: Iterable[str]) -> None:
    wanted = set(elements)
    unknown = wanted - set(Element.values)
    if unknown:
        raise ValidationError({"invited": _("Choose the elements from the list.")})
    forum.invited_elements.exclude(element__in=wanted).delete()
    have = set(forum.invited_elements.values_list("element", flat=True))
    InvitedElement.objects.bulk_create(
        InvitedElement(forum=forum, element=element)
        for element in Element.values
        if element in wanted - have
    )


@transaction.atomic
def forum_schedule(
    *,
    by: User,
    place: Kelurahan | RW | RT,
    title: str,
    date: datetime.date,
    starts_at: datetime.time,
    place_name: str,
    agenda: str,
    invited: Iterable[str],
    ends_at: datetime.time | None = None,
) -> Forum:
    """Schedule a forum of ``place`` and tell the residents of that place."""
    require(by, "commissioning.add_forum", place)
    invited = list(invited)
    if not invited:
        raise ValidationError(
            {"invited": _("Invite at least one element of society.")}, code="no_elements"
        )
    forum = Forum(
        **_place_fields(place),
        title=title,
        date=date,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place_name,
        agenda=agenda,
        organiser=by,
    )
    forum.full_clean()
    forum.save()
    _set_invited(forum, invited)
    _notify_scope(forum, FORUM_SCHEDULED)
    return forum


@transaction.atomic
def forum_update(
    *,
    forum: Forum,
    by: User,
    title: str,
    date: datetime.date,
    starts_at: datetime.time,
    place_name: str,
    agenda: str,
    invited: Iterable[str],
    ends_at: datetime.time | None = None,
) -> Forum:
    """Change a scheduled forum; if its day, time or place moves, residents are told again."""
    require(by, "commissioning.change_forum", forum)
    invited = list(invited)
    if not invited:
        raise ValidationError(
            {"invited": _("Invite at least one element of society.")}, code="no_elements"
        )
    moved = (forum.date, forum.starts_at, forum.place) != (date, starts_at, place_name)
    forum.title, forum.date, forum.starts_at, forum.ends_at = title, date, starts_at, ends_at
    forum.place, forum.agenda = place_name, agenda
    forum.full_clean()
    forum.save(update_fields=list(FORUM_FIELDS))
    _set_invited(forum, invited)
    if moved:
        _notify_scope(forum, FORUM_SCHEDULED)
    return forum


@transaction.atomic
def forum_cancel(*, forum: Forum, by: User, reason: str) -> Forum:
    require(by, "commissioning.cancel_forum", forum)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the forum is cancelled.")})
    forum.status = Forum.Status.CANCELLED
    forum.cancel_reason = reason.strip()
    forum.full_clean()
    forum.save(update_fields=["status", "cancel_reason"])
    _notify_scope(forum, FORUM_CANCELLED)
    return forum


def _mark_held(forum: Forum) -> None:
    if forum.status == Forum.Status.SCHEDULED:
        forum.status = Forum.Status.HELD
        forum.save(update_fields=["status"])


@dataclass(frozen=True)
class Guest:
    name: str
    origin: str
    element: str


@dataclass(frozen=True)
class AttendanceChange:
    added: int
    removed: int
    changed: int


@transaction.atomic
def forum_attendance_record(
    *,
    forum: Forum,
    by: User,
    present: dict[int, str],
    absent: Iterable[int] = (),
    guests: Iterable[Guest] = (),
    guests_removed: Iterable[int] = (),
) -> AttendanceChange:
    """Record who came: ``present`` maps resident ids to the element each represents; residents
    in ``absent`` are taken off the list. Guests are added and removed by id.

    Every resident must be an active adult of the forum's place. Each resident present is
    written to the ledger as having taken part themselves (they were there); ``recorded_by``
    says who typed it in.
    """
    require(by, "commissioning.record_attendance", forum)
    absent = set(absent) - set(present)
    unknown = set(present.values()) - set(Element.values)
    if unknown:
        raise ValidationError(_("Choose the element each person represents from the list."))
    allowed = {
        resident.pk: resident
        for resident in selectors.residents_for_attendance(forum).filter(
            pk__in=set(present) | absent
        )
    }
    strangers = set(present) - set(allowed)
    if strangers:
        raise ValidationError(
            _(
                "Some people chosen are not adult, active residents of this forum's place: "
                "%(names)s."
            )
            % {
                "names": ", ".join(
                    Resident.objects.filter(pk__in=strangers).values_list("name", flat=True)
                )
                or _("unknown residents")
            },
            code="attendance_outsider",
        )
    existing = {
        attendance.resident_id: attendance
        for attendance in forum.attendances.filter(resident__isnull=False).select_related(
            "resident"
        )
    }
    added = changed = 0
    for resident_id, element in present.items():
        attendance = existing.get(resident_id)
        resident = allowed[resident_id]
        if attendance is None:
            Attendance.objects.create(
                forum=forum,
                resident=resident,
                element=element,
                resident_age=years_between(resident.birth_date, forum.date),
                recorded_by=by,
            )
            participation_record(
                resident=resident,
                kind=KIND_FORUM_ATTENDED,
                subject=forum,
                occurred_on=forum.date,
                on_behalf=False,
                recorded_by=by,
            )
            added += 1
        elif attendance.element != element:
            attendance.element = element
            attendance.recorded_by = by
            attendance.save(update_fields=["element", "recorded_by"])
            changed += 1
    removed = 0
    for resident_id in absent:
        if resident_id in existing:
            attendance = existing[resident_id]
            attendance.delete()
            participation_remove(
                resident=attendance.resident, kind=KIND_FORUM_ATTENDED, subject=forum
            )
            removed += 1
    removed += forum.attendances.filter(
        resident__isnull=True, pk__in=list(guests_removed)
    ).delete()[0]
    for guest in guests:
        attendance = Attendance(
            forum=forum,
            guest_name=guest.name.strip(),
            guest_origin=guest.origin.strip(),
            element=guest.element,
            recorded_by=by,
        )
        attendance.full_clean(exclude=["forum", "recorded_by"])
        attendance.save()
        added += 1
    if added or changed:
        _mark_held(forum)
    return AttendanceChange(added=added, removed=removed, changed=changed)


@transaction.atomic
def forum_minutes_record(*, forum: Forum, by: User, minutes: str, decisions: str) -> Forum:
    require(by, "commissioning.record_minutes", forum)
    if not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes of the forum.")})
    forum.minutes, forum.decisions = minutes.strip(), decisions.strip()
    forum.minutes_recorded_at = timezone.now()
    forum.minutes_recorded_by = by
    forum.save(update_fields=["minutes", "decisions", "minutes_recorded_at", "minutes_recorded_by"])
    _mark_held(forum)
    return forum


@dataclass(frozen=True)
class Priority:
    title: str
    potential: Potential | None = None
    note: str = ""


@transaction.atomic
def forum_priorities_set(
    *, forum: Forum, by: User, priorities: Iterable[Priority]
) -> list[PriorityItem]:
    """Replace the forum's priority list with ``priorities``, ranked 1, 2, 3... in that order.
    A priority drawn from a potential takes its title when none is given."""
    require(by, "commissioning.record_minutes", forum)
    items = []
    for rank, priority in enumerate(priorities, start=1):
        potential = priority.potential
        if potential is not None and potential.kelurahan_id != forum.kelurahan_id:
            raise ValidationError(
                _("The potential “%(title)s” belongs to another kelurahan.")
                % {"title": potential.title},
                code="priority_foreign_potential",
            )
        title = priority.title.strip() or (potential.title if potential else "")
        if not title:
            raise ValidationError(
                _("Priority %(rank)s needs a title or a potential.") % {"rank": rank},
                code="priority_untitled",
            )
        item = PriorityItem(
            forum=forum, rank=rank, title=title, potential=potential, note=priority.note.strip()
        )
        item.full_clean(exclude=["forum", "potential"], validate_constraints=False)
        items.append(item)
    forum.priorities.all().delete()
    created = PriorityItem.objects.bulk_create(items)
    _mark_held(forum)
    return created
