"""Budget years: starting one from the last, ceilings per RT and the fisik/nonfisik split."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from rtkeren.models import Period, RtCeiling
from rtkeren.services import periods
from rtkeren.services.ledger import participation_record
from tests import factories
from tests.designing.factories import VotingRoundFactory

pytestmark = pytest.mark.django_db


def start(year, **kwargs):
    return periods.period_start(
        year=year,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        **kwargs,
    )


def test_first_period_takes_the_defaults():
    period = start(2026)

    assert period.pk
    assert {name: getattr(period, name) for name in Period.SETTINGS} == {
        "rt_ceiling": 50_000_000,
        "fisik_percent": 70,
        "split_tolerance": 0,
        "split_threshold": 10_000_000,
        "threshold_commissioning": 10,
        "threshold_designing": 10,
        "threshold_delivery": 10,
        "threshold_assessment": 10,
        "evaluation_window_days": 30,
    }
    assert not period.rt_ceilings.exists()


def test_next_period_copies_the_settings_and_ceilings_of_the_previous(rt, other_rt, admin_user):
    settings = {
        "rt_ceiling": 55_000_000,
        "fisik_percent": 65,
        "split_tolerance": 5,
        "split_threshold": 15_000_000,
        "threshold_commissioning": 12,
        "threshold_designing": 15,
        "threshold_delivery": 20,
        "threshold_assessment": 25,
        "evaluation_window_days": 45,
    }
    previous = factories.PeriodFactory(year=2025, **settings)
    RtCeiling.objects.create(period=previous, rt=rt, ceiling=60_000_000)
    RtCeiling.objects.create(period=previous, rt=other_rt, ceiling=40_000_000)

    period = start(2026, by=admin_user)

    assert {name: getattr(period, name) for name in Period.SETTINGS} == settings
    assert dict(period.rt_ceilings.values_list("rt_id", "ceiling")) == {
        rt.pk: 60_000_000,
        other_rt.pk: 40_000_000,
    }
    assert previous.rt_ceilings.count() == 2


def test_copied_ceilings_belong_to_the_new_period_alone(rt):
    previous = factories.PeriodFactory(year=2025)
    RtCeiling.objects.create(period=previous, rt=rt, ceiling=60_000_000)
    period = start(2026)

    period.rt_ceilings.update(ceiling=70_000_000)

    assert periods.period_ceiling_for(previous, rt) == 60_000_000
    assert periods.period_ceiling_for(period, rt) == 70_000_000


def test_settings_come_from_the_latest_earlier_period():
    factories.PeriodFactory(year=2024, fisik_percent=60)
    factories.PeriodFactory(year=2025, fisik_percent=75)
    factories.PeriodFactory(year=2028, fisik_percent=50)

    period = start(2026)

    assert period.fisik_percent == 75


def test_a_year_starts_only_once():
    start(2026)

    with pytest.raises(ValidationError) as raised:
        start(2026)

    assert "year" in raised.value.message_dict
    assert Period.objects.count() == 1


def test_period_must_end_after_it_starts():
    with pytest.raises(ValidationError) as raised:
        periods.period_start(
            year=2026, starts_on=datetime.date(2026, 12, 31), ends_on=datetime.date(2026, 1, 1)
        )

    assert raised.value.message_dict == {"ends_on": ["Periode harus berakhir setelah dimulai."]}


def test_periods_do_not_overlap():
    start(2026)

    with pytest.raises(ValidationError) as raised:
        periods.period_start(
            year=2027, starts_on=datetime.date(2026, 7, 1), ends_on=datetime.date(2027, 6, 30)
        )

    assert raised.value.messages == [
        "Tanggal-tanggal ini beririsan dengan Tahun anggaran 2026 (01-01-2026 sampai 31-12-2026)."
    ]
    assert not Period.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "expected"),
    [
        (
            datetime.date(2026, 1, 1),
            datetime.date(2026, 12, 31),
            (2027, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31)),
        ),
        (
            datetime.date(2027, 3, 1),
            datetime.date(2028, 2, 29),
            (2027, datetime.date(2028, 3, 1), datetime.date(2029, 2, 28)),
        ),
    ],
)
def test_next_dates_follow_the_period(starts_on, ends_on, expected):
    period = Period(year=expected[0] - 1, starts_on=starts_on, ends_on=ends_on)

    assert periods.period_next_dates(period) == expected


def test_ceiling_is_the_default_unless_the_rt_has_its_own(rt, other_rt):
    period = factories.PeriodFactory(year=2026, rt_ceiling=50_000_000)
    RtCeiling.objects.create(period=period, rt=other_rt, ceiling=62_500_000)

    assert periods.period_ceiling_for(period, rt) == 50_000_000
    assert periods.period_ceiling_for(period, other_rt) == 62_500_000


def test_ceilings_of_many_rts_in_one_query(rt, other_rt, foreign_rt, django_assert_num_queries):
    period = factories.PeriodFactory(year=2026)
    RtCeiling.objects.create(period=period, rt=foreign_rt, ceiling=45_000_000)
    rts = [rt, other_rt, foreign_rt]

    with django_assert_num_queries(1):
        ceilings = periods.period_ceilings_for(period, rts)

    assert ceilings == {rt.pk: 50_000_000, other_rt.pk: 50_000_000, foreign_rt.pk: 45_000_000}


@pytest.mark.parametrize(
    ("fisik", "nonfisik"),
    [
        (35_000_000, 15_000_000),  # exactly 70% physical
        (40_000_000, 10_000_000),  # more physical than asked is no fault
        (0, 9_999_999),  # under the threshold: too early to say
        (0, 0),
    ],
)
def test_plan_keeping_to_the_split_gets_no_warning(fisik, nonfisik):
    period = Period(year=2026, fisik_percent=70)

    assert periods.period_split_warning(period=period, fisik=fisik, nonfisik=nonfisik) is None


def test_plan_below_the_physical_share_gets_a_warning_in_indonesian():
    period = Period(year=2026, fisik_percent=70)

    warning = periods.period_split_warning(period=period, fisik=34_800_000, nonfisik=15_200_000)

    assert warning == (
        "Rencana ini menempatkan 70% untuk pekerjaan fisik dan 30% untuk kegiatan nonfisik. "
        "Tahun anggaran 2026 meminta paling sedikit 70% fisik. Ini hanya peringatan; rencana "
        "tetap dapat diajukan."
    )


def test_the_tolerance_and_the_threshold_follow_the_period():
    period = Period(year=2026, fisik_percent=70, split_tolerance=5, split_threshold=20_000_000)

    assert periods.period_split_ok(period=period, fisik=13_000_000, nonfisik=7_000_000)  # 65%
    assert not periods.period_split_ok(period=period, fisik=12_999_999, nonfisik=7_000_001)
    assert periods.period_split_ok(period=period, fisik=0, nonfisik=19_999_999)
    assert "toleransi 5 poin" in periods.period_split_warning(
        period=period, fisik=0, nonfisik=20_000_000
    )


def test_split_follows_the_period_setting():
    period = Period(year=2026, fisik_percent=60)

    assert (
        periods.period_split_warning(period=period, fisik=30_000_000, nonfisik=20_000_000) is None
    )
    assert "paling sedikit 60%" in periods.period_split_warning(
        period=period, fisik=25_000_000, nonfisik=25_000_000
    )


def test_all_nonfisik_plan_gets_a_warning():
    period = Period(year=2026, fisik_percent=70)

    warning = periods.period_split_warning(period=period, fisik=0, nonfisik=50_000_000)

    assert "0% untuk pekerjaan fisik dan 100%" in warning


def test_negative_amounts_are_a_programming_error():
    with pytest.raises(ValueError, match="negative"):
        periods.period_split_warning(period=Period(year=2026), fisik=-1, nonfisik=10)


# Which year an action counts in.


def _year(year, **kwargs):
    return factories.PeriodFactory(year=year, **kwargs)


def _dated(resident, subject, day, **kwargs):
    """A participation placed by its date alone, as a potential or a forum gives."""
    return participation_record(
        resident=resident,
        kind="forum_attended",
        subject=subject,
        occurred_on=day,
        **kwargs,
    )


def test_the_activity_period_wins_over_the_period_covering_the_day(rt):
    last_year, this_year = _year(2025), _year(2026)
    activity = factories.ActivityFactory(rt=rt, period=last_year)

    assert periods.period_for(day=datetime.date(2026, 3, 1), activity=activity) == last_year
    assert periods.period_for(day=datetime.date(2026, 3, 1)) == this_year


def test_a_rounds_own_period_wins_over_the_day_and_the_activity(rt):
    last_year, this_year, next_year = _year(2025), _year(2026), _year(2027)
    activity = factories.ActivityFactory(rt=rt, period=last_year)

    found = periods.period_for(day=datetime.date(2026, 3, 1), activity=activity, period=next_year)

    assert found == next_year
    assert this_year != found


def test_in_a_gap_the_next_open_period_counts():
    _year(2025)
    _year(2027)

    assert periods.period_for(day=datetime.date(2026, 6, 1)).year == 2027


def test_in_a_gap_before_a_closed_period_the_last_open_one_counts():
    _year(2024)
    _year(2025)
    _year(2027, is_open=False)

    assert periods.period_for(day=datetime.date(2026, 6, 1)).year == 2025


def test_a_closed_period_still_takes_the_days_it_covers():
    _year(2026, is_open=False)
    _year(2027)

    assert periods.period_for(day=datetime.date(2026, 6, 1)).year == 2026


def test_without_any_open_period_near_the_day_there_is_none():
    _year(2025, is_open=False)

    assert periods.period_for(day=datetime.date(2026, 6, 1)) is None
    Period.objects.all().delete()
    assert periods.period_for(day=datetime.date(2026, 6, 1)) is None


def test_a_new_period_takes_the_actions_of_its_days_recorded_in_the_gap(resident, rt):
    _year(2025)
    next_year = _year(2027)
    in_gap = _dated(resident, rt, datetime.date(2026, 3, 1))
    assert in_gap.period == next_year

    this_year = start(2026)

    in_gap.refresh_from_db()
    assert in_gap.period == this_year


def test_a_new_period_takes_the_actions_recorded_before_any_period(resident, rt):
    early = _dated(resident, rt, datetime.date(2026, 3, 1))
    assert early.period is None

    period = start(2027)

    early.refresh_from_db()
    assert early.period == period


def test_a_new_period_leaves_actions_of_an_activity_or_a_round_alone(resident, rt, other_rt):
    next_year = _year(2027)
    activity = factories.ActivityFactory(rt=rt, period=next_year)
    of_activity = participation_record(
        resident=resident,
        kind="proposal_commented",
        subject=activity,
        activity=activity,
        occurred_on=datetime.date(2026, 3, 1),
    )
    voting_round = VotingRoundFactory(rt=rt, period=next_year)
    of_round = participation_record(
        resident=resident,
        kind="vote_cast",
        subject=voting_round,
        period=voting_round.period,
        occurred_on=datetime.date(2026, 3, 1),
    )
    covered = _dated(resident, other_rt, datetime.date(2027, 3, 1))

    start(2026)

    for row in (of_activity, of_round, covered):
        row.refresh_from_db()
        assert row.period == next_year


# Closing a period.


@pytest.fixture
def closing_hooks():
    """A hook recording the periods it was called with, registered for the test alone."""
    from rtkeren.registry import period_closing

    called = []
    period_closing.register("test.record", order=1)(called.append)
    yield called
    period_closing.unregister("test.record")


def test_closing_records_who_and_when_and_calls_every_hook(admin_user, closing_hooks):
    period = start(2026)

    periods.period_close(period=period, by=admin_user)

    period.refresh_from_db()
    assert (period.is_open, period.closed_by) == (False, admin_user)
    assert period.closed_at is not None
    assert [hooked.pk for hooked in closing_hooks] == [period.pk]
    assert period.history.latest().history_user == admin_user


def test_closing_twice_is_refused_with_a_message(admin_user, closing_hooks):
    period = start(2026)
    periods.period_close(period=period, by=admin_user)

    with pytest.raises(ValidationError) as refused:
        periods.period_close(period=Period.objects.get(pk=period.pk), by=admin_user)

    assert "sudah ditutup" in " ".join(refused.value.messages)
    assert len(closing_hooks) == 1


def test_a_failing_hook_leaves_the_period_open(admin_user):
    from rtkeren.registry import period_closing

    def fail(period):
        raise RuntimeError("hook failed")

    period = start(2026)
    period_closing.register("test.fail", order=1)(fail)
    try:
        with pytest.raises(RuntimeError):
            periods.period_close(period=period, by=admin_user)
    finally:
        period_closing.unregister("test.fail")

    period.refresh_from_db()
    assert (period.is_open, period.closed_at) == (True, None)


def test_only_an_admin_closes_a_period(officer, closing_hooks):
    from django.contrib.auth.models import Permission
    from django.core.exceptions import PermissionDenied

    period = start(2026)
    staff = factories.UserFactory(username="staf", is_staff=True)
    for user in (officer, staff):
        with pytest.raises(PermissionDenied):
            periods.period_close(period=period, by=user)
    assert Period.objects.get(pk=period.pk).is_open

    staff.user_permissions.add(Permission.objects.get(codename="change_period"))
    staff = type(staff).objects.get(pk=staff.pk)
    periods.period_close(period=period, by=staff)

    assert not Period.objects.get(pk=period.pk).is_open
