"""Consent, correction and deletion requests: the resident's rights under UU 27/2022."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rtkeren.models import (
    PHONE_CHANNELS,
    Consent,
    DeletionRequest,
    ExportAudit,
    Kelurahan,
    NotificationKind,
    OutboundMessage,
    Resident,
    ResidentInterest,
    Role,
    User,
)
from rtkeren.models.notifications import CONSENT_WITHDRAWN
from rtkeren.permissions import can
from rtkeren.selectors.accounts import role_holders
from rtkeren.services.base import base_resident_sync
from rtkeren.services.notifications import notification_send

CORRECTION_MAX_LENGTH = 500


def _save_resident(resident: Resident, by: User, fields: list[str]) -> None:
    resident._history_user = by
    resident.save(update_fields=fields)


@transaction.atomic
def consent_give(*, resident: Resident, purpose: str, by: User) -> Consent:
    """Record consent with the text shown now; a consent already in force is returned as is."""
    current = Consent.objects.in_force().filter(resident=resident, purpose=purpose).first()
    if current is not None:
        return current
    consent = Consent(
        resident=resident,
        purpose=purpose,
        text=str(Consent.TEXTS.get(purpose, "")),
        recorded_by=by,
    )
    consent._history_user = by
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, resident: Resident, purpose: str, by: User) -> Consent | None:
    """End the consent and remove the data it covered, in the same transaction.

    The data goes even when the consent predates these records (a phone number from an import),
    since withdrawing is what the resident asked for. Withdrawing WhatsApp or SMS keeps the
    phone number (the RT chair still needs it) and cancels the messages of that channel not yet
    sent; withdrawing the phone number cancels those of both channels.
    """
    if purpose not in Consent.Purpose.values:
        raise ValidationError(_("Unknown consent purpose."))
    now = timezone.now()
    consent = (
        Consent.objects.select_for_update()
        .in_force()
        .filter(resident=resident, purpose=purpose)
        .first()
    )
    if consent is not None:
        consent.withdrawn_at = max(now, consent.given_at)
        consent.withdrawn_by = by
        consent._history_user = by
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    if purpose == Consent.Purpose.RELIGION and resident.religion:
        resident.religion = ""
        resident.religion_consent_at = None
        _save_resident(resident, by, ["religion", "religion_consent_at"])
    elif purpose == Consent.Purpose.PHONE and resident.phone:
        resident.phone = ""
        _save_resident(resident, by, ["phone"])
    if purpose in PHONE_CHANNELS or purpose == Consent.Purpose.PHONE:
        _unsent_messages_cancel(
            resident=resident,
            channels=PHONE_CHANNELS if purpose == Consent.Purpose.PHONE else [purpose],
            now=now,
        )
    # Photos and public names: nothing uses them without a consent in force, so the record
    # changing is the whole effect.
    return consent


def _unsent_messages_cancel(*, resident: Resident, channels, now) -> int:
    """Stop the resident's messages on ``channels`` that wait to be sent or for the daily
    digest: from the moment consent ends nothing more goes (the sender checks again too)."""
    if resident.user_id is None:
        return 0
    return OutboundMessage.objects.filter(
        user_id=resident.user_id,
        channel__in=channels,
        status__in=[OutboundMessage.Status.QUEUED, OutboundMessage.Status.HELD],
    ).update(status=OutboundMessage.Status.CANCELLED, last_error=CONSENT_WITHDRAWN, updated_at=now)


def _rt_chairs(resident: Resident) -> list[User]:
    return role_holders(Role.RT_CHAIR, rt_id=resident.rt_id)


def _officers(resident: Resident) -> list[User]:
    return role_holders(Role.OFFICER, kelurahan_id=resident.rt.rw.kelurahan_id)


@transaction.atomic
def correction_request(*, resident: Resident, text: str, by: User) -> list:
    """Send the resident's correction to their RT chair(s), or to the kelurahan officers when the
    RT has no chair, who change the register through the usual forms."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what should be corrected.")})
    if len(text) > CORRECTION_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Keep it under %(count)d characters.") % {"count": CORRECTION_MAX_LENGTH}}
        )
    recipients = _rt_chairs(resident) or _officers(resident)
    if not recipients:
        raise ValidationError(_("Nobody can receive the request yet. Contact the kelurahan."))
    name = resident.name
    return notification_send(
        kind=NotificationKind.ACCOUNT,
        recipients=recipients,
        message=lambda: (
            _("%(name)s asks to correct their register data: %(text)s")
            % {"name": name, "text": text}
        ),
        url=reverse("resident-detail", args=[resident.pk]),
        subject=resident,
    )


