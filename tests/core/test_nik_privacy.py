"""No digit of a NIK, and no birth date, for those who may not see them: the kecamatan, the birth
date and the four-digit serial are the whole NIK."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rtkeren.services.residents import resident_update
from tests import factories

pytestmark = pytest.mark.django_db

BORN = datetime.date(1952, 3, 12)
NIK = factories.make_nik(BORN, "L", 1952)


@pytest.fixture
def neighbour(rt):
    """A resident whose serial is also the year they were born: the harder case."""
    return factories.ResidentFactory(
        rt=rt,
        name="Harjo Sumarto",
        nik=NIK,
        birth_date=BORN,
        sex="L",
        kk_number=NIK[:6] + "1203101234",
    )


def page_of(client, user, resident, name="resident-detail"):
    client.force_login(user)
    response = client.get(reverse(name, args=[resident.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "persona", ["admin_user", "city_viewer", "facilitator", "rw_chair", "rt_chair"]
)
def test_staff_who_may_not_reveal_see_no_digit_and_an_age(client, request, neighbour, persona):
    page = page_of(client, request.getfixturevalue(persona), neighbour)

    assert "NIK tercatat" in page
    assert "No. KK tercatat" in page
    assert f"{neighbour.age()} tahun" in page
    assert "12 Maret 1952" not in page
    for digits in (NIK[12:], NIK[6:12], neighbour.kk_number[-4:]):
        assert digits not in page


def test_the_officer_of_the_kelurahan_sees_the_birth_date_and_no_digit_until_reveal(
    client, officer, neighbour
):
    page = page_of(client, officer, neighbour)

    assert "12 Maret 1952" in page
    assert "NIK tercatat" in page
    assert NIK[12:] not in page.replace("12 Maret 1952", "")


def test_the_resident_sees_their_own_nik_and_birth_date(client, resident_user, resident):
    page = page_of(client, resident_user, resident)

    assert resident.reveal_nik() in page
    assert "Tanggal lahir" in page
    assert "Umur" not in page


def test_the_history_hides_the_birth_date_from_an_administrator(
    client, admin_user, officer, neighbour
):
    resident_update(by=officer, resident=neighbour, address="Jl. Mawar 3")

    admin_page = page_of(client, admin_user, neighbour, "resident-history")
    officer_page = page_of(client, officer, neighbour, "resident-history")

    assert "12 Maret 1952" not in admin_page
    assert "12 Maret 1952" in officer_page
    for page in (admin_page, officer_page):
        assert NIK[12:] not in page.replace("12 Maret 1952", "")
        assert "NIK tercatat" in page


def test_an_edit_against_the_stored_nik_does_not_tell_its_birth_date(officer, neighbour):
    with pytest.raises(ValidationError) as raised:
        resident_update(by=officer, resident=neighbour, birth_date=datetime.date(1960, 1, 1))

    assert "12 Maret 1952" not in str(raised.value)
    assert "NIK yang tersimpan" in " ".join(raised.value.messages)
