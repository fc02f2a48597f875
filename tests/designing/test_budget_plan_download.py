"""The RT budget plan as an Excel sheet in the regional planning system's columns: the RT's own
lines and its shares, adding up to what the RAP page shows, for those who see the plan only."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from rtkeren.models import Activity, ActivityStatus
from rtkeren.services.activities import activity_approve
from rtkeren.services.budget import activity_shares_set
from tests import factories as core

pytestmark = pytest.mark.django_db


def download(rt, period):
    return reverse("designing:budgetplan-download", args=[rt.pk]) + f"?period={period.pk}"


def rows_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, rows


@pytest.fixture
def plan(rt, other_rt, kelurahan, period, officer, rt_chair):
    paving = core.ActivityFactory(
        rt=rt,
        period=period,
        status=ActivityStatus.APPROVED,
        title="Paving gang",
        nature=Activity.Nature.FISIK,
    )
    core.BudgetLineFactory(
        activity=paving, item="Paving block", quantity=500, unit="buah", unit_price=25_000
    )
    core.BudgetLineFactory(
        activity=paving, item="Semen", quantity=20, unit="sak", unit_price=65_000
    )
    pending = core.ActivityFactory(
        rt=rt, period=period, status=ActivityStatus.PROPOSED, title="Pelatihan batik"
    )
    core.BudgetLineFactory(
        activity=pending, item="Kain mori", quantity=40, unit="lembar", unit_price=35_000
    )
    # Neither a draft, another source, another RT nor another year is in the plan.
    core.BudgetLineFactory(
        activity=core.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DRAFT)
    )
    core.BudgetLineFactory(
        activity=core.ActivityFactory(
            rt=rt,
            period=period,
            status=ActivityStatus.APPROVED,
            funding_source=Activity.Funding.SWADAYA,
        )
    )
    core.BudgetLineFactory(
        activity=core.ActivityFactory(rt=other_rt, period=period, status=ActivityStatus.APPROVED)
    )
    festival = core.ActivityFactory(
        rt=None,
        kelurahan=kelurahan,
        period=period,
        status=ActivityStatus.PROPOSED,
        title="Festival hadrah",
    )
    core.BudgetLineFactory(activity=festival, quantity=1, unit="paket", unit_price=3_000_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 2_000_000, other_rt.pk: 1_000_000}
    )
    activity_approve(activity=festival, by=officer)
    return {"paving": paving, "pending": pending, "festival": festival}


def test_the_sheet_holds_the_rts_lines_and_shares_and_adds_up_to_the_page(
    client, rt, period, rt_chair, plan
):
    client.force_login(rt_chair)
    page = client.get(reverse("designing:budgetplan-detail", args=[rt.pk]) + f"?period={period.pk}")
    assert reverse("designing:budgetplan-download", args=[rt.pk]) in page.content.decode()

    header, rows = rows_of(client.get(download(rt, period)))

    assert header == [
        "Kegiatan",
        "Uraian",
        "Lokasi",
        "Volume",
        "Satuan",
        "Harga satuan",
        "Anggaran",
        "Sumber dana",
        "Fisik atau nonfisik",
        "Periode",
        "Status",
    ]
    assert [row[:2] + row[3:7] for row in rows] == [
        ["Paving gang", "Paving block", 500, "buah", 25_000, 12_500_000],
        ["Paving gang", "Semen", 20, "sak", 65_000, 1_300_000],
        ["Pelatihan batik", "Kain mori", 40, "lembar", 35_000, 1_400_000],
        [
            "Festival hadrah",
            "Bagian RT 002 / RW 007 dalam kegiatan tingkat kelurahan",
            1,
            "paket",
            2_000_000,
            2_000_000,
        ],
    ]
    assert rows[0][2] == f"RT 002 / RW 007, {rt.rw.kelurahan.name}"
    assert rows[3][2] == f"Seluruh kelurahan, {rt.rw.kelurahan.name}"
    assert {row[9] for row in rows} == {period.year}
    budget_plan = page.context["plan"]
    assert sum(row[6] for row in rows) == budget_plan.committed + budget_plan.proposed


@pytest.mark.parametrize(
    "persona", ["officer", "rt_chair", "resident_user", "facilitator", "city_viewer"]
)
def test_those_who_see_the_plan_may_download_it(client, request, rt, period, plan, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(download(rt, period)).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_rt_chair", 404), ("outsider", 404), ("foreign_officer", 404)],
)
def test_others_may_not(client, request, rt, period, plan, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(download(rt, period)).status_code == status


def test_a_visitor_is_sent_to_the_login_page(client, rt, period):
    response = client.get(download(rt, period))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_an_unknown_period_falls_back_to_the_current_one(client, rt, period, rt_chair, plan):
    client.force_login(rt_chair)
    url = reverse("designing:budgetplan-download", args=[rt.pk]) + "?period=abc"
    _header, rows = rows_of(client.get(url))
    assert len(rows) == 4


def test_queries_do_not_grow_with_the_lines(client, rt, period, rt_chair, plan):
    client.force_login(rt_chair)
    with CaptureQueriesContext(connection) as few:
        rows_of(client.get(download(rt, period)))
    for _ in range(10):
        core.BudgetLineFactory(activity=plan["paving"])
    with CaptureQueriesContext(connection) as many:
        _header, rows = rows_of(client.get(download(rt, period)))
    assert len(rows) == 14
    assert len(many) == len(few)
