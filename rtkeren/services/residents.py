"""Writes to the resident register: create, update, and the audited reveal of a NIK."""

import datetime
import hmac

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rtkeren import nik as nik_codec
from rtkeren.models import NikCheck, NikReveal, Resident, User
from rtkeren.models.wilayah import RT
from rtkeren.phone import normalize_phone

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
    # The rule itself, not user.has_perm: a superuser is no officer and sees no NIK either.
    if not rules.has_perm("rtkeren.reveal_nik", officer, resident):
        raise PermissionDenied(_("Only an officer of the resident's kelurahan can see the NIK."))
    NikReveal.objects.create(officer=officer, resident=resident, reason=reason.strip()[:255])
    return resident.reveal_nik()


@transaction.atomic
def nik_check(*, checker: User, resident: Resident, nik: str) -> bool:
    """Whether ``nik``, typed from the registrant's KTP, is the NIK they registered with. The
    answer is yes or no and nothing more; each check is recorded as a NikCheck."""
    if not rules.has_perm("rtkeren.verify_resident", checker, resident):
        raise PermissionDenied(_("Only the RT chair or an officer of the resident can check this."))
    nik_codec.parse_nik(nik)
    matched = bool(resident.nik_digest) and hmac.compare_digest(
        nik_codec.nik_digest(nik), resident.nik_digest
    )
    NikCheck.objects.create(checker=checker, resident=resident, matched=matched)
    return matched
