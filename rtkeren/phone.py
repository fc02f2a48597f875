"""Phone numbers as residents type them ("0812-3456-7890"), stored in E.164 ("+6281234567890")."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "ID"


def normalize_phone(value: str, *, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, "" for an empty value, or a ValidationError in plain language.

    Numbers without a country code are read as Indonesian, the way people write them locally.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("This is not a phone number. Write it as 0812-3456-7890 or +6281234567890."),
            code="phone_invalid",
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This phone number does not exist. Check the digits, e.g. 0812-3456-7890."),
            code="phone_invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked_phone(number: str) -> str:
    """A stored number with only its country code, the operator's prefix and the last two
    digits shown: "+6281234567890" -> "+62 812••••••90". Enough to tell two of a resident's
    numbers apart, not to call them."""
    text = str(number or "")
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return "•••" if text else ""
    national = str(parsed.national_number)
    if len(national) < 7:
        return f"+{parsed.country_code} •••"
    return f"+{parsed.country_code} {national[:3]}{'•' * (len(national) - 5)}{national[-2:]}"
