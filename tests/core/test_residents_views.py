import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import NikReveal, Resident, Role
from rtkeren.services.residents import resident_update
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin_user",
    "city_viewer",
    "officer",
    "foreign_officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "resident_user",
    "outsider",
]


def login(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# resident-list


@pytest.mark.parametrize(
    ("persona", "status", "sees_resident"),
    [
        ("admin_user", 200, True),
        ("city_viewer", 200, True),
        ("officer", 200, True),
        ("foreign_officer", 200, False),
        ("facilitator", 200, True),
        ("rw_chair", 200, True),
        ("rt_chair", 200, True),
        ("other_rt_chair", 200, False),
        ("pokmas_member", 403, False),
        ("resident_user", 403, False),
        ("outsider", 403, False),
    ],
)
def test_list_permissions(client, request, resident, persona, status, sees_resident):
    login(client, request, persona)

    response = client.get(reverse("resident-list"))

    assert response.status_code == status
    assert (resident.name in response.content.decode()) is sees_resident


def test_list_needs_login(client, resident):
    response = client.get(reverse("resident-list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_list_says_the_nik_is_recorded_without_a_digit_in_indonesian(client, officer, resident):
    client.force_login(officer)

    page = client.get(reverse("resident-list")).content.decode()

    assert "Tercatat" in page
    assert resident.reveal_nik()[12:] not in page
    assert resident.reveal_nik() not in page
    assert ">Warga</h1>" in page
    assert "no-store" in client.get(reverse("resident-list"))["Cache-Control"]


def test_list_filters_by_rt_verification_and_status(client, officer, rt, other_rt):
    pending = factories.ResidentFactory(
        rt=rt, name="Sri Pending", verification=Resident.Verification.PENDING
    )
    moved = factories.ResidentFactory(rt=other_rt, name="Joko Pindah", status="moved")
    client.force_login(officer)
    url = reverse("resident-list")

    by_rt = client.get(url, {"rt": other_rt.pk}).context["residents"]
    by_verification = client.get(url, {"verification": "pending"}).context["residents"]
    by_status = client.get(url, {"status": "moved"}).context["residents"]

    assert list(by_rt) == [moved]
    assert list(by_verification) == [pending]
    assert list(by_status) == [moved]


def test_list_ignores_an_rt_outside_the_scope(client, other_rt_chair, resident, rt, other_rt):
    neighbour = factories.ResidentFactory(rt=other_rt)
    client.force_login(other_rt_chair)

    response = client.get(reverse("resident-list"), {"rt": rt.pk})

    assert response.status_code == 200
    assert list(response.context["residents"]) == [neighbour]
    assert response.context["filter_form"].errors["rt"]


def test_list_searches_by_name(client, officer, resident, rt):
    # The fixture's name is made up at random and could hold "wulan" (Okta Wulandari).
    type(resident).objects.filter(pk=resident.pk).update(name="Budi Santoso")
    other = factories.ResidentFactory(rt=rt, name="Wulan Sari")
    client.force_login(officer)

    response = client.get(reverse("resident-list"), {"q": "wulan"})

    assert list(response.context["residents"]) == [other]


def test_list_finds_an_exact_nik_by_post(client, officer, resident, rt):
    factories.ResidentFactory(rt=rt)
    client.force_login(officer)
    url = reverse("resident-list")
    nik = resident.reveal_nik()
    spaced = f"{nik[:4]} {nik[4:8]}.{nik[8:12]}-{nik[12:]}"

    found = client.post(url, {"nik": spaced})
    partial = client.post(url, {"nik": nik[:10]})

    assert list(found.context["residents"]) == [resident]
    assert nik[12:] not in found.content.decode()
    assert nik not in found.content.decode()
    assert "Pencarian dengan NIK yang Anda ketik." in found.content.decode()
    assert partial.context["nik_form"].errors["nik"] == ["Ketik ke-16 angka NIK."]
    assert nik[:10] not in partial.content.decode()


def test_a_nik_in_the_address_is_not_searched_nor_echoed(client, officer, resident):
    client.force_login(officer)

    response = client.get(reverse("resident-list"), {"q": resident.reveal_nik()}, follow=True)

    assert response.redirect_chain == [(reverse("resident-list"), 302)]
    assert resident.reveal_nik() not in response.content.decode()
    assert "kolom pencarian NIK" in response.content.decode()


def test_list_search_by_nik_stays_in_scope(client, foreign_officer, resident):
    client.force_login(foreign_officer)

    response = client.post(reverse("resident-list"), {"nik": resident.reveal_nik()})

    assert list(response.context["residents"]) == []


@pytest.mark.parametrize("persona", ["rt_chair", "rw_chair", "facilitator", "city_viewer"])
def test_only_officers_search_by_nik(client, request, resident, persona):
    """A match would tell whose the typed NIK is: those who may only list residents could find
    a neighbour's NIK by trying the few serials a birth date leaves."""
    login(client, request, persona)
    url = reverse("resident-list")

    page = client.get(url)
    response = client.post(url, {"nik": resident.reveal_nik()})

    assert page.status_code == 200
    assert page.context["nik_form"] is None
    assert 'name="nik"' not in page.content.decode()
    assert response.status_code == 403


def test_the_superuser_searches_the_whole_register_by_nik(client, admin_user, resident):
    client.force_login(admin_user)

    response = client.post(reverse("resident-list"), {"nik": resident.reveal_nik()})

    assert list(response.context["residents"]) == [resident]


def test_an_administrator_by_role_searches_as_the_superuser_does(client, foreign_rt):
    """The administrator role, not the superuser flag, opens the whole register to a NIK
    search: the table (rtkeren.search_nik) and the search's reach agree."""
    administrator = factories.make_user_with_role(Role.ADMIN, "administrator")
    far = factories.ResidentFactory(rt=foreign_rt)
    client.force_login(administrator)

    response = client.post(reverse("resident-list"), {"nik": far.reveal_nik()})

    assert list(response.context["residents"]) == [far]


def test_nik_search_is_limited_per_account(client, settings, officer, resident):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "nik_search": ("2/h", "100/h")}
    client.force_login(officer)
    url = reverse("resident-list")

    answers = [client.post(url, {"nik": resident.reveal_nik()}).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_nik_search_is_refused_to_residents(client, resident_user, rt_chair):
    client.force_login(resident_user)

    response = client.post(reverse("resident-list"), {"nik": rt_chair.resident.reveal_nik()})

    assert response.status_code == 403


def test_list_paginates_by_25(client, officer, rt):
    factories.ResidentFactory.create_batch(26, rt=rt)
    client.force_login(officer)

    first = client.get(reverse("resident-list"))
    second = client.get(reverse("resident-list"), {"page": 2})

    assert len(first.context["residents"]) == 25
    assert len(second.context["residents"]) == 1
    assert "?page=2" in first.content.decode()


def test_list_query_count_does_not_grow_with_residents(client, officer, rt, other_rt):
    factories.ResidentFactory(rt=rt)
    client.force_login(officer)
    url = reverse("resident-list")
    client.get(url)

    with_one = count_queries(client, url)
    factories.ResidentFactory.create_batch(15, rt=rt)
    factories.ResidentFactory.create_batch(14, rt=other_rt)
    with_thirty = count_queries(client, url)

    assert with_one == with_thirty


# resident-detail


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 200),
        ("city_viewer", 200),
        ("officer", 200),
        ("foreign_officer", 404),
        ("facilitator", 200),
        ("rw_chair", 200),
        ("rt_chair", 200),
        ("other_rt_chair", 404),
        ("pokmas_member", 404),
        ("resident_user", 200),
        ("outsider", 404),
    ],
)
def test_detail_permissions(client, request, resident, persona, status):
    login(client, request, persona)

    response = client.get(reverse("resident-detail", args=[resident.pk]))

    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert "NIK tercatat" in content
        assert (resident.reveal_nik() in content) is (persona == "resident_user")


