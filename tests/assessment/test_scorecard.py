"""The co-production scorecard: its arithmetic on hand-built data, the study's verdict ("three
stages fulfilled, co-assessment not"), comparisons, export and thresholds."""

import datetime
import io

import factory
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment import scorecard, services
from assessment.scorecard import Scope
from rtkeren.models import Period, Stage
from rtkeren.services.ledger import participation_record
from rtkeren.services.residents import resident_move
from tests import factories as core
from tests.core.exports_support import assert_laid_out

from .factories import all_scores, delivered_activity, take_part

pytestmark = pytest.mark.django_db


def _adults(rt, count, **fields):
    """Adults at the start of the periods these tests use, last year's included."""
    fields.setdefault("birth_date", factory.Faker("date_of_birth", minimum_age=20, maximum_age=80))
    return [core.ResidentFactory(rt=rt, **fields) for _ in range(count)]


# One kind each stage's services write, so that a row counts in that stage.
KIND_IN = {
    Stage.COMMISSIONING: "forum_attended",
    Stage.DESIGNING: "proposal_commented",
    Stage.DELIVERY: "attended",
    Stage.ASSESSMENT: "evaluation_submitted",
}


def _record(resident, stage, subject, **fields):
    return participation_record(resident=resident, kind=KIND_IN[stage], subject=subject, **fields)


def test_distinct_residents_not_events_over_active_adults(rt, other_rt, period, officer):
    residents = _adults(rt, 8)
    moved = core.ResidentFactory(rt=rt, status="moved")
    deceased = core.ResidentFactory(rt=rt, status="deceased")
    # 17 on the day after the period starts: not yet an adult for this period.
    minor = core.ResidentFactory(
        rt=rt,
        birth_date=period.starts_on.replace(year=period.starts_on.year - 17)
        + datetime.timedelta(days=1),
    )
    _adults(other_rt, 5)
    activities = [core.ActivityFactory(rt=rt, period=period) for _ in range(3)]
    for activity in activities:  # one resident, three events: counted once
        _record(residents[0], Stage.DESIGNING, activity, activity=activity)
    _record(residents[1], Stage.DESIGNING, activities[0], activity=activities[0])
    for outside_base in (moved, deceased, minor):
        _record(outside_base, Stage.DESIGNING, activities[0], activity=activities[0])

    card = scorecard.scorecard(scope=Scope(rt=rt), period=period)

    assert card.base == 8
    designing = card.result(Stage.DESIGNING)
    assert (designing.participants, designing.rate, designing.met) == (2, 25.0, True)
    assert card.result(Stage.COMMISSIONING).participants == 0
    kelurahan_card = scorecard.scorecard(scope=Scope(kelurahan=rt.rw.kelurahan), period=period)
    assert kelurahan_card.base == 13
    assert kelurahan_card.result(Stage.DESIGNING).rate == round(2 * 100 / 13, 1)


def test_an_adult_on_the_first_day_of_the_period_is_in_the_base(rt, period):
    core.ResidentFactory(
        rt=rt, birth_date=period.starts_on.replace(year=period.starts_on.year - 17)
    )

    assert scorecard.scorecard(scope=Scope(rt=rt), period=period).base == 1


def test_events_count_in_their_own_period(rt, period):
    last_year = core.PeriodFactory(year=period.year - 1)
    resident = _adults(rt, 1)[0]
    old_activity = core.ActivityFactory(rt=rt, period=last_year)
    _record(resident, Stage.DELIVERY, old_activity, activity=old_activity)
    _record(
        resident,
        Stage.COMMISSIONING,
        rt,
        occurred_on=period.starts_on + datetime.timedelta(days=3),
    )

    this_year = scorecard.scorecard(scope=Scope(rt=rt), period=period)
    before = scorecard.scorecard(scope=Scope(rt=rt), period=last_year)

    assert this_year.result(Stage.DELIVERY).participants == 0
    assert this_year.result(Stage.COMMISSIONING).participants == 1
    assert before.result(Stage.DELIVERY).participants == 1
    assert before.result(Stage.COMMISSIONING).participants == 0


def test_a_resident_who_moved_counts_where_they_took_part(rt, other_rt, period, officer):
    """They lived in both RTs this period, so both bases hold them; the ledger row is in the RT
    where they took part, and counts there only."""
    resident = _adults(rt, 1)[0]
    _adults(other_rt, 1)
    _record(resident, Stage.COMMISSIONING, rt, period=period)
    resident_move(
        by=officer,
        resident=resident,
        happened_on=max(period.starts_on, timezone.localdate() - datetime.timedelta(days=1)),
        note="Pindah rumah",
        to_rt=other_rt,
    )

    here = scorecard.scorecard(scope=Scope(rt=rt), period=period)
    there = scorecard.scorecard(scope=Scope(rt=other_rt), period=period)

    assert (here.base, here.result(Stage.COMMISSIONING).participants) == (1, 1)
    assert (there.base, there.result(Stage.COMMISSIONING).participants) == (2, 0)


