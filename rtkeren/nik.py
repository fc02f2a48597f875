"""NIK (Nomor Induk Kependudukan): validation, encryption at rest and keyed hashing.

A NIK is 16 digits: province (2), kota/kabupaten (2), kecamatan (2), birth date as DDMMYY with 40
added to the day for women, and a serial (4) that is never 0000. Since the kecamatan and the
birth date are shown elsewhere, any visible digit helps rebuild the whole NIK: it is shown in full
(to those who may see it) or not at all, never partly masked.
"""

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36",
        "51", "52", "53",
        "61", "62", "63", "64", "65",
        "71", "72", "73", "74", "75", "76",
        "81", "82",
        "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip
# ASCII only: ``\d`` would also accept other scripts' digits, whose keyed hash differs from the
# same NIK typed in 0-9 and would slip past the uniqueness check.
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class NikFacts:
    province_code: str
    region_code: str
    birth_date: datetime.date
    sex: str
    serial: str


def normalize_nik(value: str) -> str:
    """Drop the spaces, dots and dashes people type between groups of digits."""
    return re.sub(r"[\s.\-]", "", str(value or ""))


def parse_nik(value: str, *, today: datetime.date | None = None) -> NikFacts:
    """The facts a NIK encodes, or a ValidationError in plain Indonesian saying what is wrong."""
    nik = normalize_nik(value)
    if nik and not _DIGITS.fullmatch(nik):
        raise ValidationError(_("A NIK contains only the digits 0-9."), code="nik_digits")
    if len(nik) != 16:
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_length")
    if nik[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits of the NIK are not a known province code."),
            code="nik_province",
        )
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if 41 <= day <= 71:
        day -= 40
        sex = "P"
    elif not 1 <= day <= 31:
        raise ValidationError(
            _("Digits 7 and 8 of the NIK must be a birth day (01-31, or 41-71 for women)."),
            code="nik_day",
        )
    if not 1 <= month <= 12:
        raise ValidationError(
            _("Digits 9 and 10 of the NIK must be a birth month (01-12)."), code="nik_month"
        )
    today = today or timezone.localdate()
    birth_date = None
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            birth_date = candidate
            break
    if birth_date is None:
        raise ValidationError(
            _("The birth date in the NIK is not a real date."), code="nik_birth_date"
        )
    if nik[12:] == "0000":
        raise ValidationError(
            _("The last four digits of the NIK cannot be 0000."), code="nik_serial"
        )
    return NikFacts(
        province_code=nik[:2], region_code=nik[:6], birth_date=birth_date, sex=sex, serial=nik[12:]
    )


def validate_nik(value: str) -> None:
    parse_nik(value)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "NIK_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from error


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.NIK_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("NIK_ENCRYPTION_KEYS is empty.")
    return keys


def cipher() -> MultiFernet:
    """The NIK keys' cipher, for other personal data kept encrypted at rest (import files)."""
    return _fernet(_keys())


def encrypt_nik(nik: str) -> str:
    """Encrypt with the first key; older keys in NIK_ENCRYPTION_KEYS still decrypt (rotation)."""
    return _fernet(_keys()).encrypt(normalize_nik(nik).encode()).decode()


def decrypt_nik(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured("A NIK cannot be decrypted with NIK_ENCRYPTION_KEYS.") from error


def nik_digest(nik: str) -> str:
    """A keyed hash: equal NIKs give equal digests, and without the key nothing can be guessed."""
    key = settings.NIK_HASH_KEY.encode()
    return hmac.new(key, normalize_nik(nik).encode(), hashlib.sha256).hexdigest()
