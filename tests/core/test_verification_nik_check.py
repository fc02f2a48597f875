"""The RT chair checks a registrant's KTP by typing its NIK: the portal says only whether it
matches the stored one, records every attempt, and limits how many may be made."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import NikCheck
from tests import factories
from tests.core.test_verification import register

pytestmark = pytest.mark.django_db

BORN = datetime.date(1990, 5, 17)
NIK = factories.make_nik(BORN, "P", 12)
OTHER_NIK = factories.make_nik(BORN, "P", 13)
MATCH = "cocok dengan NIK yang didaftarkan"
NO_MATCH = "tidak cocok dengan NIK yang didaftarkan"


def check_url(resident):
    return reverse("verification-nik-check", args=[resident.pk])


@pytest.fixture
def pending(rt):
    return register(rt, born=BORN, serial=12)


@pytest.fixture
def chair(client, rt_chair):
    client.force_login(rt_chair)
    return rt_chair


def test_the_chair_is_told_the_typed_nik_matches_and_the_check_is_recorded(client, chair, pending):
    response = client.post(check_url(pending), {"nik": f"{NIK[:6]} {NIK[6:12]}.{NIK[12:]}"})

    page = response.content.decode()
    assert response.status_code == 200
    assert MATCH in page
    assert NIK not in page
    assert NIK[12:] not in page
    check = NikCheck.objects.get()
    assert (check.checker, check.resident, check.matched) == (chair, pending, True)


def test_a_different_nik_is_a_mismatch_that_reveals_nothing(client, chair, pending):
    response = client.post(check_url(pending), {"nik": OTHER_NIK})

    page = response.content.decode()
    assert NO_MATCH in page
    assert MATCH not in page.replace(NO_MATCH, "")
    for shown in (NIK, OTHER_NIK):
        assert shown not in page
        assert shown[12:] not in page
    assert NikCheck.objects.get().matched is False


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("3572", "NIK harus terdiri dari tepat 16 angka."),
        ("35720257059O0012", "NIK hanya berisi angka 0-9."),
        ("3572029905900012", "Angka ke-7 dan ke-8 NIK harus tanggal lahir"),
    ],
)
def test_a_nik_of_the_wrong_form_gets_a_clear_message_and_is_not_checked(
    client, chair, pending, typed, message
):
    response = client.post(check_url(pending), {"nik": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert typed not in page
    assert not NikCheck.objects.exists()


def test_the_page_works_without_javascript_and_htmx_gets_the_fragment(client, chair, pending):
    page = client.get(check_url(pending))
    fragment = client.post(check_url(pending), {"nik": NIK}, headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert 'name="nik"' in page.content.decode()
    assert "<html" not in fragment.content.decode()
    assert MATCH in fragment.content.decode()
    assert f'id="nik-check-{pending.pk}"' in fragment.content.decode()


def test_the_verification_list_offers_the_check_for_each_registration(client, rt, chair):
    first = register(rt, born=BORN, serial=12)
    second = register(rt, username="budi", name="Budi Santoso", serial=14)

    page = client.get(reverse("verification-list")).content.decode()

    for resident in (first, second):
        assert check_url(resident) in page
        assert f'id="id_nik_{resident.pk}"' in page


def test_the_officer_of_the_kelurahan_may_check_too(client, officer, pending):
    client.force_login(officer)

    assert MATCH in client.post(check_url(pending), {"nik": NIK}).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_rt_chair", 404),
        ("foreign_officer", 404),
        ("rw_chair", 404),
        ("facilitator", 404),
        ("city_viewer", 404),
        ("admin_user", 404),
        ("resident_user", 404),
        ("outsider", 404),
    ],
)
def test_no_one_else_may_check(client, request, pending, persona, status):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(check_url(pending)).status_code == status
    assert client.post(check_url(pending), {"nik": NIK}).status_code == status
    assert not NikCheck.objects.exists()


def test_visitors_are_sent_to_log_in(client, pending):
    response = client.post(check_url(pending), {"nik": NIK})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not NikCheck.objects.exists()


def test_a_verified_resident_is_no_longer_checked_here(client, chair, resident):
    assert client.post(check_url(resident), {"nik": NIK}).status_code == 404


def test_attempts_are_limited_per_account(client, settings, rt, chair):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "nik_check": ("3/h", "100/h")}
    registrants = [
        register(rt, username=f"warga{n}", name=f"Warga {n}", serial=20 + n) for n in range(4)
    ]

    answers = [client.post(check_url(r), {"nik": OTHER_NIK}).status_code for r in registrants]

    assert answers == [200, 200, 200, 429]
    assert NikCheck.objects.count() == 3


def test_attempts_are_limited_per_registrant_whoever_types(
    client, settings, pending, rt_chair, officer
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "nik_check_registrant": ("2/h", None)}
    answers = []
    for checker in (rt_chair, officer):
        client.force_login(checker)
        answers += [client.post(check_url(pending), {"nik": OTHER_NIK}).status_code]
    client.force_login(rt_chair)
    answers.append(client.post(check_url(pending), {"nik": NIK}).status_code)

    assert answers == [200, 200, 429]
    assert NikCheck.objects.count() == 2


def test_the_check_costs_the_same_queries_for_one_or_many_registrations(client, rt, chair):
    first = register(rt, born=BORN, serial=12)
    client.post(check_url(first), {"nik": NIK})
    with CaptureQueriesContext(connection) as one:
        client.post(check_url(first), {"nik": NIK})
    for number in range(5):
        born = datetime.date(1980, 1, 1) + datetime.timedelta(days=number)
        register(rt, username=f"warga{number}", name=f"Warga {number}", born=born)

    with CaptureQueriesContext(connection) as many:
        client.post(check_url(first), {"nik": NIK})

    assert len(many) == len(one)


# What the verification list shows of the registrant.


def test_the_rt_chair_sees_an_age_and_the_officer_the_birth_date(client, rt, rt_chair, officer):
    pending = register(rt, born=BORN, serial=12)

    client.force_login(rt_chair)
    chair_page = client.get(reverse("verification-list")).content.decode()
    client.force_login(officer)
    officer_page = client.get(reverse("verification-list")).content.decode()

    assert f"{pending.age()} tahun" in chair_page
    assert "17 Mei 1990" not in chair_page
    assert "17 Mei 1990" in officer_page
    for page in (chair_page, officer_page):
        assert "NIK tercatat" in page
        assert NIK[12:] not in page