def test_a_resident_who_moved_between_kelurahan_counts_once_in_the_city(
    rt, foreign_rt, period, officer
):
    """The city's figures are its kelurahan's added up: someone both count (they lived in
    both, and took part in both) is taken off once, in the base and in each stage, own rows
    included; those who took part on their own in one only are still counted as such."""
    mover, stays, other = _adults(rt, 1)[0], _adults(rt, 1)[0], _adults(foreign_rt, 1)[0]
    _record(mover, Stage.COMMISSIONING, rt, period=period)
    _record(mover, Stage.DESIGNING, rt, period=period, on_behalf=True)
    _record(stays, Stage.COMMISSIONING, rt, period=period)
    resident_move(
        by=officer,
        resident=mover,
        happened_on=timezone.localdate(),
        note="Pindah ke kelurahan lain",
        to_rt=foreign_rt,
    )
    mover.refresh_from_db()
    _record(mover, Stage.COMMISSIONING, foreign_rt, period=period)
    _record(mover, Stage.DESIGNING, foreign_rt, period=period)
    _record(other, Stage.DESIGNING, foreign_rt, period=period)

    city = scorecard.scorecard(scope=Scope(), period=period)
    places = scorecard.compare_kelurahan(period=period)
    in_one_pass = scorecard._card_figures(Scope(), period)

    assert sorted(card.base for card in places if card.base) == [2, 2]
    assert city.base == 3
    assert (
        city.result(Stage.COMMISSIONING).participants,
        city.result(Stage.COMMISSIONING).own,
    ) == (2, 2)
    # The mover's designing row in the first kelurahan was recorded on their behalf, their own
    # in the second: once in the city, and on their own.
    assert (city.result(Stage.DESIGNING).participants, city.result(Stage.DESIGNING).own) == (2, 2)
    assert (city.base, {r.stage.value: (r.participants, r.own) for r in city.stages}) == (
        in_one_pass[0],
        {stage.value: in_one_pass[1].get(stage.value, (0, 0)) for stage in Stage},
    )


def test_three_stages_fulfilled_and_co_assessment_flips_when_residents_evaluate(
    kelurahan, rt, period, officer, facilitator, django_capture_on_commit_callbacks
):
    """The study's finding, from recorded data: residents take part in planning, design and
    delivery, but only the government side evaluates."""
    residents = _adults(rt, 10)
    activity = delivered_activity(by=officer, rt=rt, period=period)
    for resident in residents[:3]:
        _record(resident, Stage.COMMISSIONING, rt, period=period)
        _record(resident, Stage.DESIGNING, activity, activity=activity)
        take_part(resident, activity)
    for government in (officer, facilitator):
        services.evaluation_submit(activity=activity, by=government, scores=all_scores(4))

    card = scorecard.scorecard(scope=Scope(kelurahan=kelurahan), period=period)

    assert [result.met for result in card.stages] == [True, True, True, False]
    assert card.result(Stage.ASSESSMENT).participants == 0
    assert "3 dari empat tahap ko-produksi terpenuhi." in card.sentences
    assert any("Hanya pihak pemerintah yang menilai" in s for s in card.sentences)

    # The evaluations commit, as outside a test, and the kelurahan's scorecard follows them.
    with django_capture_on_commit_callbacks(execute=True):
        user, _resident = core.make_resident_user(rt, "peserta")
        take_part(user.resident, activity)
        services.evaluation_submit(activity=activity, by=user, scores=all_scores(3))
    card = scorecard.scorecard(scope=Scope(kelurahan=kelurahan), period=period)

    # 1 of 11 active adults: 9.1%, below 10%. A second resident evaluating tips it over.
    assert card.result(Stage.ASSESSMENT).rate == 9.1
    assert not card.result(Stage.ASSESSMENT).met
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_record_on_behalf(
            activity=activity, by=officer, resident=residents[0], scores=all_scores(4)
        )
    card = scorecard.scorecard(scope=Scope(kelurahan=kelurahan), period=period)
    assert [result.met for result in card.stages] == [True, True, True, True]
    assert not any("Hanya pihak pemerintah" in s for s in card.sentences)