def test_resident_cannot_open_a_neighbours_page(client, resident_user, rt_chair):
    client.force_login(resident_user)

    response = client.get(reverse("resident-detail", args=[rt_chair.resident.pk]))

    assert response.status_code == 404


def test_detail_needs_login(client, resident):
    response = client.get(reverse("resident-detail", args=[resident.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_resident_sees_their_own_full_nik(client, resident_user, resident):
    client.force_login(resident_user)

    response = client.get(reverse("resident-detail", args=[resident.pk]))

    assert resident.reveal_nik() in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_reveal_button_only_for_the_kelurahan_officer(client, officer, rt_chair, resident):
    url = reverse("resident-detail", args=[resident.pk])
    reveal_url = reverse("resident-nik-reveal", args=[resident.pk])

    client.force_login(officer)
    officer_page = client.get(url).content.decode()
    client.force_login(rt_chair)
    chair_page = client.get(url).content.decode()

    assert reveal_url in officer_page
    assert "Tampilkan NIK" in officer_page
    assert "dicatat" in officer_page
    assert reveal_url not in chair_page


def test_detail_query_count_does_not_grow(client, officer, resident, rt):
    resident.interest_links.create(interest=factories.InterestFactory())
    client.force_login(officer)
    url = reverse("resident-detail", args=[resident.pk])
    client.get(url)

    with_one = count_queries(client, url)
    factories.ResidentFactory.create_batch(29, rt=rt)
    for interest in factories.InterestFactory.create_batch(5):
        resident.interest_links.create(interest=interest, kind="bakat")
    with_thirty = count_queries(client, url)

    assert with_one == with_thirty


# resident-nik-reveal


def test_officer_reveals_the_nik_once_and_it_is_audited(client, officer, resident):
    client.force_login(officer)
    nik = resident.reveal_nik()

    response = client.post(
        reverse("resident-nik-reveal", args=[resident.pk]), {"reason": "Cek data KTP"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert nik in page
    assert "sudah dicatat" in page
    assert "no-store" in response["Cache-Control"]
    reveal = NikReveal.objects.get()
    assert (reveal.officer, reveal.resident, reveal.reason) == (officer, resident, "Cek data KTP")
    again = client.get(reverse("resident-detail", args=[resident.pk])).content.decode()
    assert nik not in again


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 403),
        ("city_viewer", 403),
        ("foreign_officer", 404),
        ("facilitator", 403),
        ("rw_chair", 403),
        ("rt_chair", 403),
        ("other_rt_chair", 404),
        ("pokmas_member", 404),
        ("resident_user", 403),
        ("outsider", 404),
    ],
)
def test_reveal_refused_to_everyone_else(client, request, resident, persona, status):
    login(client, request, persona)

    response = client.post(reverse("resident-nik-reveal", args=[resident.pk]))

    assert response.status_code == status
    assert resident.reveal_nik() not in response.content.decode()
    assert not NikReveal.objects.exists()


def test_reveal_needs_login_and_post(client, officer, resident):
    url = reverse("resident-nik-reveal", args=[resident.pk])

    anonymous = client.post(url)
    client.force_login(officer)
    by_get = client.get(url)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    assert by_get.status_code == 405
    assert not NikReveal.objects.exists()


# resident-history


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 200),
        ("city_viewer", 403),
        ("officer", 200),
        ("foreign_officer", 404),
        ("facilitator", 403),
        ("rw_chair", 403),
        ("rt_chair", 403),
        ("other_rt_chair", 404),
        ("pokmas_member", 404),
        ("resident_user", 403),
        ("outsider", 404),
    ],
)
def test_history_permissions(client, request, resident, persona, status):
    login(client, request, persona)

    response = client.get(reverse("resident-history", args=[resident.pk]))

    assert response.status_code == status


