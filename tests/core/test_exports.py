"""The export framework, the residents and activities exports, permissions, scope and audit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rtkeren.exports import all_exports
from rtkeren.models import ActivityStatus, ExportAudit, Role
from tests import factories
from tests.core.exports_support import (
    XLSX_CONTENT_TYPE,
    assert_laid_out,
    body,
    cell_text,
    download,
    queries_for,
    sheet_cells,
    sheet_rows,
    unpacked_text,
)

pytestmark = pytest.mark.django_db

STAFF_WITHOUT_EXPORTS = ["resident_user", "rt_chair", "rw_chair", "pokmas_member"]


@pytest.fixture
def register(rt, other_rt, foreign_rt):
    """Residents in both RTs of Kelurahan Blitar and one in Kelurahan Pakunden."""
    return {
        "home": factories.ResidentFactory(rt=rt, name="Siti Aminah", occupation="Penjahit"),
        "neighbour": factories.ResidentFactory(rt=other_rt, name="Bagus Santoso"),
        "foreign": factories.ResidentFactory(rt=foreign_rt, name="Dewi Lestari"),
    }


def test_residents_export_is_a_real_workbook_without_a_digit_of_the_nik(client, officer, register):
    client.force_login(officer)

    response = download(client, "warga")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    content = body(response)
    header, *rows = sheet_rows(content)
    assert header[:4] == ("Nama", "NIK", "Jenis kelamin", "Tanggal lahir")
    home = register["home"]
    row = next(row for row in rows if row[0] == "Siti Aminah")
    assert row[1] == "Tercatat"
    assert home.reveal_nik()[12:] not in cell_text(content)
    assert row[3] == datetime.datetime.combine(home.birth_date, datetime.time())
    assert row[5] == "RT 002 / RW 007"
    assert row[7] == "Penjahit"
    inside = unpacked_text(content)
    for resident in register.values():
        assert resident.reveal_nik().encode() not in content
        assert resident.reveal_nik() not in inside


def test_birth_dates_are_real_dates(client, officer, register):
    client.force_login(officer)

    _header, first = sheet_cells(body(download(client, "warga")))[:2]

    assert first[3].is_date
    assert first[3].number_format == "DD/MM/YYYY"


def test_officer_gets_only_their_kelurahan(client, officer, register):
    client.force_login(officer)

    _header, *rows = sheet_rows(body(download(client, "warga")))

    names = {row[0] for row in rows}
    assert names >= {"Siti Aminah", "Bagus Santoso"}
    assert "Dewi Lestari" not in names


def test_foreign_officer_gets_nothing_of_another_kelurahan(
    client, foreign_officer, kelurahan, register
):
    client.force_login(foreign_officer)

    assert download(client, "warga", kelurahan=kelurahan.pk).status_code == 404
    _header, *rows = sheet_rows(body(download(client, "warga")))
    assert [row[0] for row in rows] == ["Dewi Lestari"]


def test_an_officer_of_two_kelurahan_gets_the_first_without_choosing(
    client, officer, foreign_kelurahan, register
):
    factories.RoleAssignmentFactory(
        user=officer, role=Role.OFFICER, kelurahan=foreign_kelurahan, rt=None
    )
    client.force_login(officer)

    first = download(client, "warga")
    chosen = download(client, "warga", kelurahan=foreign_kelurahan.pk)

    assert first.status_code == chosen.status_code == 200
    assert "Siti Aminah" in {row[0] for row in sheet_rows(body(first))[1:]}
    assert [row[0] for row in sheet_rows(body(chosen))[1:]] == ["Dewi Lestari"]
    assert ExportAudit.objects.count() == 2


def test_officer_may_not_export_the_whole_city(client, officer, foreign_kelurahan, register):
    client.force_login(officer)

    assert download(client, "warga", kelurahan=foreign_kelurahan.pk).status_code == 404
    assert download(client, "warga", kelurahan="semua").status_code == 404
    assert download(client, "warga", kelurahan="²").status_code == 404
    assert download(client, "warga", kelurahan="99999999999999999999").status_code == 404
    assert not ExportAudit.objects.exists()


@pytest.mark.parametrize("persona", ["city_viewer", "admin_user"])
def test_city_viewer_and_admin_export_the_whole_city(client, request, persona, register):
    client.force_login(request.getfixturevalue(persona))

    _header, *rows = sheet_rows(body(download(client, "warga")))

    assert {row[0] for row in rows} >= {"Siti Aminah", "Bagus Santoso", "Dewi Lestari"}
    assert ExportAudit.objects.get().kelurahan is None


@pytest.mark.parametrize("persona", ["city_viewer", "admin_user"])
@pytest.mark.parametrize("kelurahan_chosen", [False, True])
def test_those_who_may_not_see_birth_dates_get_ages(
    client, request, persona, kelurahan_chosen, kelurahan, register
):
    client.force_login(request.getfixturevalue(persona))
    params = {"kelurahan": kelurahan.pk} if kelurahan_chosen else {}

    content = body(download(client, "warga", **params))

    header, *rows = sheet_rows(content)
    home = register["home"]
    row = next(row for row in rows if row[0] == "Siti Aminah")
    assert header[3] == "Umur"
    assert row[3] == home.age()
    shown = cell_text(content)
    cells = {cell for row in rows for cell in row}
    for resident in register.values():
        assert resident.reveal_nik()[12:] not in shown
        assert datetime.datetime.combine(resident.birth_date, datetime.time()) not in cells


def test_city_viewer_may_choose_one_kelurahan(client, city_viewer, foreign_kelurahan, register):
    client.force_login(city_viewer)

    _header, *rows = sheet_rows(body(download(client, "warga", kelurahan=foreign_kelurahan.pk)))

    assert [row[0] for row in rows] == ["Dewi Lestari"]


@pytest.mark.parametrize("persona", STAFF_WITHOUT_EXPORTS + ["facilitator", "community_lead"])
def test_residents_chairs_and_others_are_refused(client, request, persona, kelurahan):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("export-list")).status_code == 403
    assert download(client, "warga").status_code == 403
    assert download(client, "warga", kelurahan=kelurahan.pk).status_code in (403, 404)
    assert not ExportAudit.objects.exists()


def test_anonymous_is_sent_to_log_in(client, kelurahan):
    for response in (client.get(reverse("export-list")), download(client, "warga")):
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_unknown_export_is_404(client, officer):
    client.force_login(officer)

    assert download(client, "tidak-ada").status_code == 404


def test_each_download_is_audited(client, officer, kelurahan, register):
    client.force_login(officer)
    before = timezone.now()

    download(client, "warga")

    audit = ExportAudit.objects.get()
    assert audit.user == officer
    assert audit.export == "warga"
    assert audit.kelurahan == kelurahan
    assert audit.scope == kelurahan.name
    # The two residents of Kelurahan Blitar plus the officer fixture's none.
    assert audit.row_count == 2
    assert before <= audit.at <= timezone.now()


def test_export_page_lists_downloads_for_the_officers_kelurahan(client, officer, kelurahan):
    client.force_login(officer)

    response = client.get(reverse("export-list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert kelurahan.name in page
    assert f"{reverse('export-download', args=['warga'])}?kelurahan={kelurahan.pk}" in page
    assert "Seluruh kota" not in page


def test_export_page_offers_the_city_to_city_viewers(client, city_viewer):
    client.force_login(city_viewer)

    page = client.get(reverse("export-list")).content.decode()

    assert "Seluruh kota" in page
    assert f'href="{reverse("export-download", args=["warga"])}"' in page


def test_home_page_links_to_exports_only_for_those_who_may(client, officer, resident_user):
    client.force_login(officer)
    assert reverse("export-list") in client.get(reverse("home")).content.decode()

    client.force_login(resident_user)
    assert reverse("export-list") not in client.get(reverse("home")).content.decode()


def test_activities_export_has_money_as_numbers(client, officer, rt, foreign_rt):
    activity = factories.ActivityFactory(
        rt=rt, status=ActivityStatus.APPROVED, planned_start=datetime.date(2026, 3, 2)
    )
    factories.BudgetLineFactory(activity=activity, quantity=20, unit_price=35_000)
    factories.BudgetLineFactory(activity=activity, quantity=1, unit_price=500_000)
    factories.ActivityFactory(rt=foreign_rt, title="Kegiatan kelurahan lain")
    client.force_login(officer)

    header, *rows = sheet_cells(body(download(client, "kegiatan")))

    assert [cell.value for cell in header][-1] == "Anggaran"
    assert len(rows) == 1
    row = rows[0]
    assert row[0].value == activity.title
    assert row[-1].value == 1_200_000
    assert row[-1].number_format == '"Rp"#,##0'
    assert row[9].is_date


def test_an_activity_of_the_whole_kelurahan_says_so_in_the_rt_column(
    client, officer, kelurahan, rt
):
    factories.ActivityFactory(rt=rt, title="Kegiatan RT")
    factories.ActivityFactory(rt=None, kelurahan=kelurahan, title="Kegiatan kelurahan")
    client.force_login(officer)

    header, *rows = sheet_rows(body(download(client, "kegiatan")))

    places = {row[0]: row[header.index("RT / RW")] for row in rows}
    assert places == {"Kegiatan RT": "RT 002 / RW 007", "Kegiatan kelurahan": "Seluruh kelurahan"}


def test_typed_text_starting_with_equals_is_written_as_text_not_a_formula(client, officer, rt):
    hostile = '=HYPERLINK("http://contoh.invalid","klik")'
    factories.ActivityFactory(rt=rt, status=ActivityStatus.APPROVED, title=hostile)
    client.force_login(officer)

    header, *rows = sheet_cells(body(download(client, "kegiatan")))

    assert rows[0][0].value == hostile
    assert rows[0][0].data_type == "s"


@pytest.mark.parametrize("name", ["warga", "kegiatan"])
def test_the_header_row_is_frozen_and_columns_fit_their_content(client, officer, rt, name):
    factories.ResidentFactory(rt=rt, address="Jl. Kelud " + "gang buntu " * 8)
    activity = factories.ActivityFactory(rt=rt, title="Pelatihan membatik tulis untuk remaja")
    factories.BudgetLineFactory(activity=activity, quantity=20, unit_price=35_000)
    client.force_login(officer)

    assert_laid_out(body(download(client, name)))


def test_every_export_freezes_its_header_row_even_without_rows(client, admin_user, kelurahan):
    client.force_login(admin_user)

    for export in all_exports():
        assert_laid_out(body(download(client, export.name)))


@pytest.mark.parametrize("name", ["warga", "kegiatan"])
def test_query_count_does_not_grow_with_rows(client, officer, rt, name):
    client.force_login(officer)

    def add(count):
        for _ in range(count):
            factories.ResidentFactory(rt=rt)
            factories.BudgetLineFactory(activity=factories.ActivityFactory(rt=rt))

    add(1)
    one = queries_for(client, name)
    add(49)
    fifty = queries_for(client, name)

    assert one == fifty


def test_planning_export_has_a_row_per_budget_line_of_approved_activities(
    client, officer, kelurahan, rt, foreign_rt
):
    approved = factories.ActivityFactory(
        rt=rt, status=ActivityStatus.APPROVED, title="Pelatihan membatik"
    )
    factories.BudgetLineFactory(
        activity=approved, item="Kain mori", quantity=20, unit="lembar", unit_price=35_000
    )
    factories.BudgetLineFactory(
        activity=approved, item="Honor pelatih", quantity=2, unit="hari", unit_price=250_000
    )
    whole = factories.ActivityFactory(
        rt=None, kelurahan=kelurahan, status=ActivityStatus.DELIVERED, title="Kerja bakti"
    )
    factories.BudgetLineFactory(activity=whole, item="Cangkul", quantity=5, unit="buah")
    proposed = factories.ActivityFactory(rt=rt, status=ActivityStatus.PROPOSED, title="Usulan")
    factories.BudgetLineFactory(activity=proposed)
    foreign = factories.ActivityFactory(rt=foreign_rt, status=ActivityStatus.APPROVED)
    factories.BudgetLineFactory(activity=foreign)
    client.force_login(officer)

    header, *rows = sheet_cells(body(download(client, "perencanaan")))

    assert [cell.value for cell in header][:7] == [
        "Kegiatan",
        "Uraian",
        "Lokasi",
        "Volume",
        "Satuan",
        "Harga satuan",
        "Anggaran",
    ]
    values = [[cell.value for cell in row] for row in rows]
    assert sorted((row[0], row[1]) for row in values) == [
        ("Kerja bakti", "Cangkul"),
        ("Pelatihan membatik", "Honor pelatih"),
        ("Pelatihan membatik", "Kain mori"),
    ]
    kain = next(row for row in rows if row[1].value == "Kain mori")
    assert [cell.value for cell in kain[2:7]] == [
        f"RT 002 / RW 007, {kelurahan.name}",
        20,
        "lembar",
        35_000,
        700_000,
    ]
    assert kain[6].number_format == '"Rp"#,##0'
    cangkul = next(row for row in values if row[1] == "Cangkul")
    assert cangkul[2] == f"Seluruh kelurahan, {kelurahan.name}"
    # The sum of the sheet is the approved activities' budget, to the rupiah.
    assert sum(row[6] for row in values) == sum(
        activity.budget_total
        for activity in type(approved).objects.with_budget_total()
        if activity.pk in (approved.pk, whole.pk)
    )


def test_planning_export_queries_do_not_grow_with_rows(client, officer, rt):
    client.force_login(officer)

    def add(count):
        for _ in range(count):
            activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.APPROVED)
            factories.BudgetLineFactory(activity=activity)
            factories.BudgetLineFactory(activity=activity)

    add(1)
    one = queries_for(client, "perencanaan")
    add(30)
    assert queries_for(client, "perencanaan") == one
