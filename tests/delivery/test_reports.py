"""The RT's spending report (LPJ): who may print it, what it holds, flat query counts, and the
delivery section of the activity report."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Activity, ActivityStatus
from rtkeren.services.activities import activity_approve
from rtkeren.services.budget import activity_shares_set
from tests import factories as core

from . import factories

pytestmark = pytest.mark.django_db


def lpj(rt, period):
    return reverse("delivery:report-lpj", args=[rt.pk]) + f"?period={period.pk}"


@pytest.fixture
def funded(running):
    factories.SpendingFactory(activity=running, item="Kain mori prima", amount=250_000)
    factories.SpendingFactory(activity=running, item="Malam batik", amount=150_000)
    return running


@pytest.mark.parametrize(
    "persona", ["officer", "facilitator", "rt_chair", "pokmas_member", "city_viewer"]
)
def test_lpj_renders_for_the_accountable(client, request, rt, period, funded, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(lpj(rt, period))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'css/print.css" media="print"' in content
    assert funded.title in content
    assert "Kain mori prima" in content
    assert "Malam batik" in content
    assert content.count('class="receipt-thumbnail') == 2
    assert "Rp700.000" in content  # approved budget
    assert "Rp400.000" in content  # spent
    assert "Rp300.000" in content  # remaining
    for signature in ("Ketua RT", "Bendahara Pokmas", "Mengetahui, Lurah"):
        assert signature in content


def test_lpj_leaves_out_other_funding_and_unapproved_activities(
    client, rt, period, funded, officer
):
    factories.approved_activity(
        rt, period=period, title="Kerja bakti swadaya", funding_source=Activity.Funding.SWADAYA
    )
    core.ActivityFactory(
        rt=rt, period=period, title="Usulan belum disetujui", status=ActivityStatus.PROPOSED
    )
    client.force_login(officer)
    content = client.get(lpj(rt, period)).content.decode()
    assert funded.title in content
    assert "Kerja bakti swadaya" not in content
    assert "Usulan belum disetujui" not in content


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("rw_chair", 404),
        ("resident_user", 404),
        ("community_lead", 404),
        ("other_rt_chair", 404),
        ("outsider", 404),
        ("foreign_officer", 404),
    ],
)
def test_lpj_refused_to_others(client, request, rt, period, funded, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(lpj(rt, period)).status_code == status


def test_lpj_of_a_foreign_rt_is_404(client, foreign_rt, period, officer):
    client.force_login(officer)
    assert client.get(lpj(foreign_rt, period)).status_code == 404


def test_lpj_queries_do_not_grow(client, rt, other_rt, period, rt_chair, officer):
    def fill(on_rt, count):
        for _ in range(count):
            activity = factories.approved_activity(
                on_rt, period=period, author=rt_chair, status=ActivityStatus.IN_DELIVERY
            )
            core.BudgetLineFactory(activity=activity)
            for _ in range(count):
                factories.SpendingFactory(activity=activity)

    def share(count):
        for _ in range(count):
            festival = core.ActivityFactory(
                rt=None, kelurahan=rt.rw.kelurahan, period=period, status=ActivityStatus.PROPOSED
            )
            core.BudgetLineFactory(activity=festival, quantity=1, unit="paket", unit_price=2_000)
            activity_shares_set(
                activity=festival, by=officer, amounts={rt.pk: 1_000, other_rt.pk: 1_000}
            )
            activity_approve(activity=festival, by=officer)
            factories.SpendingFactory(activity=festival, amount=999)

    fill(rt, 1)
    fill(other_rt, 4)
    share(1)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as one:
        assert client.get(lpj(rt, period)).status_code == 200
    share(4)
    with CaptureQueriesContext(connection) as many:
        assert client.get(lpj(other_rt, period)).status_code == 200
    assert len(one) == len(many)


def test_lpj_accounts_for_the_rts_share_of_a_kelurahan_wide_activity(
    client, rt, other_rt, period, officer, rt_chair
):
    festival = core.ActivityFactory(
        rt=None,
        kelurahan=rt.rw.kelurahan,
        period=period,
        status=ActivityStatus.PROPOSED,
        title="Festival hadrah lintas iman",
    )
    core.BudgetLineFactory(activity=festival, quantity=1, unit="paket", unit_price=5_300_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 3_300_000, other_rt.pk: 2_000_000}
    )
    activity_approve(activity=festival, by=officer)
    factories.SpendingFactory(activity=festival, item="Sewa tata suara", amount=2_650_000)
    client.force_login(rt_chair)

    response = client.get(lpj(rt, period))

    content = response.content.decode()
    assert festival.title in content
    assert "Sewa tata suara" in content
    assert "ditanggung bersama oleh beberapa RT" in content
    assert response.context["budget"] == 3_300_000
    assert response.context["spent"] == 1_650_000  # 2.650.000 x 3,3 / 5,3
    assert "Rp1.650.000" in content
    assert "Rp5.300.000" in content  # the whole budget, its lines shown in full


def test_delivery_page_links_the_lpj(client, running, rt_chair):
    client.force_login(rt_chair)
    content = client.get(reverse("delivery:activity-detail", args=[running.pk])).content.decode()
    assert reverse("delivery:report-lpj", args=[running.rt_id]) in content


def test_activity_report_delivery_section(client, running, officer):
    meeting = factories.MeetingFactory(activity=running, title="Membatik pola dasar")
    factories.AttendanceFactory(meeting=meeting)
    factories.PhotoFactory(meeting=meeting, caption="Peserta membatik")
    factories.OutputFactory(
        activity=running, name="Kain batik motif", finished_quantity=5, status="in_progress"
    )
    client.force_login(officer)
    content = client.get(reverse("report-activity", args=[running.pk])).content.decode()
    assert "Membatik pola dasar" in content
    assert "Peserta membatik" in content
    assert "Kain batik motif" in content
    assert "50%" in content
