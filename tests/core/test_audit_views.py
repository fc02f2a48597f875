"""Audit pages: NIK reveals, exports and breach reach; who may read them, scope, filters,
masked NIKs and flat query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import ExportAudit, NikReveal, Resident
from rtkeren.selectors.audit import breach_reach
from rtkeren.services.residents import nik_reveal
from tests import factories

pytestmark = pytest.mark.django_db

AUDIT_PAGES = ["audit-nik-reveals", "audit-exports"]
AUDIT_READERS = ["admin_user", "city_viewer", "officer", "foreign_officer"]
NOT_AUDIT_READERS = [
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "community_lead",
    "resident_user",
    "outsider",
]


@pytest.fixture
def register(rt, other_rt, foreign_rt):
    return {
        "home": factories.ResidentFactory(rt=rt, name="Siti Aminah"),
        "neighbour": factories.ResidentFactory(rt=other_rt, name="Bagus Santoso"),
        "foreign": factories.ResidentFactory(rt=foreign_rt, name="Dewi Lestari"),
    }


@pytest.fixture
def events(officer, foreign_officer, city_viewer, kelurahan, foreign_kelurahan, register):
    """A reveal and an export in each kelurahan, and one city-wide export. The reason of the
    Blitar reveal holds the full NIK, as a careless officer might type it."""
    home, foreign = register["home"], register["foreign"]
    nik_reveal(officer=officer, resident=home, reason=f"Cek NIK {home.reveal_nik()}")
    nik_reveal(officer=foreign_officer, resident=foreign, reason="Pendaftaran")

    def export(user, name, title, place, scope):
        return ExportAudit.objects.create(
            user=user, export=name, title=title, kelurahan=place, scope=scope, row_count=3
        )

    return {
        "home": export(officer, "warga", "Warga", kelurahan, "Blitar"),
        "foreign": export(foreign_officer, "kegiatan", "Kegiatan", foreign_kelurahan, "Pakunden"),
        "city": export(city_viewer, "warga", "Warga", None, "Seluruh kota"),
    }


def get(client, user, name, **params):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name), params)


def reveal_names(response) -> set[str]:
    return {reveal.resident.name for reveal in response.context["reveals"]}


def export_scopes(response) -> set[str]:
    return {audit.scope for audit in response.context["audits"]}


# Who may read.


@pytest.mark.parametrize("page", AUDIT_PAGES)
@pytest.mark.parametrize("persona", AUDIT_READERS)
def test_officers_city_viewers_and_admins_read_the_audit(client, request, page, persona):
    response = get(client, request.getfixturevalue(persona), page)

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("page", AUDIT_PAGES)
@pytest.mark.parametrize("persona", NOT_AUDIT_READERS)
def test_other_roles_may_not_read_the_audit(client, request, page, persona):
    assert get(client, request.getfixturevalue(persona), page).status_code == 403


@pytest.mark.parametrize("page", [*AUDIT_PAGES, "audit-breach-reach"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, page):
    response = get(client, None, page)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["admin_user", "officer", "foreign_officer"])
def test_admins_and_officers_open_the_breach_reach_page(client, request, persona):
    assert get(client, request.getfixturevalue(persona), "audit-breach-reach").status_code == 200


@pytest.mark.parametrize("persona", ["city_viewer", *NOT_AUDIT_READERS])
def test_others_may_not_open_the_breach_reach_page(client, request, persona):
    response = get(client, request.getfixturevalue(persona), "audit-breach-reach")

    assert response.status_code == 403


def test_home_page_links_to_the_audit_only_for_its_readers(client, officer, resident_user):
    url = reverse("audit-nik-reveals")

    assert url in get(client, officer, "home").content.decode()
    assert url not in get(client, resident_user, "home").content.decode()


def test_breach_reach_tab_shows_only_to_those_who_may_run_it(client, officer, city_viewer):
    url = reverse("audit-breach-reach")

    assert url in get(client, officer, "audit-nik-reveals").content.decode()
    assert url not in get(client, city_viewer, "audit-nik-reveals").content.decode()


# Scope.


def test_officers_see_only_the_reveals_of_their_kelurahan(client, officer, foreign_officer, events):
    assert reveal_names(get(client, officer, "audit-nik-reveals")) == {"Siti Aminah"}
    assert reveal_names(get(client, foreign_officer, "audit-nik-reveals")) == {"Dewi Lestari"}


@pytest.mark.parametrize("persona", ["admin_user", "city_viewer"])
def test_admins_and_city_viewers_see_every_reveal(client, request, persona, events):
    response = get(client, request.getfixturevalue(persona), "audit-nik-reveals")

    assert reveal_names(response) == {"Siti Aminah", "Dewi Lestari"}


def test_officers_see_only_the_exports_of_their_kelurahan(client, officer, foreign_officer, events):
    assert export_scopes(get(client, officer, "audit-exports")) == {"Blitar"}
    assert export_scopes(get(client, foreign_officer, "audit-exports")) == {"Pakunden"}


@pytest.mark.parametrize("persona", ["admin_user", "city_viewer"])
def test_admins_and_city_viewers_see_every_export(client, request, persona, events):
    response = get(client, request.getfixturevalue(persona), "audit-exports")

    assert export_scopes(response) == {"Blitar", "Pakunden", "Seluruh kota"}


def test_an_officer_cannot_filter_their_way_into_another_kelurahan(
    client, officer, foreign_kelurahan, events
):
    response = get(client, officer, "audit-nik-reveals", kelurahan=foreign_kelurahan.pk)

    assert reveal_names(response) == {"Siti Aminah"}
    assert "kelurahan" in response.context["filter_form"].errors
    assert export_scopes(get(client, officer, "audit-exports", kelurahan=foreign_kelurahan.pk)) == {
        "Blitar"
    }


# Filters.


def test_reveals_filter_by_date_range(client, admin_user, events, register):
    NikReveal.objects.filter(resident=register["foreign"]).update(
        at=timezone.make_aware(datetime.datetime(2024, 3, 10, 9, 0))
    )

    old = get(client, admin_user, "audit-nik-reveals", since="2024-03-01", until="2024-03-31")
    recent = get(client, admin_user, "audit-nik-reveals", since=timezone.localdate().isoformat())

    assert reveal_names(old) == {"Dewi Lestari"}
    assert reveal_names(recent) == {"Siti Aminah"}


def test_reveals_filter_by_officer_resident_and_kelurahan(
    client, admin_user, foreign_officer, foreign_kelurahan, events
):
    def names(**params):
        return reveal_names(get(client, admin_user, "audit-nik-reveals", **params))

    assert names(officer=foreign_officer.username) == {"Dewi Lestari"}
    assert names(officer=foreign_officer.first_name) == {"Dewi Lestari"}
    assert names(resident_name="aminah") == {"Siti Aminah"}
    assert names(kelurahan=foreign_kelurahan.pk) == {"Dewi Lestari"}
    assert names(resident_name="nobody such") == set()


def test_exports_filter_by_kind_user_kelurahan_and_date(
    client, admin_user, city_viewer, kelurahan, events
):
    def scopes(**params):
        return export_scopes(get(client, admin_user, "audit-exports", **params))

    ExportAudit.objects.filter(pk=events["city"].pk).update(
        at=timezone.make_aware(datetime.datetime(2024, 1, 5, 8, 0))
    )

    assert scopes(export="kegiatan") == {"Pakunden"}
    assert scopes(account=city_viewer.username) == {"Seluruh kota"}
    assert scopes(kelurahan=kelurahan.pk) == {"Blitar"}
    assert scopes(until="2024-01-31") == {"Seluruh kota"}


def test_a_reversed_date_range_is_a_clear_error(client, admin_user, events):
    response = get(client, admin_user, "audit-exports", since="2024-05-01", until="2024-04-01")

    assert response.status_code == 200
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in response.content.decode()


def test_a_malformed_date_is_a_clear_error(client, admin_user, events):
    response = get(client, admin_user, "audit-nik-reveals", since="kemarin")

    assert response.status_code == 200
    assert response.context["filter_form"].errors["since"]
    assert reveal_names(response) == {"Siti Aminah", "Dewi Lestari"}


# No full NIK.


@pytest.mark.parametrize("persona", ["admin_user", "officer"])
def test_audit_pages_never_show_a_full_nik(client, request, persona, events, register):
    user = request.getfixturevalue(persona)
    pages = [
        get(client, user, "audit-nik-reveals"),
        get(client, user, "audit-exports"),
        get(client, user, "audit-breach-reach", username="petugas"),
    ]
    home = register["home"]

    for response in pages:
        content = response.content.decode()
        for resident in Resident.objects.all():
            assert resident.reveal_nik() not in content
            assert resident.reveal_nik()[12:] not in content
    assert "Cek NIK [angka disembunyikan]" in pages[0].content.decode()
    assert home.name in pages[0].content.decode()


# Breach reach.


def reach_of(client, user, account):
    response = get(client, user, "audit-breach-reach", username=account.username)
    assert response.status_code == 200
    assert response.context["account"] == account, response.context["form"].errors
    page = response.context["page_obj"]
    return page.paginator.count, {resident.pk for resident in page.object_list}


def test_an_rt_chairs_reach_is_their_rt(client, admin_user, rt_chair, rt, register):
    count, shown = reach_of(client, admin_user, rt_chair)

    expected = set(Resident.objects.filter(rt=rt).values_list("pk", flat=True))
    assert shown == expected
    assert count == len(expected) == 2
    assert register["neighbour"].pk not in shown


def test_an_officers_reach_is_their_kelurahan(client, admin_user, officer, kelurahan, register):
    count, shown = reach_of(client, admin_user, officer)

    expected = set(Resident.objects.in_kelurahan(kelurahan).values_list("pk", flat=True))
    assert shown == expected == {register["home"].pk, register["neighbour"].pk}
    assert count == 2


def test_a_residents_reach_is_only_themself(client, officer, resident, register):
    count, shown = reach_of(client, officer, resident.user)

    assert (count, shown) == (1, {resident.pk})


def test_an_admins_reach_is_everyone(client, admin_user, register):
    count, _shown = reach_of(client, admin_user, admin_user)

    assert count == Resident.objects.count() == 3


def test_reach_over_a_page_is_counted_and_paginated(client, officer, rt_chair, rt):
    factories.ResidentFactory.create_batch(30, rt=rt)

    count, shown = reach_of(client, officer, rt_chair)

    assert count == 31
    assert len(shown) == 25
    assert breach_reach(rt_chair).count() == 31


@pytest.mark.parametrize(
    ("checker", "account"),
    [
        ("officer", "foreign_officer"),
        ("officer", "outsider"),
        ("officer", "city_viewer"),
        ("officer", "admin_user"),
        ("foreign_officer", "rt_chair"),
        ("foreign_officer", "officer"),
    ],
)
def test_officers_check_only_accounts_within_their_kelurahan(client, request, checker, account):
    user = request.getfixturevalue(checker)
    target = request.getfixturevalue(account)

    response = get(client, user, "audit-breach-reach", username=target.username)

    assert response.status_code == 200
    assert response.context["account"] is None
    assert response.context["residents"] == []
    assert response.context["form"].errors["username"] == [
        "Tidak ada akun dengan nama pengguna ini yang boleh Anda periksa."
    ]


def test_an_unknown_username_gets_the_same_answer(client, officer):
    response = get(client, officer, "audit-breach-reach", username="tidak_ada")

    assert response.context["form"].errors["username"] == [
        "Tidak ada akun dengan nama pengguna ini yang boleh Anda periksa."
    ]


@pytest.mark.parametrize(
    ("account", "expected"),
    [("officer", 2), ("facilitator", 2), ("rt_chair", 2), ("community_lead", 0)],
)
def test_officers_check_accounts_of_their_own_kelurahan(
    client, request, officer, register, account, expected
):
    target = request.getfixturevalue(account)

    assert reach_of(client, officer, target)[0] == expected


# Query counts.


def count_queries(client, name, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return len(context)


def test_reveals_page_queries_do_not_grow_with_events(client, officer, rt, other_rt, events):
    client.force_login(officer)
    one = count_queries(client, "audit-nik-reveals")
    for _ in range(15):
        for place in (rt, other_rt):
            resident = factories.ResidentFactory(rt=place)
            nik_reveal(
                officer=factories.make_user_with_role("officer", kelurahan=place.kelurahan),
                resident=resident,
            )

    many = count_queries(client, "audit-nik-reveals")

    assert len(get(client, officer, "audit-nik-reveals").context["reveals"]) == 25
    assert many == one


def test_exports_page_queries_do_not_grow_with_events(client, admin_user, kelurahan, events):
    client.force_login(admin_user)
    one = count_queries(client, "audit-exports", export="kegiatan")
    for _ in range(30):
        ExportAudit.objects.create(
            user=factories.UserFactory(),
            export="kegiatan",
            title="Kegiatan",
            kelurahan=kelurahan,
            scope="Blitar",
            row_count=1,
        )

    assert count_queries(client, "audit-exports", export="kegiatan") == one


def test_breach_reach_queries_do_not_grow_with_residents(client, officer, rt_chair, rt):
    client.force_login(officer)
    count_queries(client, "audit-breach-reach", username=rt_chair.username)  # caches their roles
    one = count_queries(client, "audit-breach-reach", username=rt_chair.username)
    factories.ResidentFactory.create_batch(30, rt=rt)

    assert count_queries(client, "audit-breach-reach", username=rt_chair.username) == one
