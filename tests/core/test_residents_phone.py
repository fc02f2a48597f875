import pytest
from django.core.exceptions import ValidationError

from rtkeren.phone import normalize_phone


@pytest.mark.parametrize(
    "typed",
    ["0812-3456-7890", "+6281234567890", "+62 812 3456 7890", "62812-3456-7890", "(0812) 34567890"],
)
def test_local_and_international_forms_are_the_same_number(typed):
    assert normalize_phone(typed) == "+6281234567890"


def test_blitar_landline_keeps_its_area_code():
    assert normalize_phone("(0342) 801234") == "+62342801234"


def test_a_foreign_number_keeps_its_country():
    assert normalize_phone("+31 20 123 4567") == "+31201234567"


def test_empty_stays_empty():
    assert normalize_phone("") == ""
    assert normalize_phone("   ") == ""


@pytest.mark.parametrize("typed", ["12345", "0812", "telepon saya", "+62 0000 0000"])
def test_invalid_numbers_get_an_indonesian_error(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(typed)
    assert caught.value.code == "phone_invalid"
    assert "nomor telepon" in caught.value.messages[0].lower()
