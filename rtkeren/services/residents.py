"""Writes to the resident register: create, update, moves and deaths, and the audited reveal of
a NIK."""

import datetime
import hmac

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rtkeren import nik as nik_codec
from rtkeren import scopes
from rtkeren.models import (
    NikCheck,
    NikReveal,
    Resident,
    ResidentStatusChange,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.models.wilayah import RT
from rtkeren.permissions import can
from rtkeren.phone import normalize_phone
from rtkeren.registry import residents_changed
from rtkeren.services.base import base_resident_sync
from rtkeren.services.roles import role_end

#: What ``resident_update`` may change besides the NIK; verification has its own workflow.
UPDATABLE_FIELDS = frozenset(
    {
        "name",
        "birth_date",
        "sex",
        "rt",
        "kk_number",
        "address",
        "phone",
        "occupation",
        "status",
        "religion",
        "user",
    }
)


def _duplicate_nik_error() -> ValidationError:
    return ValidationError(
        {
            "nik": _(
                "A verified resident with this NIK is already in the register. Look the "
                "resident up by NIK instead of adding them again."
            )
        },
        code="nik_duplicate",
    )


def _same_birth_digits(first: datetime.date, second: datetime.date) -> bool:
    """A NIK holds only a two-digit year, so 1925 and 2025 are the same to it."""
    return (first.day, first.month, first.year % 100) == (
        second.day,
        second.month,
        second.year % 100,
    )


def resident_check(*, resident: Resident, nik: str | None = None) -> None:
    """Raise a ValidationError (by field) unless ``resident`` may be saved, with ``nik`` as its
    new NIK when given. Forms call this too, so their errors match the services' word for word."""
    errors: dict[str, list[str]] = {}
    facts = None
    if nik is not None:
        try:
            facts = nik_codec.parse_nik(nik)
        except ValidationError as error:
            errors["nik"] = error.messages
    elif resident.nik_ciphertext:
        facts = nik_codec.parse_nik(resident.reveal_nik())
    elif resident.pk is None:
        errors["nik"] = [_("Enter the resident's NIK.")]

    if facts is not None:
        if resident.birth_date and not _same_birth_digits(facts.birth_date, resident.birth_date):
            # The date a stored NIK holds is not told: with the kecamatan it is most of the NIK.
            message = (
                _(
                    "The birth date does not match the NIK, which says %(date)s. Check the "
                    "birth date or the NIK."
                )
                % {"date": date_format(facts.birth_date, "j F Y")}
                if nik is not None
                else _("The birth date does not match the stored NIK. Check the birth date.")
            )
            errors.setdefault("birth_date", []).append(message)
        if resident.sex and facts.sex != resident.sex:
            errors.setdefault("sex", []).append(
                _("The sex does not match the NIK, which says %(sex)s. Check the sex or the NIK.")
                % {"sex": Resident.Sex(facts.sex).label}
            )

    if resident.religion and resident.religion_consent_at is None:
        errors.setdefault("religion", []).append(
            _("Religion can only be recorded when the resident has agreed to it.")
        )
    if errors:
        raise ValidationError(errors)

    digest = nik_codec.nik_digest(nik) if nik is not None else resident.nik_digest
    if digest and _is_duplicate(resident, digest):
        raise _duplicate_nik_error()


def _is_duplicate(resident: Resident, digest: str) -> bool:
    """A verified resident already holds this NIK. A new entry may not repeat it even while
    pending: a person who registers is matched to their register entry, not added twice."""
    others = Resident.objects.verified().filter(nik_digest=digest)
    if resident.pk is not None:
        others = others.exclude(pk=resident.pk)
        if not resident.is_verified:
            return False
    return others.exists()


@transaction.atomic
def resident_save(*, by: User | None, resident: Resident, nik: str | None = None) -> Resident:
    """Validate and save a resident whose fields a caller (a form, the admin) has already set.

    ``nik`` is a new NIK as typed, or None to keep the stored one.
    """
    try:
        resident.phone = normalize_phone(resident.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from error
    if not resident.religion:
        resident.religion_consent_at = None
    resident_check(resident=resident, nik=nik)
    if nik is not None:
        resident.set_nik(nik)
    if resident.pk is None and resident.is_verified and resident.verified_at is None:
        resident.verified_at = timezone.now()
        resident.verified_by = by
    resident.full_clean(validate_constraints=False)
    # The kelurahan of the RT the resident leaves, when the RT changes: what follows residents
    # (the proposals' fit) is recomputed there too.
    left_kelurahan_id = (
        Resident.objects.filter(pk=resident.pk)
        .exclude(rt_id=resident.rt_id)
        .values_list("rt__rw__kelurahan_id", flat=True)
        .first()
        if resident.pk is not None
        else None
    )
    if by is not None:
        resident._history_user = by
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as error:
        # Two people saving the same NIK at the same moment: the constraint decides.
        if Resident.objects.verified().filter(nik_digest=resident.nik_digest).exists():
            raise _duplicate_nik_error() from error
        raise
    base_resident_sync(resident=resident)
    if left_kelurahan_id is not None:
        residents_changed(kelurahan_ids=[left_kelurahan_id])
    return resident


def resident_create(
    *,
    by: User | None,
    name: str,
    nik: str,
    birth_date: datetime.date,
    sex: str,
    rt: RT,
    kk_number: str = "",
    address: str = "",
    phone: str = "",
    occupation: str = "",
    status: str = Resident.Status.ACTIVE,
    religion: str = "",
    religion_consent: bool = False,
    verification: str = Resident.Verification.PENDING,
    user: User | None = None,
) -> Resident:
    """Add a person to the register. Nothing is written when any check fails."""
    resident = Resident(
        name=name,
        birth_date=birth_date,
        sex=sex,
        rt=rt,
        kk_number=kk_number,
        address=address,
        phone=phone,
        occupation=occupation,
        status=status,
        religion=religion,
        religion_consent_at=timezone.now() if religion and religion_consent else None,
        verification=verification,
        user=user,
    )
    return resident_save(by=by, resident=resident, nik=nik)


def resident_update(
    *,
    by: User | None,
    resident: Resident,
    nik: str | None = None,
    religion_consent: bool | None = None,
    **changes,
) -> Resident:
    """Change register data. Leave ``nik`` None to keep the NIK; the stored one must still agree
    with the birth date and sex. On failure the database is unchanged (the object may not be:
    reload it before showing it again)."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"resident_update() cannot change {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(resident, field, value)
    if religion_consent is not None:
        resident.religion_consent_at = (
            (resident.religion_consent_at or timezone.now()) if religion_consent else None
        )
    return resident_save(by=by, resident=resident, nik=nik)


@transaction.atomic
def nik_reveal(*, officer: User, resident: Resident, reason: str = "") -> str:
    """The resident's full NIK for an officer of their kelurahan, recorded as a NikReveal."""
    # A superuser is no officer and sees no NIK either (rtkeren.permissions).
    if not can(officer, "rtkeren.reveal_nik", resident):
        raise PermissionDenied(_("Only an officer of the resident's kelurahan can see the NIK."))
    NikReveal.objects.create(officer=officer, resident=resident, reason=reason.strip()[:255])
    return resident.reveal_nik()


@transaction.atomic
def nik_check(*, checker: User, resident: Resident, nik: str) -> bool:
    """Whether ``nik``, typed from the registrant's KTP, is the NIK they registered with. The
    answer is yes or no and nothing more; each check is recorded as a NikCheck."""
    if not can(checker, "rtkeren.verify_resident", resident):
        raise PermissionDenied(_("Only the RT chair or an officer of the resident can check this."))
    nik_codec.parse_nik(nik)
    matched = bool(resident.nik_digest) and hmac.compare_digest(
        nik_codec.nik_digest(nik), resident.nik_digest
    )
    NikCheck.objects.create(checker=checker, resident=resident, matched=matched)
    return matched


# Moves and deaths.

ONE_DAY = datetime.timedelta(days=1)
NOTE_MAX_LENGTH = ResidentStatusChange._meta.get_field("note").max_length

#: Roles that only hold while the person lives in the RT: they end when the resident leaves it.
RT_ROLES = (Role.RESIDENT, Role.POKMAS_MEMBER, Role.RT_CHAIR)


def _check_may_record_status(by: User, resident: Resident) -> None:
    # The rule itself, not by.has_perm: the superuser corrects the register in the admin.
    if not can(by, "rtkeren.record_resident_status", resident):
        raise PermissionDenied(
            _("Only the chair of the resident's RT or an officer of the kelurahan can record this.")
        )


def resident_status_change_check(
    *, resident: Resident, happened_on: datetime.date | None, note: str
) -> tuple[datetime.date, str]:
    """The date and the note of a move or a death, or a ValidationError (by field) saying what
    is wrong. The form calls this too, so its errors are the service's word for word."""
    errors: dict[str, list[str]] = {}
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError(
            _("This resident is already recorded as “%(status)s”.")
            % {"status": resident.get_status_display()},
            code="not_active",
        )
    if not resident.is_verified:
        raise ValidationError(
            _(
                "This registration has not been verified yet. Verify or reject it instead of "
                "recording a move or a death."
            ),
            code="not_verified",
        )
    if happened_on is None:
        errors["happened_on"] = [_("Enter the date.")]
    elif happened_on > timezone.localdate():
        errors["happened_on"] = [_("The date cannot be in the future.")]
    elif resident.birth_date and happened_on < resident.birth_date:
        errors["happened_on"] = [_("The date cannot be before the resident's birth.")]
    elif resident.status_changed_on and happened_on < resident.status_changed_on:
        errors["happened_on"] = [
            _("The date cannot be before the resident's last recorded move, on %(date)s.")
            % {"date": date_format(resident.status_changed_on, "j F Y")}
        ]
    note = " ".join((note or "").split())
    if not note:
        errors["note"] = [_("Write the reason or a note, so others know what happened.")]
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [
            _("Keep the note within %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    return happened_on, note


def _locked_resident(resident: Resident) -> Resident:
    """The resident reloaded and locked, so that two people recording at once record once."""
    return (
        Resident.objects.select_for_update(of=("self",))
        .select_related("rt__rw__kelurahan", "user")
        .get(pk=resident.pk)
    )


def _end_rt_roles(*, user: User | None, rt: RT, left_on: datetime.date, by: User) -> None:
    """End the account's roles in the RT the resident left: the last day they hold is the day
    before ``left_on``, or their first day when they started later (an assignment ends no
    earlier than it starts)."""
    if user is None:
        return
    last_day = left_on - ONE_DAY
    assignments = RoleAssignment.objects.filter(user=user, role__in=RT_ROLES, rt=rt).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=last_day)
    )
    for assignment in assignments:
        ends_on = max(last_day, assignment.starts_on)
        if assignment.ends_on is None or assignment.ends_on > ends_on:
            role_end(assignment=assignment, ends_on=ends_on, by=by)
    scopes.forget_assignments(user)


def _record(
    *,
    by: User,
    resident: Resident,
    kind: str,
    happened_on: datetime.date | None,
    note: str,
    to_rt: RT | None = None,
) -> Resident:
    # Checked on the locked row: the caller's copy may predate a move out of the user's reach.
    resident = _locked_resident(resident)
    _check_may_record_status(by, resident)
    happened_on, note = resident_status_change_check(
        resident=resident, happened_on=happened_on, note=note
    )
    if to_rt is not None and to_rt.pk == resident.rt_id:
        raise ValidationError(
            {"to_rt": _("Choose an RT other than the one the resident lives in now.")}
        )
    from_rt = resident.rt
    ResidentStatusChange.objects.create(
        resident=resident,
        kind=kind,
        happened_on=happened_on,
        from_rt=from_rt,
        to_rt=to_rt,
        note=note,
        recorded_by=by,
    )
    if kind == ResidentStatusChange.Kind.MOVED_WITHIN:
        resident.rt = to_rt
    elif kind == ResidentStatusChange.Kind.MOVED_AWAY:
        resident.status = Resident.Status.MOVED
    else:
        resident.status = Resident.Status.DECEASED
    resident.status_changed_on = happened_on
    resident._history_user = by
    resident._change_reason = f"{ResidentStatusChange.Kind(kind).label}: {note}"[:100]
    resident.save(update_fields=["rt", "status", "status_changed_on"])
    _end_rt_roles(user=resident.user, rt=from_rt, left_on=happened_on, by=by)
    base_resident_sync(resident=resident)
    if to_rt is not None:
        # The RT they left counts one resident fewer.
        residents_changed(kelurahan_ids=[from_rt.rw.kelurahan_id])
    return resident


@transaction.atomic
def resident_move(
    *,
    by: User,
    resident: Resident,
    happened_on: datetime.date | None,
    note: str,
    to_rt: RT | None = None,
) -> Resident:
    """Record that ``resident`` moved on ``happened_on``: out of the city when ``to_rt`` is None
    (their status becomes "moved"), otherwise to ``to_rt``, any other RT of the city, where they
    stay active.

    The account's roles in the RT they left end the day before (resident, Pokmas member, RT
    chair); the account itself stays open. After a move within the city, the chair of the new
    RT (or an officer of its kelurahan) confirms the account there, from the registrations
    list, before it votes or evaluates again. Participation already recorded stays with the RT
    where it happened."""
    return _record(
        by=by,
        resident=resident,
        kind=ResidentStatusChange.Kind.MOVED_WITHIN
        if to_rt is not None
        else ResidentStatusChange.Kind.MOVED_AWAY,
        happened_on=happened_on,
        note=note,
        to_rt=to_rt,
    )


@transaction.atomic
def resident_record_death(
    *, by: User, resident: Resident, happened_on: datetime.date | None, note: str
) -> Resident:
    """Record that ``resident`` died on ``happened_on``: their status becomes "deceased" and the
    account's roles in their RT end. An account that then holds no role at all is closed, so
    nobody logs in with it; one that still holds roles elsewhere is left to the administrator,
    since an RT chair may not end an officer's work."""
    resident = _record(
        by=by,
        resident=resident,
        kind=ResidentStatusChange.Kind.DIED,
        happened_on=happened_on,
        note=note,
    )
    account = resident.user
    if (
        account is not None
        and account.is_active
        and not account.is_staff
        and not account.is_superuser
        and not RoleAssignment.objects.current().filter(user=account).exists()
    ):
        account.is_active = False
        account.save(update_fields=["is_active"])
    return resident