@transaction.atomic
def deletion_request_create(*, resident: Resident, reason: str, by: User) -> DeletionRequest:
    if DeletionRequest.objects.filter(
        resident=resident, status=DeletionRequest.Status.OPEN
    ).exists():
        raise ValidationError(_("Your deletion request is already waiting for the kelurahan."))
    request = DeletionRequest(resident=resident, reason=reason.strip())
    request._history_user = by
    request.full_clean()
    request.save()
    notification_send(
        kind=NotificationKind.ACCOUNT,
        recipients=_officers(resident),
        message=gettext_lazy("A resident asks for their data to be deleted."),
        url=reverse("deletion-request-list"),
        subject=request,
    )
    return request


@transaction.atomic
def deletion_request_complete(*, request: DeletionRequest, by: User) -> Resident:
    """Anonymise the resident: the name becomes a placeholder; the NIK (encrypted and hashed),
    the birth date, the optional and contact data go; the account is unlinked and deactivated.
    Participation rows stay, so closed scorecards do not change. Past history rows are scrubbed
    too, or the old values would outlive the deletion."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if not can(by, "rtkeren.complete_deletion_request", request.resident):
        raise PermissionDenied(_("Only an officer of the resident's kelurahan can do this."))
    if request.status != DeletionRequest.Status.OPEN:
        raise ValidationError(_("This request has already been completed."))
    resident = Resident.objects.select_related("user").get(pk=request.resident_id)
    account = resident.user
    placeholder = f"Warga terhapus #{resident.pk}"
    cleared = {
        "address": "",
        "phone": "",
        "registration_phone": "",
        "occupation": "",
        "religion": "",
        "religion_consent_at": None,
        "kk_number": "",
        "nik_digest": "",
        "birth_date": None,
    }
    resident.history.filter(id=resident.pk).update(name=placeholder, user=None, **cleared)
    ResidentInterest.objects.filter(resident=resident).delete()
    now = timezone.now()
    Consent.objects.in_force().filter(resident=resident).update(withdrawn_at=now, withdrawn_by=by)
    resident.name = placeholder
    for field, value in cleared.items():
        setattr(resident, field, value)
    resident.nik_ciphertext = ""
    resident.user = None
    resident._history_user = by
    resident._change_reason = "anonymised on request"
    resident.save()
    base_resident_sync(resident=resident)
    if account is not None:
        account.is_active = False
        account.first_name = account.last_name = account.email = ""
        account.save(update_fields=["is_active", "first_name", "last_name", "email"])
    request.status = DeletionRequest.Status.COMPLETED
    request.completed_by = by
    request.completed_at = now
    request._history_user = by
    request.save(update_fields=["status", "completed_by", "completed_at"])
    return resident


OWN_DATA_PAGE = "data-saya"
OWN_DATA_FILE = "data-saya-json"


def own_data_download_record(
    *, user: User, form: str, sections: list, kelurahan: Kelurahan | None = None
) -> ExportAudit:
    """Record that ``user`` took their own data away (``form``: the printable page or the JSON
    file), in the export audit beside the spreadsheets. It says who, when and how many records,
    and nothing of what they hold."""
    titles = {
        OWN_DATA_PAGE: _("My data: printable page"),
        OWN_DATA_FILE: _("My data: JSON file"),
    }
    audit = ExportAudit(
        user=user,
        export=form,
        title=str(titles[form])[:150],
        kelurahan=kelurahan,
        scope=str(_("Own data"))[:150],
        row_count=sum(len(section.rows) for section in sections),
    )
    audit.full_clean()
    with transaction.atomic():
        audit.save()
    return audit