def test_the_threshold_decides(kelurahan, rt, period, admin_user):
    residents = _adults(rt, 10)
    _record(residents[0], Stage.COMMISSIONING, rt, period=period)
    assert scorecard.scorecard(scope=Scope(rt=rt), period=period).result(Stage.COMMISSIONING).met

    services.period_thresholds_set(period=period, by=admin_user, thresholds={"commissioning": 15})
    period.refresh_from_db()

    assert (
        not scorecard.scorecard(scope=Scope(rt=rt), period=period).result(Stage.COMMISSIONING).met
    )
    latest = period.history.latest()
    assert (latest.threshold_commissioning, latest.history_user) == (15, admin_user)


def test_only_admins_change_thresholds(period, officer, city_viewer):
    for user in (officer, city_viewer):
        with pytest.raises(PermissionDenied):
            services.period_thresholds_set(period=period, by=user, thresholds={"delivery": 1})
    assert Period.objects.get().threshold_delivery == 10


def test_thresholds_out_of_range_are_refused_with_a_message(client, admin_user, period):
    client.force_login(admin_user)
    url = reverse("assessment:scorecard-thresholds", args=[period.pk])

    response = client.post(
        url,
        {
            "threshold_commissioning": 101,
            "threshold_designing": 10,
            "threshold_delivery": 10,
            "threshold_assessment": 10,
        },
    )

    assert response.status_code == 200
    assert "100" in response.content.decode()
    assert Period.objects.get().threshold_commissioning == 10
    ok = {f"threshold_{stage}": 20 for stage in Stage.values}
    assert client.post(url, ok).status_code == 302
    assert Period.objects.get().threshold_assessment == 20


def test_rts_side_by_side_sorted(kelurahan, rt, other_rt, period):
    a = _adults(rt, 4)
    _adults(other_rt, 2)
    _record(a[0], Stage.COMMISSIONING, rt, period=period)
    b = core.ResidentFactory(rt=other_rt)
    _record(b, Stage.COMMISSIONING, other_rt, period=period)

    by_name = scorecard.compare_rts(kelurahan=kelurahan, period=period)
    by_rate = scorecard.compare_rts(
        kelurahan=kelurahan, period=period, sort="commissioning", descending=True
    )

    assert [card.scope_name for card in by_name] == [str(rt), str(other_rt)]
    assert [card.rate("commissioning") for card in by_name] == [25.0, 33.3]
    assert [card.scope_name for card in by_rate] == [str(other_rt), str(rt)]


def test_kelurahan_side_by_side_and_across_periods(kelurahan, rt, foreign_rt, period):
    _record(_adults(rt, 2)[0], Stage.DELIVERY, rt, period=period)
    _adults(foreign_rt, 3)
    last_year = core.PeriodFactory(year=period.year - 1)

    cards = {card.scope_name: card for card in scorecard.compare_kelurahan(period=period)}
    trend = scorecard.across_periods(scope=Scope(kelurahan=kelurahan), periods=[period, last_year])

    assert cards["Blitar"].rate("delivery") == 50.0
    assert cards["Pakunden"].base == 3
    assert [card.period for card in trend] == [last_year, period]
    assert [card.rate("delivery") for card in trend] == [0.0, 50.0]


def test_the_excel_export(client, city_viewer, rt, period):
    _record(_adults(rt, 2)[0], Stage.COMMISSIONING, rt, period=period)
    client.force_login(city_viewer)

    url = reverse("assessment:scorecard-city")

    response = client.get(url + "?export=xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Skor", "Artinya"]
    rows = list(workbook["Skor"].iter_rows(values_only=True))
    assert rows[0][2] == "Tahap"
    assert rows[1][2:] == ("Perencanaan Bersama", 1, 2, 50.0, 10, "terpenuhi")
    compared = load_workbook(
        io.BytesIO(client.get(url + "?view=compare&export=xlsx").content), read_only=True
    )
    assert compared.sheetnames == ["Perbandingan", "Artinya"]
    rows = list(compared["Perbandingan"].iter_rows(values_only=True))
    assert ("Blitar", str(period), "Perencanaan Bersama", 1, 2, 50.0, 10, "terpenuhi") in rows


@pytest.mark.parametrize("view", ["", "compare", "periods"])
def test_the_excel_export_freezes_its_header_rows_and_fits_its_columns(
    client, city_viewer, rt, period, view
):
    _record(_adults(rt, 2)[0], Stage.COMMISSIONING, rt, period=period)
    client.force_login(city_viewer)

    response = client.get(reverse("assessment:scorecard-city"), {"view": view, "export": "xlsx"})

    assert response.status_code == 200
    assert_laid_out(response.content)
