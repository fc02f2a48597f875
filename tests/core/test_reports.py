"""The printable activity report and yearly RT report: who may print them, what they show (and
never show), and flat query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from delivery.models import Implementer
from rtkeren.models import ActivityStatus
from tests import factories
from tests.assessment import factories as assessment_factories
from tests.delivery import factories as delivery_factories
from tests.designing import factories as designing_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(rt, period, rt_chair):
    activity = assessment_factories.delivered_activity(
        by=rt_chair,
        rt=rt,
        kelurahan=rt.rw.kelurahan,
        period=period,
        author=rt_chair,
        title="Pelatihan batik tulis",
    )
    factories.BudgetLineFactory(
        activity=activity, item="Kain mori", quantity=2, unit="roll", unit_price=250_000
    )
    return activity


def _fill(activity, count):
    """``count`` meetings, each with ``count`` attendees (one a minor) and photos, outputs,
    spending lines, evaluations and follow-ups."""
    for _ in range(count):
        meeting = delivery_factories.MeetingFactory(
            activity=activity, date=timezone.localdate() - datetime.timedelta(days=5)
        )
        for index in range(count):
            delivery_factories.AttendanceFactory(meeting=meeting, is_minor=index == 0)
            delivery_factories.PhotoFactory(meeting=meeting)
        delivery_factories.OutputFactory(
            activity=activity, finished_quantity=5, status="in_progress"
        )
        delivery_factories.SpendingFactory(activity=activity)
        evaluation = assessment_factories.EvaluationFactory(activity=activity)
        assessment_factories.FollowUpFactory(activity=activity, evaluation=evaluation)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# The activity report.


@pytest.mark.parametrize(
    "persona", ["officer", "facilitator", "rt_chair", "pokmas_member", "city_viewer"]
)
def test_activity_report_renders_for_the_accountable(client, request, delivered, persona):
    _fill(delivered, 1)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("report-activity", args=[delivered.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'css/print.css" media="print"' in content
    assert "js/print-button.js" in content
    assert "Pelatihan batik tulis" in content
    assert "Kain mori" in content  # the plan's budget line
    for section in ("report-designing", "report-delivery", "report-assessment"):
        assert f'id="{section}"' in content
    assert "Pertemuan" in content
    assert "Menjadwalkan ulang pelatih" in content  # the follow-up


def test_activity_report_for_its_coordinator(client, delivered):
    user, resident = factories.make_resident_user(delivered.rt, "koordinator")
    delivery_factories.ImplementerFactory(
        activity=delivered, resident=resident, role=Implementer.Role.COORDINATOR
    )
    client.force_login(user)
    assert client.get(reverse("report-activity", args=[delivered.pk])).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("rw_chair", 403),
        ("resident_user", 403),
        ("community_lead", 404),
        ("other_rt_chair", 404),
        ("outsider", 404),
        ("foreign_officer", 404),
    ],
)
def test_activity_report_refused_to_others(client, request, delivered, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("report-activity", args=[delivered.pk])).status_code == status


def test_activity_report_needs_login(client, delivered):
    response = client.get(reverse("report-activity", args=[delivered.pk]))
    assert response.status_code == 302


def test_activity_report_of_a_proposal_has_no_delivery_sections(
    client, rt, period, officer, rt_chair
):
    proposal = factories.ActivityFactory(
        rt=rt, period=period, author=rt_chair, status=ActivityStatus.PROPOSED
    )
    client.force_login(officer)
    content = client.get(reverse("report-activity", args=[proposal.pk])).content.decode()
    assert 'id="report-designing"' in content
    assert 'id="report-delivery"' not in content
    assert 'id="report-assessment"' not in content


def test_activity_report_shows_no_nik_nor_names_of_attendees(client, delivered, officer):
    minor_nik = factories.make_nik(datetime.date(2016, 1, 1), "P", 71)
    adult_nik = factories.make_nik(datetime.date(1980, 5, 5), "L", 72)
    minor = factories.ResidentFactory(
        rt=delivered.rt,
        name="Anak Sekolah Dasar",
        birth_date=datetime.date(2016, 1, 1),
        nik=minor_nik,
    )
    adult = factories.ResidentFactory(rt=delivered.rt, name="Warga Dewasa Hadir", nik=adult_nik)
    meeting = delivery_factories.MeetingFactory(activity=delivered)
    delivery_factories.AttendanceFactory(meeting=meeting, resident=minor, is_minor=True)
    delivery_factories.AttendanceFactory(meeting=meeting, resident=adult)
    client.force_login(officer)
    content = client.get(reverse("report-activity", args=[delivered.pk])).content.decode()
    assert "Anak Sekolah Dasar" not in content
    assert "Warga Dewasa Hadir" not in content
    assert minor_nik not in content
    assert adult_nik not in content
    assert "2 kehadiran" in content  # counts only
    assert "1 anak" in content


def test_activity_report_queries_do_not_grow(client, rt, period, rt_chair, officer):
    few = assessment_factories.delivered_activity(
        by=rt_chair, rt=rt, kelurahan=rt.rw.kelurahan, period=period, author=rt_chair
    )
    many = assessment_factories.delivered_activity(
        by=rt_chair, rt=rt, kelurahan=rt.rw.kelurahan, period=period, author=rt_chair
    )
    _fill(few, 1)
    _fill(many, 4)
    client.force_login(officer)
    # The public records the report reads (its criteria) are read once, then kept.
    client.get(reverse("report-activity", args=[few.pk]))
    assert _queries(client, reverse("report-activity", args=[few.pk])) == _queries(
        client, reverse("report-activity", args=[many.pk])
    )


def test_activity_page_links_the_report_for_the_accountable_only(
    client, delivered, officer, resident_user
):
    url = reverse("report-activity", args=[delivered.pk])
    client.force_login(officer)
    assert url in client.get(reverse("activity-detail", args=[delivered.pk])).content.decode()
    client.force_login(resident_user)
    assert url not in client.get(reverse("activity-detail", args=[delivered.pk])).content.decode()


# The yearly RT report.


@pytest.mark.parametrize(
    "persona", ["officer", "facilitator", "rt_chair", "pokmas_member", "city_viewer"]
)
def test_rt_report_renders_for_the_accountable(client, request, rt, period, delivered, persona):
    factories.ActivityFactory(
        rt=rt, period=period, title="Draf rahasia", status=ActivityStatus.DRAFT
    )
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("report-rt", args=[rt.pk]), {"period": period.pk})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'css/print.css" media="print"' in content
    assert "Pelatihan batik tulis" in content
    assert "Rp500.000" in content  # the budget total of the delivered activity
    assert "Draf rahasia" not in content
    for section in ("report-rt-commissioning", "report-rt-delivery", "report-rt-assessment"):
        assert f'id="{section}"' in content


@pytest.mark.parametrize(
    "persona", ["rw_chair", "resident_user", "other_rt_chair", "outsider", "foreign_officer"]
)
def test_rt_report_refused_to_others(client, request, rt, period, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("report-rt", args=[rt.pk])).status_code == 404


def test_rt_report_of_a_foreign_rt_is_404_for_an_officer(client, foreign_rt, period, officer):
    client.force_login(officer)
    assert client.get(reverse("report-rt", args=[foreign_rt.pk])).status_code == 404


def test_rt_report_queries_do_not_grow(client, rt, other_rt, period, rt_chair, officer):
    def activities(on_rt, count):
        for _ in range(count):
            activity = assessment_factories.delivered_activity(
                by=rt_chair,
                rt=on_rt,
                kelurahan=on_rt.rw.kelurahan,
                period=period,
                author=rt_chair,
            )
            _fill(activity, 2)

    activities(rt, 1)
    activities(other_rt, 4)
    client.force_login(officer)
    url = {"period": period.pk}
    # Each once first, so that both are counted with the shared caches (the periods among them)
    # filled.
    for warmed in (rt, other_rt):
        assert client.get(reverse("report-rt", args=[warmed.pk]), url).status_code == 200
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("report-rt", args=[rt.pk]), url).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("report-rt", args=[other_rt.pk]), url).status_code == 200
    assert len(one) == len(many)


def test_activity_report_keeps_the_counts_of_an_open_round_for_officers(
    client, rt, period, officer, rt_chair
):
    proposal = designing_factories.proposal(rt=rt, period=period, author=rt_chair)
    voting_round = designing_factories.VotingRoundFactory(
        rt=rt, period=period, proposals=[proposal], title="Pemilihan RT 002"
    )
    designing_factories.VoteFactory.create_batch(3, round=voting_round, activity=proposal)
    url = reverse("report-activity", args=[proposal.pk])
    counted = "Pemilihan RT 002: 3"

    client.force_login(officer)
    assert counted in client.get(url).content.decode()
    client.force_login(rt_chair)
    assert counted not in client.get(url).content.decode()

    designing_factories.closed(voting_round)
    assert counted in client.get(url).content.decode()