def test_history_needs_login(client, resident):
    response = client.get(reverse("resident-history", args=[resident.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_history_shows_who_changed_what(client, officer, rt_chair, resident):
    old_address = resident.address
    resident_update(
        by=rt_chair, resident=resident, address="Jl. Kenanga 12", phone="0812-3456-7890"
    )
    client.force_login(officer)

    response = client.get(reverse("resident-history", args=[resident.pk]))

    page = response.content.decode()
    latest = response.context["entries"][0]
    assert {change.field for change in latest.changes} == {"address", "phone"}
    assert "Jl. Kenanga 12" in page
    assert old_address in page
    assert "+6281234567890" in page
    assert str(rt_chair) in page
    assert "Ditambahkan ke data warga" in page
    assert resident.reveal_nik() not in page


def test_history_says_the_nik_changed_without_a_digit_of_either(client, officer, resident):
    nik = resident.reveal_nik()
    new_nik = nik[:12] + ("0002" if nik[12:] != "0002" else "0003")
    resident_update(by=officer, resident=resident, nik=new_nik)
    client.force_login(officer)

    page = client.get(reverse("resident-history", args=[resident.pk])).content.decode()

    assert "NIK lama" in page
    assert "NIK baru" in page
    for shown in (nik, new_nik):
        assert shown[12:] not in page
        assert shown[6:12] not in page


def test_history_query_count_does_not_grow(client, officer, rt_chair, resident):
    client.force_login(officer)
    url = reverse("resident-history", args=[resident.pk])
    resident_update(by=rt_chair, resident=resident, address="Jl. 0")
    client.get(url)

    with_two = count_queries(client, url)
    for number in range(1, 30):
        resident_update(
            by=officer if number % 2 else rt_chair, resident=resident, address=f"Jl. {number}"
        )
    with_thirty = count_queries(client, url)

    assert with_two == with_thirty


# The full NIK, everywhere.


@pytest.mark.parametrize("persona", PERSONAS)
def test_full_nik_appears_only_to_the_resident_themself(client, request, resident, persona):
    user = login(client, request, persona)
    nik = resident.reveal_nik()
    urls = [
        reverse("resident-list"),
        reverse("resident-detail", args=[resident.pk]),
        reverse("resident-history", args=[resident.pk]),
    ]

    for url in urls:
        page = client.get(url).content.decode()
        own_detail = user == resident.user and url.endswith(f"/{resident.pk}/")
        assert (nik in page) is own_detail, url
    searched = client.post(reverse("resident-list"), {"nik": nik}).content.decode()
    assert nik not in searched
