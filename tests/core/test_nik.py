import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError

from rtkeren import nik as nik_codec
from rtkeren.nik import decrypt_nik, encrypt_nik, nik_digest, parse_nik

TODAY = datetime.date(2026, 5, 1)


def codes_of(value, today=TODAY):
    with pytest.raises(ValidationError) as caught:
        parse_nik(value, today=today)
    return [error.code for error in caught.value.error_list]


# The examples of the reference data.


def test_valid_male_nik():
    facts = parse_nik("3572021708900001", today=TODAY)
    assert facts.birth_date == datetime.date(1990, 8, 17)
    assert facts.sex == "L"
    assert facts.province_code == "35"
    assert facts.region_code == "357202"
    assert facts.serial == "0001"


def test_valid_female_nik_adds_forty_to_the_day():
    facts = parse_nik("3572025708900001", today=TODAY)
    assert facts.birth_date == datetime.date(1990, 8, 17)
    assert facts.sex == "P"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("357202170890000", "nik_length"),
        ("3572029908900001", "nik_day"),
        ("3572021713900001", "nik_month"),
        ("3572021708900000", "nik_serial"),
        ("0072021708900001", "nik_province"),
    ],
)
def test_invalid_examples(value, code):
    assert codes_of(value) == [code]


# Our own cases.


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "nik_length"),
        ("35720217089000011", "nik_length"),
        ("3572023102900001", "nik_birth_date"),  # 31 February
        ("3572027102900001", "nik_birth_date"),  # 31 February, woman
        ("3572020008900001", "nik_day"),
        ("3572023208900001", "nik_day"),
        ("3572024008900001", "nik_day"),
        ("3572027208900001", "nik_day"),
        ("3572021700900001", "nik_month"),
        ("357202170890000A", "nik_digits"),
        ("NIK3572021708900", "nik_digits"),
        ("1072021708900001", "nik_province"),
    ],
)
def test_invalid_cases(value, code):
    assert codes_of(value) == [code]


def test_digits_of_other_scripts_are_refused():
    """A full-width 7 would otherwise hash differently from the same NIK typed in 0-9."""
    assert codes_of("35\uff172021708900001") == ["nik_digits"]
    assert codes_of("3572021708\u0669\u06600001") == ["nik_digits"]


def test_error_messages_are_indonesian():
    with pytest.raises(ValidationError) as caught:
        parse_nik("357202170890000", today=TODAY)
    assert caught.value.messages == ["NIK harus terdiri dari tepat 16 angka."]


def test_day_41_is_a_woman_born_on_the_first():
    facts = parse_nik("3572024101850003", today=TODAY)
    assert facts.birth_date == datetime.date(1985, 1, 1)
    assert facts.sex == "P"


def test_day_71_is_a_woman_born_on_the_31st():
    facts = parse_nik("3572027112850003", today=TODAY)
    assert facts.birth_date == datetime.date(1985, 12, 31)
    assert facts.sex == "P"


def test_29_february_only_in_a_leap_year():
    assert parse_nik("3572022902000001", today=TODAY).birth_date == datetime.date(2000, 2, 29)
    assert parse_nik("3572022902960001", today=TODAY).birth_date == datetime.date(1996, 2, 29)
    assert codes_of("3572022902010001") == ["nik_birth_date"]


@pytest.mark.parametrize(
    ("year_digits", "expected_year"),
    [("25", 2025), ("00", 2000), ("26", 2026), ("30", 1930), ("99", 1999)],
)
def test_two_digit_years_are_the_most_recent_past_year(year_digits, expected_year):
    facts = parse_nik(f"35720201 01{year_digits}0001".replace(" ", ""), today=TODAY)
    assert facts.birth_date.year == expected_year


def test_a_birthday_later_this_year_belongs_to_the_last_century():
    assert parse_nik("3572021712260001", today=TODAY).birth_date == datetime.date(1926, 12, 17)
    assert parse_nik("3572020105260001", today=TODAY).birth_date == datetime.date(2026, 5, 1)


@pytest.mark.parametrize(
    "typed",
    ["3572 0217 0890 0001", "35.72.02.170890.0001", "357202-170890-0001", " 3572021708900001\n"],
)
def test_separators_typed_between_groups_are_tolerated(typed):
    facts = parse_nik(typed, today=TODAY)
    assert facts.birth_date == datetime.date(1990, 8, 17)
    assert nik_digest(typed) == nik_digest("3572021708900001")


def test_encryption_round_trip_hides_the_digits():
    token = encrypt_nik("3572 0217 0890 0001")
    assert "3572021708900001" not in token
    assert decrypt_nik(token) == "3572021708900001"
    assert encrypt_nik("3572021708900001") != token  # random nonce: no equality leak


def test_digest_is_equal_for_equal_niks_and_differs_otherwise():
    assert nik_digest("3572021708900001") == nik_digest("3572021708900001")
    assert nik_digest("3572021708900001") != nik_digest("3572021708900002")
    assert len(nik_digest("3572021708900001")) == 64


def test_digest_depends_on_the_key(settings):
    first = nik_digest("3572021708900001")
    settings.NIK_HASH_KEY = "another-key"
    assert nik_digest("3572021708900001") != first


def test_key_rotation_keeps_old_tokens_readable(settings):
    old_key = settings.NIK_ENCRYPTION_KEYS[0]
    old_token = encrypt_nik("3572021708900001")
    new_key = Fernet.generate_key().decode()
    settings.NIK_ENCRYPTION_KEYS = [new_key, old_key]
    assert decrypt_nik(old_token) == "3572021708900001"
    new_token = encrypt_nik("3572021708900001")
    settings.NIK_ENCRYPTION_KEYS = [new_key]
    assert decrypt_nik(new_token) == "3572021708900001"
    with pytest.raises(ImproperlyConfigured):
        decrypt_nik(old_token)


def test_missing_or_malformed_keys_fail_loudly(settings):
    settings.NIK_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        encrypt_nik("3572021708900001")
    settings.NIK_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured):
        encrypt_nik("3572021708900001")


def test_validate_nik_is_a_field_validator():
    assert nik_codec.validate_nik("3572021708900001") is None
    with pytest.raises(ValidationError):
        nik_codec.validate_nik("3572021708900000")
