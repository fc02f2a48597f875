"""Evaluation rounds: opening, forum attendance as co-assessment, closing moves activities on."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import selectors, services
from assessment.models import EvaluationRound, ForumAttendance
from rtkeren.models import ActivityStatus, Participation, Stage
from rtkeren.transitions import transition_guards
from tests import factories as core

from .factories import EvaluationRoundFactory, delivered_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_period(db):
    """A period that began 100 days ago, so that an activity delivered 40 days ago is in it."""
    today = timezone.localdate()
    return core.PeriodFactory(
        year=1999,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=265),
    )


@pytest.fixture
def evaluation_round(kelurahan, rt, officer, long_period):
    """A round of the RT, whose forum took place yesterday."""
    return EvaluationRoundFactory(
        kelurahan=kelurahan,
        rt=rt,
        period=long_period,
        opened_by=officer,
        forum_on=timezone.localdate() - datetime.timedelta(days=1),
        forum_place="Balai RW 007",
    )


def test_an_officer_opens_a_round_for_an_rt(officer, rt, period):
    evaluation_round = services.round_open(
        by=officer,
        place=rt,
        period=period,
        title="Evaluasi triwulan I",
        covers_from=period.starts_on,
        covers_until=period.starts_on + datetime.timedelta(days=89),
    )

    assert (evaluation_round.rt, evaluation_round.kelurahan_id) == (rt, rt.rw.kelurahan_id)


def test_a_round_outside_the_period_is_refused(officer, rt, period):
    with pytest.raises(ValidationError):
        services.round_open(
            by=officer,
            place=rt,
            period=period,
            title="x",
            covers_from=period.starts_on - datetime.timedelta(days=1),
            covers_until=period.ends_on,
        )
    assert not EvaluationRound.objects.exists()


def test_only_officers_of_the_kelurahan_open_rounds(rt_chair, foreign_officer, rt, period):
    for user in (rt_chair, foreign_officer):
        with pytest.raises(PermissionDenied):
            services.round_open(
                by=user,
                place=rt,
                period=period,
                title="x",
                covers_from=period.starts_on,
                covers_until=period.ends_on,
            )


def test_forum_attendance_counts_as_co_assessment(evaluation_round, rt_chair, rt):
    present, absent = core.ResidentFactory(rt=rt), core.ResidentFactory(rt=rt)

    assert services.forum_attendance_set(
        evaluation_round=evaluation_round, by=rt_chair, present=[present], shown=[present, absent]
    ) == (1, 0)
    row = Participation.objects.get(stage=Stage.ASSESSMENT)
    assert (row.resident, row.occurred_on) == (present, evaluation_round.forum_on)

    assert services.forum_attendance_set(
        evaluation_round=evaluation_round, by=rt_chair, present=[], shown=[present, absent]
    ) == (0, 1)
    assert not Participation.objects.filter(stage=Stage.ASSESSMENT).exists()
    assert not ForumAttendance.objects.exists()


@pytest.mark.parametrize("where", ["other_rt", "foreign_rt"])
def test_residents_from_elsewhere_cannot_be_marked_present(
    request, evaluation_round, officer, where
):
    stranger = core.ResidentFactory(rt=request.getfixturevalue(where))

    with pytest.raises(ValidationError):
        services.forum_attendance_set(
            evaluation_round=evaluation_round, by=officer, present=[stranger], shown=[stranger]
        )
    assert not ForumAttendance.objects.exists()


def test_closing_moves_activities_whose_window_closed(
    evaluation_round, officer, rt, other_rt, long_period, monkeypatch
):
    monkeypatch.setattr(transition_guards, "entries", {})
    old = delivered_activity(by=officer, days_ago=40, rt=rt, period=long_period)
    recent = delivered_activity(by=officer, days_ago=3, rt=rt, period=long_period)
    delivered_activity(by=officer, days_ago=40, rt=other_rt, period=long_period)

    assert set(selectors.round_activities(evaluation_round)) == {old, recent}
    assert services.round_close(evaluation_round=evaluation_round, by=officer) == (1, 1)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (ActivityStatus.EVALUATED, ActivityStatus.DELIVERED)
    assert evaluation_round.status == "closed"
    with pytest.raises(ValidationError):
        services.round_close(evaluation_round=evaluation_round, by=officer)


def test_the_attendance_page(client, evaluation_round, rt_chair, rt):
    resident = core.ResidentFactory(rt=rt, name="Bu Suwarni")
    client.force_login(rt_chair)
    url = reverse("assessment:round-attendance", args=[evaluation_round.pk])

    assert "Bu Suwarni" in client.get(url).content.decode()
    ticked = {"shown": str(resident.pk), f"present_{resident.pk}": "on"}
    assert client.post(url, ticked).status_code == 302
    assert ForumAttendance.objects.get().resident == resident
    assert client.get(url).context["form"][f"present_{resident.pk}"].value() is True


def test_saving_a_page_of_attendance_changes_only_the_residents_that_page_showed(
    client, evaluation_round, officer, rt
):
    """The list shifts while the page is open (a resident sorted first is added and recorded
    present meanwhile): saving the page leaves that resident alone."""
    residents = [core.ResidentFactory(rt=rt, name=f"Warga {n:02d}") for n in range(50)]
    client.force_login(officer)
    url = reverse("assessment:round-attendance", args=[evaluation_round.pk])
    page = client.get(url).context["form"]
    assert [r.pk for r in page.residents] == [r.pk for r in residents]
    newcomer = core.ResidentFactory(rt=rt, name="Aminah")
    services.forum_attendance_set(
        evaluation_round=evaluation_round, by=officer, present=[newcomer], shown=[newcomer]
    )

    ticked = {"shown": page["shown"].value(), f"present_{residents[0].pk}": "on"}
    assert client.post(url, ticked).status_code == 302

    present = set(ForumAttendance.objects.values_list("resident_id", flat=True))
    assert present == {newcomer.pk, residents[0].pk}
