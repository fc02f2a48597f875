import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Interest, NikReveal, Resident
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:rtkeren_resident_changelist"


def count_queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def form_data(rt, **overrides) -> dict:
    data = {
        "name": "Siti Aminah",
        "nik": "3572025708900001",
        "kk_number": "",
        "sex": "P",
        "birth_date": "1990-08-17",
        "rt": rt.pk,
        "address": "Jl. Melati 3",
        "phone": "0812-3456-7890",
        "occupation": "Penjahit",
        "status": "active",
        "religion": "",
        "religion_consent_at_0": "",
        "religion_consent_at_1": "",
        "verification": "verified",
        "verified_at_0": "",
        "verified_at_1": "",
        "verified_by": "",
        "rejection_reason": "",
        "user": "",
        "interest_links-TOTAL_FORMS": "0",
        "interest_links-INITIAL_FORMS": "0",
        "interest_links-MIN_NUM_FORMS": "0",
        "interest_links-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_changelist_shows_no_digit_of_the_nik(client, admin_user, resident):
    client.force_login(admin_user)

    page = client.get(reverse(CHANGELIST)).content.decode()

    assert resident.name in page
    assert "NIK tercatat" in page
    assert resident.reveal_nik()[12:] not in page
    assert resident.reveal_nik() not in page


def test_changelist_query_count_is_flat(client, admin_user, rt, other_rt, foreign_rt):
    factories.ResidentFactory(rt=rt)
    client.force_login(admin_user)
    url = reverse(CHANGELIST)
    client.get(url)

    with_one = count_queries(client, url)
    for place in rt, other_rt, foreign_rt:
        factories.ResidentFactory.create_batch(10, rt=place)
    with_thirty = count_queries(client, url)

    assert with_one == with_thirty


def test_changelist_filters_by_kelurahan_verification_and_status(
    client, admin_user, resident, outsider, kelurahan
):
    pending = factories.ResidentFactory(rt=resident.rt, verification="pending")
    client.force_login(admin_user)
    url = reverse(CHANGELIST)

    by_kelurahan = client.get(url, {"rt__rw__kelurahan__id__exact": kelurahan.pk})
    by_verification = client.get(url, {"verification__exact": "pending"})
    by_status = client.get(url, {"status__exact": "moved"})

    assert outsider.resident not in by_kelurahan.context["cl"].result_list
    assert resident in by_kelurahan.context["cl"].result_list
    assert list(by_verification.context["cl"].result_list) == [pending]
    assert list(by_status.context["cl"].result_list) == []


def test_search_by_name_and_by_exact_nik(client, admin_user, resident, rt):
    # The fixture's name is made up at random and could hold "Wulan" (Okta Wulandari).
    type(resident).objects.filter(pk=resident.pk).update(name="Budi Santoso")
    other = factories.ResidentFactory(rt=rt, name="Wulan Sari")
    client.force_login(admin_user)
    url = reverse(CHANGELIST)
    nik = resident.reveal_nik()

    by_name = client.get(url, {"q": "Wulan"})
    by_nik = client.get(url, {"q": f"{nik[:6]} {nik[6:12]} {nik[12:]}"})
    by_partial_nik = client.get(url, {"q": nik[:8]})

    assert list(by_name.context["cl"].result_list) == [other]
    assert list(by_nik.context["cl"].result_list) == [resident]
    assert list(by_partial_nik.context["cl"].result_list) == []


def test_change_form_never_shows_the_full_nik(client, admin_user, resident):
    resident.interest_links.create(interest=factories.InterestFactory())
    client.force_login(admin_user)

    response = client.get(reverse("admin:rtkeren_resident_change", args=[resident.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "NIK tercatat" in page
    assert resident.reveal_nik()[12:] not in page
    assert resident.reveal_nik() not in page
    assert resident.nik_ciphertext not in page


def test_change_form_query_count_is_flat(client, admin_user, resident):
    resident.interest_links.create(interest=factories.InterestFactory())
    client.force_login(admin_user)
    url = reverse("admin:rtkeren_resident_change", args=[resident.pk])
    client.get(url)

    with_one = count_queries(client, url)
    for interest in factories.InterestFactory.create_batch(10):
        resident.interest_links.create(interest=interest)
    with_many = count_queries(client, url)

    assert with_one == with_many


def test_admin_adds_a_resident_through_the_service(client, admin_user, rt):
    batik = factories.InterestFactory(slug="membatik")
    client.force_login(admin_user)
    data = form_data(rt)
    data.update(
        {
            "interest_links-TOTAL_FORMS": "1",
            "interest_links-0-interest": batik.pk,
            "interest_links-0-kind": "keterampilan",
        }
    )

    response = client.post(reverse("admin:rtkeren_resident_add"), data)

    assert response.status_code == 302
    resident = Resident.objects.get()
    assert resident.reveal_nik() == "3572025708900001"
    assert resident.phone == "+6281234567890"
    assert resident.verified_by == admin_user
    assert resident.history.get().history_user == admin_user
    assert list(resident.interests.all()) == [batik]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nik": ""}, "nik", "Isi NIK warga."),
        ({"nik": "3572029908900001"}, "nik", "Angka ke-7 dan ke-8 NIK"),
        ({"sex": "L"}, "sex", "tidak sesuai dengan NIK"),
        ({"birth_date": "1990-08-18"}, "birth_date", "tidak sesuai dengan NIK"),
        ({"phone": "0812"}, "phone", "nomor telepon"),
    ],
)
def test_admin_add_shows_clear_errors(client, admin_user, rt, overrides, field, message):
    client.force_login(admin_user)

    response = client.post(reverse("admin:rtkeren_resident_add"), form_data(rt, **overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert any(message.lower() in error.lower() for error in errors)
    assert not Resident.objects.exists()


def test_admin_refuses_a_duplicate_verified_nik(client, admin_user, rt):
    factories.ResidentFactory(
        rt=rt, nik="3572025708900001", sex="P", birth_date=datetime.date(1990, 8, 17)
    )
    client.force_login(admin_user)

    response = client.post(reverse("admin:rtkeren_resident_add"), form_data(rt))

    assert response.status_code == 200
    assert "sudah terdaftar" in response.context["adminform"].form.errors["nik"][0]
    assert Resident.objects.count() == 1


def test_admin_change_keeps_or_replaces_the_nik(client, admin_user, rt):
    resident = factories.ResidentFactory(
        rt=rt, nik="3572025708900001", sex="P", birth_date=datetime.date(1990, 8, 17)
    )
    client.force_login(admin_user)
    url = reverse("admin:rtkeren_resident_change", args=[resident.pk])

    kept = client.post(url, form_data(rt, nik="", address="Jl. Anggrek 4"))
    resident.refresh_from_db()
    assert kept.status_code == 302
    assert resident.address == "Jl. Anggrek 4"
    assert resident.reveal_nik() == "3572025708900001"

    replaced = client.post(url, form_data(rt, nik="3572025708900007"))
    resident.refresh_from_db()
    assert replaced.status_code == 302
    assert resident.reveal_nik() == "3572025708900007"
    assert Resident.objects.with_nik("3572025708900007").get() == resident


def test_admin_change_checks_the_stored_nik_against_a_new_birth_date(client, admin_user, rt):
    resident = factories.ResidentFactory(
        rt=rt, nik="3572025708900001", sex="P", birth_date=datetime.date(1990, 8, 17)
    )
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:rtkeren_resident_change", args=[resident.pk]),
        form_data(rt, nik="", birth_date="1990-08-20"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["birth_date"]
    resident.refresh_from_db()
    assert resident.birth_date == datetime.date(1990, 8, 17)


def test_resident_history_in_the_admin_has_no_nik(client, admin_user, resident):
    client.force_login(admin_user)

    response = client.get(reverse("admin:rtkeren_resident_history", args=[resident.pk]))

    assert response.status_code == 200
    assert resident.reveal_nik() not in response.content.decode()


def test_nik_reveal_log_is_read_only(client, admin_user, officer, resident):
    reveal = NikReveal.objects.create(officer=officer, resident=resident, reason="Cek")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:rtkeren_nikreveal_changelist"))
    add = client.get(reverse("admin:rtkeren_nikreveal_add"))
    delete = client.post(
        reverse("admin:rtkeren_nikreveal_delete", args=[reveal.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert resident.name in listing.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert NikReveal.objects.filter(pk=reveal.pk).exists()


def test_user_admin_has_the_language_field(client, admin_user, officer):
    client.force_login(admin_user)

    change = client.get(reverse("admin:rtkeren_user_change", args=[officer.pk]))
    listing = client.get(reverse("admin:rtkeren_user_changelist"))

    assert change.status_code == 200
    assert "language" in change.context["adminform"].form.fields
    assert listing.status_code == 200


def test_interest_admin_lists_and_adds(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:rtkeren_interest_add"), {"name": "Karawitan", "slug": "karawitan"}
    )

    assert response.status_code == 302
    assert Interest.objects.filter(slug="karawitan").exists()
    assert client.get(reverse("admin:rtkeren_interest_changelist")).status_code == 200


@pytest.mark.parametrize("persona", ["officer", "resident_user"])
def test_non_staff_cannot_open_the_resident_admin(client, request, resident, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.mark.parametrize(
    "lookup",
    ["religion", "religion__exact", "religion__in", "religion_consent_at__isnull"],
)
def test_the_admin_lists_no_residents_by_religion(client, admin_user, rt, lookup):
    """Religion stays aggregate only: a filter typed into the address is refused."""
    believer = factories.ResidentFactory(
        rt=rt,
        religion=Resident.Religion.ISLAM,
        religion_consent_at=datetime.datetime.now(datetime.UTC),
    )
    client.force_login(admin_user)
    value = "False" if lookup.endswith("isnull") else Resident.Religion.ISLAM

    response = client.get(reverse(CHANGELIST), {lookup: value})

    assert response.status_code == 400
    assert believer.name not in response.content.decode()


def _filter_name(list_filter) -> str:
    if isinstance(list_filter, str):
        return list_filter
    if isinstance(list_filter, tuple):
        return list_filter[0]
    return list_filter.parameter_name


def test_no_admin_column_filter_or_search_names_religion():
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        named = [
            *model_admin.list_display,
            *(_filter_name(f) for f in model_admin.list_filter),
            *model_admin.search_fields,
        ]
        assert not [name for name in named if "religion" in str(name)], model
