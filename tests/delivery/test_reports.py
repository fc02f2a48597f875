"""The RT's spending report (LPJ): who may print it, what it holds, flat query counts, and the
delivery section of the activity report."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Activity, ActivityStatus
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

    fill(rt, 1)
    fill(other_rt, 4)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as one:
        assert client.get(lpj(rt, period)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(lpj(other_rt, period)).status_code == 200
    assert len(one) == len(many)


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
