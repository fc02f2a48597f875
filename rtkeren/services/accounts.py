"""Accounts: self-registration, the RT chair's verification, one-time codes and the profile.

A registration either claims a register entry (same NIK, name and birth date, unclaimed, in the
chosen RT) or adds a pending resident. Both look the same to the person registering: what tells
them apart is in the register, and the register is not theirs to probe. An account is *confirmed*
when it holds the resident role for its RT; only the RT chair's (or officer's) verification
creates that role, so a claim gives no rights until a person who knows the resident says yes.
"""

import datetime
import logging
import secrets
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rtkeren import nik as nik_codec
from rtkeren.auth_backends import looks_like_phone, normalize_email, users_for_login
from rtkeren.models import (
    PASSWORD_CODE_MAX_ATTEMPTS,
    RT,
    Interest,
    NotificationKind,
    PasswordCode,
    Resident,
    ResidentInterest,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.models.people import adult_born_on_or_before
from rtkeren.permissions import can
from rtkeren.phone import normalize_phone
from rtkeren.registry import residents_changed
from rtkeren.selectors.accounts import code_eligible_accounts
from rtkeren.selectors.residents import is_confirmed_as
from rtkeren.services.base import base_resident_sync
from rtkeren.services.messages import message_queue
from rtkeren.services.notifications import notification_send
from rtkeren.services.roles import role_assign
from rtkeren.tasks import password_code_phone_send, password_reset_email_send

SIGN_IN_DETAILS_CHANGED = gettext_lazy(
    "The e-mail address or phone number of your account was changed. If you did not change "
    "it, tell your RT chair or the kelurahan at once."
)
REGISTRATION_ACCEPTED = gettext_lazy(
    "Registration received. The RT chair will verify your account."
)
PASSWORD_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely
PASSWORD_CODE_LENGTH = 8
PASSWORD_CODE_VALIDITY = datetime.timedelta(hours=48)
#: A code sent to the person's own phone is typed at once: it need not live long.
PASSWORD_CODE_PHONE_VALIDITY = datetime.timedelta(minutes=15)
#: The approved WhatsApp authentication template; {{1}} is the code.
PASSWORD_CODE_TEMPLATE = "rtkeren_kode_sandi"
PASSWORD_CODE_CHANNELS = ("whatsapp", "sms")

#: Requests for codes and every try to redeem one, for whoever investigates a taken-over
#: account. Never the code itself, and phone numbers only by their last digits.
security_log = logging.getLogger("rtkeren.security")


def same_name(first: str, second: str) -> bool:
    """Names as people type them: "siti  AMINAH" is "Siti Aminah"."""
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def is_confirmed(user: User, resident: Resident) -> bool:
    """The account is confirmed as ``resident``: it holds the resident role for the resident's
    RT, given at verification."""
    return is_confirmed_as(user, resident)


# Registration.


def _registration_errors(
    *, username: str, nik: str, birth_date: datetime.date, phone: str, password: str, name: str
) -> tuple[dict[str, list], str]:
    """Everything wrong with a registration, by field, and the phone in E.164.

    Nothing here looks at the register's entries, so no answer says whether a NIK is in it, nor
    whether a phone number is in use (that waits for the chair, see ``resident_verify``).
    """
    errors: dict[str, list] = {}
    if not name.strip():
        errors["name"] = [_("Enter your name as it is written on your KTP.")]
    if not username:
        errors["username"] = [_("Choose a username.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is already taken. Choose another one.")]
    elif looks_like_phone(username):
        errors["username"] = [
            _("A username cannot be a phone number. You can log in with your phone anyway.")
        ]
    else:
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError as error:
            errors["username"] = error.messages
    try:
        facts = nik_codec.parse_nik(nik)
    except ValidationError as error:
        errors["nik"] = error.messages
        facts = None
    if facts is not None and facts.birth_date != birth_date:
        errors["birth_date"] = [
            _("The birth date is not the one in your NIK. Check both against your KTP.")
        ]
    if birth_date > adult_born_on_or_before(timezone.localdate()):
        errors["birth_date"] = [
            _("Only residents aged 17 or more can register. Ask your RT chair for help.")
        ]
    try:
        phone = normalize_phone(phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    try:
        validate_password(password, User(username=username, first_name=name))
    except ValidationError as error:
        errors["password"] = error.messages
    return errors, phone


def _claimable(*, nik: str, name: str, birth_date: datetime.date, rt: RT) -> Resident | None:
    candidates = (
        Resident.objects.with_nik(nik)
        .verified()
        .active()
        .select_for_update()
        .filter(rt=rt, birth_date=birth_date, user__isnull=True)
    )
    return next((entry for entry in candidates if same_name(entry.name, name)), None)


@transaction.atomic
def registration_submit(
    *,
    username: str,
    name: str,
    nik: str,
    birth_date: datetime.date,
    rt: RT,
    password: str,
    phone: str = "",
) -> User:
    """Create the account, claiming the matching register entry or adding a pending resident.

    Raises a ValidationError by field (nothing written) when anything is wrong.
    """
    username = username.strip()
    name = " ".join(name.split())
    errors, phone = _registration_errors(
        username=username, nik=nik, birth_date=birth_date, phone=phone, password=password, name=name
    )
    if errors:
        raise ValidationError(errors)

    user = User(username=username, first_name=name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError(
            {"username": _("This username is already taken. Choose another one.")}
        ) from error

    # The phone typed is held aside until the chair verifies the person: copied to the register
    # then, unless another account uses it. Whether it is in use is never told here.
    resident = _claimable(nik=nik, name=name, birth_date=birth_date, rt=rt)
    if resident is not None:
        resident.user = user
        resident.registration_phone = phone
        resident.save(update_fields=["user", "registration_phone"])
        return user

    # Not through resident_create: it refuses a NIK that a verified resident holds, and saying
    # so here would tell anyone whether a NIK is in the register. The chair sees the clash.
    resident = Resident(
        name=name,
        sex=nik_codec.parse_nik(nik).sex,
        birth_date=birth_date,
        rt=rt,
        registration_phone=phone,
        verification=Resident.Verification.PENDING,
        user=user,
    )
    resident.set_nik(nik)
    resident.full_clean(validate_constraints=False)
    resident.save()
    return user


# Verification.


def _check_may_verify(by: User, resident: Resident) -> None:
    if not can(by, "rtkeren.verify_resident", resident):
        raise PermissionDenied(
            _("Only the chair of the resident's RT or an officer of the kelurahan can do this.")
        )


def _awaiting(resident: Resident) -> bool:
    if resident.verification == Resident.Verification.PENDING:
        return True
    return (
        resident.is_verified
        and resident.user_id is not None
        and resident.status == Resident.Status.ACTIVE
        and not RoleAssignment.objects.current()
        .filter(user_id=resident.user_id, role=Role.RESIDENT, rt_id=resident.rt_id)
        .exists()
    )


def _locked(resident: Resident) -> Resident:
    """The resident reloaded and locked, so two chairs deciding at once decide once."""
    return (
        Resident.objects.select_for_update(of=("self",)).select_related("user").get(pk=resident.pk)
    )


def _nik_taken(resident: Resident) -> bool:
    return (
        Resident.objects.verified()
        .filter(nik_digest=resident.nik_digest)
        .exclude(pk=resident.pk)
        .exists()
    )


NIK_TAKEN = gettext_lazy("This NIK is already registered to another resident.")


def _phone_used_by_another_account(resident: Resident) -> bool:
    """The phone given at registration is another account's (it logs in with it)."""
    held = resident.registration_phone
    return (
        bool(held)
        and Resident.objects.filter(phone=held, user__isnull=False).exclude(pk=resident.pk).exists()
    )


def _take_registration_phone(resident: Resident, by: User) -> None:
    """Copy the phone given at registration to the register, where the entry has none and no
    other account uses it; either way it is no longer held."""
    held = resident.registration_phone
    if not held:
        return
    if not resident.phone and not _phone_used_by_another_account(resident):
        resident.phone = held
    resident.registration_phone = ""
    resident._history_user = by
    resident.save(update_fields=["phone", "registration_phone"])


@transaction.atomic
def resident_verify(*, resident: Resident, by: User) -> Resident:
    """Confirm a registration: the resident becomes verified and their account gets the resident
    role for the RT, which is what lets them vote and evaluate. The phone given at registration
    enters the register now, unless the entry has one or another account uses it (the chair
    sees that on the list beforehand)."""
    _check_may_verify(by, resident)
    resident = _locked(resident)
    if not _awaiting(resident):
        raise ValidationError(_("This registration has already been decided."))
    if not resident.is_verified:
        if _nik_taken(resident):
            raise ValidationError(
                _(
                    "%(problem)s Check the KTP: reject this registration, or correct the other "
                    "resident's data first."
                )
                % {"problem": NIK_TAKEN}
            )
        resident.verification = Resident.Verification.VERIFIED
        resident.verified_at = timezone.now()
        resident.verified_by = by
        resident.rejection_reason = ""
        resident._history_user = by
        try:
            with transaction.atomic():
                resident.save(
                    update_fields=["verification", "verified_at", "verified_by", "rejection_reason"]
                )
        except IntegrityError as error:
            raise ValidationError(str(NIK_TAKEN)) from error
        base_resident_sync(resident=resident)

    user = resident.user
    if user is not None:
        _take_registration_phone(resident, by)
        if not (
            RoleAssignment.objects.current()
            .filter(user=user, role=Role.RESIDENT, rt_id=resident.rt_id)
            .exists()
        ):
            role_assign(
                user=user, role=Role.RESIDENT, scope=resident.rt, by=by, note=_("Verified account")
            )
        transaction.on_commit(
            lambda: notification_send(
                kind=NotificationKind.ACCOUNT,
                recipients=[user],
                message=gettext_lazy(
                    "Your account has been verified. You can now vote on and evaluate "
                    "activities of your RT."
                ),
                url=reverse("account-profile"),
                subject=resident,
            )
        )
    return resident


@transaction.atomic
def resident_reject(*, resident: Resident, by: User, reason: str) -> Resident:
    """Turn a registration down, with a reason the person is told.

    The account is detached from the resident: a claimed register entry stays as it was, and a
    pending entry is kept as rejected for the record.
    """
    _check_may_verify(by, resident)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Write the reason, so the person knows what to fix.")})
    limit = Resident._meta.get_field("rejection_reason").max_length
    if len(reason) > limit:
        raise ValidationError(
            {"reason": _("Keep the reason under %(limit)d characters.") % {"limit": limit}}
        )
    resident = _locked(resident)
    if not _awaiting(resident):
        raise ValidationError(_("This registration has already been decided."))
    user = resident.user
    resident.user = None
    resident.registration_phone = ""
    resident._history_user = by
    if resident.is_verified:
        resident.save(update_fields=["user", "registration_phone"])
    else:
        resident.verification = Resident.Verification.REJECTED
        resident.rejection_reason = reason
        resident.save(
            update_fields=["user", "registration_phone", "verification", "rejection_reason"]
        )
        base_resident_sync(resident=resident)
    if user is not None:
        transaction.on_commit(
            lambda: notification_send(
                kind=NotificationKind.ACCOUNT,
                recipients=[user],
                message=lambda: (
                    _("Your registration was not accepted by the RT chair. Reason: %(reason)s")
                    % {"reason": reason}
                ),
                url=reverse("account-profile"),
            )
        )
    return resident


# One-time codes.


def _normalize_code(code: str) -> str:
    return "".join(char for char in (code or "").upper() if char.isalnum())


def format_code(code: str) -> str:
    """Two groups of four, easier to read aloud and to type: "K7PM XR3A"."""
    return f"{code[:4]} {code[4:]}"


CODE_ONLY_FOR_RESIDENTS = gettext_lazy(
    "One-time codes are only for accounts whose only role is resident. This account holds "
    "another role or is an administrator's: its owner resets the password by e-mail, or an "
    "administrator does it."
)


def _may_get_a_code(user: User) -> bool:
    return code_eligible_accounts().filter(pk=user.pk).exists()


def _code_create(
    *,
    user: User,
    validity: datetime.timedelta,
    issued_by: User | None = None,
    channel: str = "",
    sent_to: str = "",
) -> tuple[str, PasswordCode]:
    """A new code for ``user``, voiding any open one (one open code per account). Returns the
    code in clear, which is not stored, and its row."""
    now = timezone.now()
    PasswordCode.objects.filter(user=user).open().update(voided_at=now)
    code = "".join(secrets.choice(PASSWORD_CODE_ALPHABET) for _i in range(PASSWORD_CODE_LENGTH))
    stored = PasswordCode.objects.create(
        user=user,
        code_hash=make_password(code),
        issued_by=issued_by,
        created_at=now,
        expires_at=now + validity,
        channel=channel,
        sent_to=sent_to,
    )
    return code, stored


def masked_phone(phone: str) -> str:
    """A number as the audit log shows it: enough to match it with a person's own, no more."""
    return f"…{phone[-4:]}" if phone else "-"


@transaction.atomic
def password_code_issue(*, resident: Resident, by: User) -> str:
    """A new one-time code for the resident's account (the earlier one stops working).

    Only an account whose sole role is resident gets one, and its owner is told at once, so a
    code cannot quietly open a chair's, an officer's or an admin's account. The code's row
    records who issued it and when. Returns the code in clear: the only time anyone sees it.
    """
    if not can(by, "rtkeren.issue_password_code", resident):
        raise PermissionDenied(
            _("Only the chair of the resident's RT or an officer of the kelurahan can do this.")
        )
    if not resident.is_verified or resident.user_id is None:
        raise ValidationError(_("Codes are only for verified residents who have an account."))
    user = User.objects.select_for_update().get(pk=resident.user_id)
    if not user.is_active:
        raise ValidationError(_("This account is switched off. Ask an administrator."))
    if not _may_get_a_code(user):
        raise ValidationError(str(CODE_ONLY_FOR_RESIDENTS))
    code, _stored = _code_create(user=user, validity=PASSWORD_CODE_VALIDITY, issued_by=by)
    security_log.info("Password code issued: account %s, by account %s.", user.pk, by.pk)
    issuer = by.get_full_name() or by.username
    # In the same transaction as the code: no code exists that its owner was not told about.
    notification_send(
        kind=NotificationKind.ACCOUNT,
        recipients=[user],
        message=lambda: (
            _(
                "%(issuer)s gave out a one-time code to set a new password for your account. "
                "If you did not ask for it, tell your RT chair or the kelurahan office at once."
            )
            % {"issuer": issuer}
        ),
        url=reverse("account-profile"),
        subject=resident,
        security_notice=True,
    )
    return code


WRONG_CODE = gettext_lazy(
    "The code does not match, or it is no longer valid. Check the username or phone number and "
    "the code, or ask your RT chair for a new code."
)


def password_code_redeem(*, login: str, code: str, new_password: str, source: str = "") -> User:
    """Set a new password with a one-time code, given by the RT chair or sent to the person's
    phone. Each wrong code counts against the open code; after PASSWORD_CODE_MAX_ATTEMPTS of
    them it is void. A code of an account that holds more than the resident role by now does
    not work. ``source`` (the client's address) goes to the audit log with the outcome."""
    code = _normalize_code(code)
    compared = False
    with transaction.atomic():
        accounts = users_for_login(login)
        # An account that took on another role since its code was issued resets otherwise.
        eligible = set(
            code_eligible_accounts()
            .filter(pk__in=[user.pk for user in accounts])
            .values_list("pk", flat=True)
        )
        now = timezone.now()
        for user in accounts:
            if user.pk not in eligible:
                continue
            open_code = PasswordCode.objects.open().select_for_update().filter(user=user).first()
            if open_code is None:
                continue
            if open_code.expires_at <= now:
                _redeem_logged("expired code", open_code, source)
                continue
            compared = True
            # check_password compares in constant time.
            if check_password(code, open_code.code_hash):
                try:
                    validate_password(new_password, user)
                except ValidationError as error:
                    _redeem_logged("right code, new password refused", open_code, source)
                    raise ValidationError({"new_password": error.messages}) from error
                user.set_password(new_password)
                user.save(update_fields=["password"])
                open_code.used_at = now
                open_code.save(update_fields=["used_at"])
                _redeem_logged("password set", open_code, source)
                return user
            open_code.failed_attempts = F("failed_attempts") + 1
            open_code.save(update_fields=["failed_attempts"])
            open_code.refresh_from_db(fields=["failed_attempts"])
            if open_code.failed_attempts >= PASSWORD_CODE_MAX_ATTEMPTS:
                open_code.voided_at = now
                open_code.save(update_fields=["voided_at"])
                _redeem_logged("wrong code, too many tries: code voided", open_code, source)
            else:
                _redeem_logged("wrong code", open_code, source)
    if not compared:
        # Hash anyway, so the time taken does not say whether the login has a code.
        make_password(code)
        security_log.info(
            "Password code redeem: no usable code for %s (from %s).",
            "a phone number" if looks_like_phone(login) else "this login",
            source or "-",
        )
    raise ValidationError(str(WRONG_CODE), code="wrong_code")


def _redeem_logged(outcome: str, stored: PasswordCode, source: str) -> None:
    security_log.info(
        "Password code redeem: %s. Account %s, code %s (%s), %s of %s wrong tries, from %s.",
        outcome,
        stored.user_id,
        stored.pk,
        stored.channel or "from a chair",
        stored.failed_attempts,
        PASSWORD_CODE_MAX_ATTEMPTS,
        source or "-",
    )


# One-time codes sent to the person's own phone.


def password_code_phone_request(*, phone: str, channel: str, source: str = "") -> None:
    """Queue a code to the phone number ``phone`` (E.164) by ``channel``. The worker looks the
    number up and sends; the request neither reads the accounts nor waits for the provider,
    so its answer and its time are the same whether an account has this number or not."""
    if channel not in PASSWORD_CODE_CHANNELS:
        raise ValidationError(_("Choose WhatsApp or SMS."))
    security_log.info(
        "Password code asked for by %s to %s, from %s.", channel, masked_phone(phone), source or "-"
    )
    password_code_phone_send.enqueue(phone, channel)


def phone_code_text(code: str) -> str:
    """The SMS (and the plain text of the WhatsApp message) that carries a code."""
    return _(
        "RT Keren: your code for a new password is %(code)s. It is valid for %(minutes)d "
        "minutes. Never give this code to anyone."
    ) % {
        "code": format_code(code),
        "minutes": int(PASSWORD_CODE_PHONE_VALIDITY.total_seconds() // 60),
    }


@transaction.atomic
def password_code_send_to_phone(*, phone: str, channel: str) -> int:
    """Send a new one-time code to each account whose verified resident has the number
    ``phone`` (one, as a rule) and which a code may reset; the earlier code stops working.
    Its owner is told in the portal too, so an unwanted reset is noticed. Returns how many
    codes went (0 for a number no such account has: nobody is told that)."""
    users = list(
        code_eligible_accounts()
        .filter(
            resident__phone=phone,
            resident__verification=Resident.Verification.VERIFIED,
            resident__status=Resident.Status.ACTIVE,
        )
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not phone or not users:
        security_log.info(
            "Password code by %s to %s: no account, none sent.", channel, masked_phone(phone)
        )
        return 0
    channel_name = dict(PasswordCode._meta.get_field("channel").choices)[channel]
    for user in users:
        code, stored = _code_create(
            user=user, validity=PASSWORD_CODE_PHONE_VALIDITY, channel=channel, sent_to=phone
        )
        with translation.override(user.language or settings.LANGUAGE_CODE):
            text = phone_code_text(code)
        message_queue(
            user=user,
            channel=channel,
            kind=NotificationKind.ACCOUNT,
            address=phone,
            text=text,
            template=PASSWORD_CODE_TEMPLATE,
            parameters=[code],
            urgent=True,
        )
        notification_send(
            kind=NotificationKind.ACCOUNT,
            recipients=[user],
            message=lambda: (
                _(
                    "A one-time code to set a new password for your account was sent by "
                    "%(channel)s to your phone number ending in %(digits)s. If you did not ask "
                    "for it, tell your RT chair or the kelurahan office at once."
                )
                % {"channel": channel_name, "digits": phone[-4:]}
            ),
            url=reverse("account-profile"),
            security_notice=True,
        )
        security_log.info(
            "Password code %s sent by %s to %s for account %s.",
            stored.pk,
            channel,
            masked_phone(phone),
            user.pk,
        )
    return len(users)


# Password reset by e-mail.


def password_reset_request(*, email: str) -> None:
    """Queue the e-mail with a link to choose a new password. The worker looks the address up
    and sends; the request neither reads the accounts nor waits for the mail server, so its
    answer and its time are the same whether an account has this address or not."""
    password_reset_email_send.enqueue(normalize_email(email))


# Profile.


@transaction.atomic
def profile_update(
    *,
    user: User,
    email: str,
    language: str,
    email_notifications: bool | None = None,
    phone: str | None = None,
    interests: Mapping[str, Iterable[Interest]] | None = None,
    current_password: str = "",
) -> User:
    """Change what a person keeps about themself. ``phone`` and ``interests`` live on the
    resident and are changed only for a confirmed account (None leaves them as they are).

    The e-mail address and the phone number reset and sign in to the account, so changing
    either needs the current password (someone at a phone left signed in cannot make the
    account theirs), and the owner is told, at the old address too."""
    previous_email = user.email
    new_email = (email or "").strip()
    resident = None
    if phone is not None or interests is not None:
        resident = Resident.objects.select_for_update().filter(user=user).first()
        if resident is None or not is_confirmed(user, resident):
            raise PermissionDenied(_("Your account has not been verified yet."))
    if phone is not None:
        try:
            phone = normalize_phone(phone)
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from error
    email_changed = new_email != previous_email
    phone_changed = phone is not None and phone != resident.phone
    if (email_changed or phone_changed) and not user.check_password(current_password or ""):
        raise ValidationError(
            {
                "current_password": _(
                    "Type your current password to change your e-mail address or phone number."
                )
            }
        )
    user.email = new_email
    user.language = language
    if email_notifications is not None:
        user.email_notifications = email_notifications
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email", "language", "email_notifications"])

    if phone_changed:
        if phone and User.objects.filter(resident__phone=phone).exclude(pk=user.pk).exists():
            raise ValidationError(
                {"phone": _("This phone number already belongs to another account.")}
            )
        resident.phone = phone
        resident._history_user = user
        resident.save(update_fields=["phone"])
    if email_changed or phone_changed:
        notification_send(
            kind=NotificationKind.ACCOUNT,
            recipients=[user],
            message=SIGN_IN_DETAILS_CHANGED,
            url=reverse("account-profile"),
            security_notice=True,
            previous_email=previous_email if email_changed else "",
        )
    if interests is not None:
        wanted = {(kind, interest.pk) for kind, chosen in interests.items() for interest in chosen}
        links = list(resident.interest_links.all())
        stale = [link.pk for link in links if (link.kind, link.interest_id) not in wanted]
        ResidentInterest.objects.filter(pk__in=stale).delete()
        have = {(link.kind, link.interest_id) for link in links}
        ResidentInterest.objects.bulk_create(
            ResidentInterest(resident=resident, interest_id=interest_id, kind=kind)
            for kind, interest_id in sorted(wanted - have)
        )
        residents_changed(resident_ids=[resident.pk])
    return user
