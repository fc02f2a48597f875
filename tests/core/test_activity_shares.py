"""Kelurahan-wide activities paid from RT allocations: the shares the officer sets, checked
where they are set and again on approval; each share counted in its RT's ceiling; what was
spent divided in proportion; two approvals sharing an RT at once."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from hypothesis import given
from hypothesis import strategies as st

from rtkeren.models import Activity, ActivityShare, ActivityStatus, ActivityTransition, Role
from rtkeren.models.notifications import Notification
from rtkeren.services.activities import activity_approve
from rtkeren.services.budget import (
    activity_shares_set,
    ceilings_check,
    committed_by_nature,
    committed_total,
    split_by_shares,
)
from tests import factories as core

pytestmark = pytest.mark.django_db

CEILING = 50_000_000


def _wide(kelurahan, period, amount, *, status=ActivityStatus.PROPOSED, **fields):
    activity = core.ActivityFactory(
        rt=None, kelurahan=kelurahan, period=period, status=status, **fields
    )
    core.BudgetLineFactory(activity=activity, quantity=1, unit="paket", unit_price=amount)
    return activity


def _own(rt, period, amount, *, status=ActivityStatus.APPROVED, **fields):
    activity = core.ActivityFactory(rt=rt, period=period, status=status, **fields)
    core.BudgetLineFactory(activity=activity, quantity=1, unit="paket", unit_price=amount)
    return activity


def test_the_officer_sets_shares_that_add_up_and_they_count_once_approved(
    officer, kelurahan, rt, other_rt, period
):
    festival = _wide(kelurahan, period, 5_300_000)

    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 2_650_000, other_rt.pk: 2_650_000}
    )
    before = committed_total(rt_id=rt.pk, period_id=period.pk)
    activity_approve(activity=festival, by=officer)

    assert before == 0
    assert committed_by_nature(rt_id=rt.pk, period_id=period.pk) == (0, 2_650_000)
    assert committed_total(rt_id=other_rt.pk, period_id=period.pk) == 2_650_000
    record = ActivityTransition.objects.get(activity=festival).budget_check
    assert [(entry["rt"], entry["amount"]) for entry in record["shares"]] == [
        (rt.pk, 2_650_000),
        (other_rt.pk, 2_650_000),
    ]


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ({"rt": 1_000_000}, "Rp1.000.000, padahal anggarannya Rp5.300.000"),
        ({"rt": 5_000_000, "other_rt": 400_000}, "Rp5.400.000, padahal anggarannya"),
        ({"rt": -1, "other_rt": 5_300_001}, "tidak boleh negatif"),
        ({"foreign_rt": 5_300_000}, "Hanya RT di kelurahan kegiatan ini"),
    ],
)
def test_shares_that_do_not_add_up_or_come_from_elsewhere_are_refused_and_nothing_changes(
    request, officer, kelurahan, rt, other_rt, foreign_rt, period, amounts, message
):
    festival = _wide(kelurahan, period, 5_300_000)
    activity_shares_set(activity=festival, by=officer, amounts={rt.pk: 5_300_000})
    rts = {"rt": rt, "other_rt": other_rt, "foreign_rt": foreign_rt}

    with pytest.raises(ValidationError, match=message):
        activity_shares_set(
            activity=festival,
            by=officer,
            amounts={rts[name].pk: amount for name, amount in amounts.items()},
        )

    assert list(festival.shares.values_list("rt_id", "amount")) == [(rt.pk, 5_300_000)]


def test_zero_everywhere_clears_the_shares_and_a_change_is_kept_in_history(
    officer, kelurahan, rt, other_rt, period
):
    festival = _wide(kelurahan, period, 1_000_000)
    activity_shares_set(activity=festival, by=officer, amounts={rt.pk: 1_000_000})
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 400_000, other_rt.pk: 600_000}
    )
    activity_shares_set(activity=festival, by=officer, amounts={rt.pk: 0, other_rt.pk: 0})

    assert not festival.shares.exists()
    history = ActivityShare.history.filter(rt=rt).order_by("history_date", "history_id")
    assert [(entry.history_type, entry.amount) for entry in history] == [
        ("+", 1_000_000),
        ("~", 400_000),
        ("-", 400_000),
    ]


@pytest.mark.parametrize("who", ["rt_chair", "facilitator", "foreign_officer", "resident_user"])
def test_only_the_kelurahans_officer_sets_shares(request, who, kelurahan, rt, period):
    festival = _wide(kelurahan, period, 1_000_000)

    with pytest.raises(PermissionDenied):
        activity_shares_set(
            activity=festival, by=request.getfixturevalue(who), amounts={rt.pk: 1_000_000}
        )

    assert not festival.shares.exists()


@pytest.mark.parametrize(
    ("status", "funding", "own_rt"),
    [
        (ActivityStatus.APPROVED, Activity.Funding.RT_KEREN, False),
        (ActivityStatus.IN_DELIVERY, Activity.Funding.RT_KEREN, False),
        (ActivityStatus.PROPOSED, Activity.Funding.KELURAHAN, False),
        (ActivityStatus.PROPOSED, Activity.Funding.RT_KEREN, True),
    ],
)
def test_shares_are_refused_after_approval_for_other_sources_and_for_an_rts_own_activity(
    officer, kelurahan, rt, period, status, funding, own_rt
):
    activity = (
        _own(rt, period, 1_000_000, status=status, funding_source=funding)
        if own_rt
        else _wide(kelurahan, period, 1_000_000, status=status, funding_source=funding)
    )

    with pytest.raises((ValidationError, PermissionDenied)):
        activity_shares_set(activity=activity, by=officer, amounts={rt.pk: 1_000_000})

    assert not ActivityShare.objects.exists()


def test_approval_is_refused_without_shares_or_when_the_budget_changed_since(
    officer, kelurahan, rt, period
):
    without = _wide(kelurahan, period, 1_000_000)
    changed = _wide(kelurahan, period, 1_000_000)
    activity_shares_set(activity=changed, by=officer, amounts={rt.pk: 1_000_000})
    core.BudgetLineFactory(activity=changed, quantity=1, unit="paket", unit_price=1)

    with pytest.raises(ValidationError) as no_shares:
        activity_approve(activity=without, by=officer)
    with pytest.raises(ValidationError) as not_adding_up:
        activity_approve(activity=changed, by=officer)

    assert no_shares.value.error_list[0].code == "shares"
    assert "sebutkan RT yang membayar" in no_shares.value.messages[0]
    assert "Rp1.000.000, padahal anggarannya Rp1.000.001" in not_adding_up.value.messages[0]
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert statuses == {ActivityStatus.PROPOSED}


def test_a_share_over_one_rts_ceiling_is_refused_naming_that_rt_only(
    officer, kelurahan, rt, other_rt, period
):
    _own(rt, period, 49_000_000)
    festival = _wide(kelurahan, period, 4_000_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 2_000_000, other_rt.pk: 2_000_000}
    )

    with pytest.raises(ValidationError) as refused:
        activity_approve(activity=festival, by=officer)

    assert [error.code for error in refused.value.error_list] == ["ceiling"]
    message = refused.value.messages[0]
    assert message.startswith(rt.full_name)
    assert "Kelebihan dari pagu: Rp1.000.000" in message
    assert other_rt.full_name not in message
    festival.refresh_from_db()
    assert festival.status == ActivityStatus.PROPOSED


def test_an_rts_own_proposal_counts_its_shares_of_kelurahan_wide_activities(
    officer, kelurahan, rt, other_rt, period
):
    festival = _wide(kelurahan, period, 10_000_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 8_000_000, other_rt.pk: 2_000_000}
    )
    activity_approve(activity=festival, by=officer)
    mine = _own(rt, period, 42_000_001, status=ActivityStatus.PROPOSED)

    with pytest.raises(ValidationError, match="Sudah disetujui: Rp8.000.000"):
        activity_approve(activity=mine, by=officer)


def test_lowering_a_ceiling_under_an_rts_share_is_refused(officer, kelurahan, rt, period):
    festival = _wide(kelurahan, period, 3_000_000)
    activity_shares_set(activity=festival, by=officer, amounts={rt.pk: 3_000_000})
    activity_approve(activity=festival, by=officer)

    with pytest.raises(ValidationError, match="Rp3.000.000"):
        ceilings_check(period=period, default=CEILING, overrides={rt.pk: 2_999_999})
    ceilings_check(period=period, default=CEILING, overrides={rt.pk: 3_000_000})


def test_the_chairs_of_the_paying_rts_are_told_of_the_approval(
    django_capture_on_commit_callbacks,
    officer,
    kelurahan,
    rt,
    other_rt,
    rt_chair,
    other_rt_chair,
    period,
):
    unpaying = core.RTFactory(rw=rt.rw, number=9)
    third_chair = core.make_user_with_role(Role.RT_CHAIR, "ketua_rt9", rt=unpaying)
    festival = _wide(kelurahan, period, 2_000_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 1_000_000, other_rt.pk: 1_000_000}
    )

    with django_capture_on_commit_callbacks(execute=True):
        activity_approve(activity=festival, by=officer)

    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {rt_chair.username, other_rt_chair.username} <= told
    assert third_chair.username not in told


@given(
    total=st.integers(min_value=0, max_value=10**12),
    shares=st.dictionaries(
        st.integers(min_value=1, max_value=60),
        st.integers(min_value=1, max_value=10**10),
        min_size=1,
        max_size=40,
    ),
)
def test_a_split_by_shares_adds_up_and_stays_within_a_rupiah_of_the_proportion(total, shares):
    parts = split_by_shares(total, shares)

    assert sum(parts.values()) == total
    whole = sum(shares.values())
    for key, amount in shares.items():
        assert abs(parts[key] * whole - total * amount) < whole


@pytest.mark.django_db(transaction=True)
def test_two_approvals_sharing_an_rt_at_once_cannot_both_pass_its_ceiling():
    """The first approval holds its transaction open; the second, sharing one paying RT, must
    wait for it (PostgreSQL: the paying RTs' rows are locked in id order) and then count it.
    SQLite's in-memory test database cannot wait across connections: there the second comes
    after the first."""
    kelurahan = core.kelurahan()
    rw = core.RWFactory(kelurahan=kelurahan, number=7)
    shared, first_only, second_only = (core.RTFactory(rw=rw, number=n) for n in (1, 2, 3))
    period = core.PeriodFactory()
    officer = core.make_user_with_role(Role.OFFICER, "petugas", kelurahan=kelurahan)
    first, second = _wide(kelurahan, period, 40_000_000), _wide(kelurahan, period, 40_000_000)
    activity_shares_set(
        activity=first, by=officer, amounts={shared.pk: 30_000_000, first_only.pk: 10_000_000}
    )
    activity_shares_set(
        activity=second, by=officer, amounts={second_only.pk: 10_000_000, shared.pk: 30_000_000}
    )
    postgres = connection.vendor == "postgresql"
    first_approved, commit_first, first_committed, second_done = (
        threading.Event() for _ in range(4)
    )
    outcomes = {}

    def approve_first():
        try:
            with transaction.atomic():
                activity_approve(activity=first, by=officer)
                first_approved.set()
                commit_first.wait(timeout=10)
            outcomes["first"] = "approved"
        finally:
            connections.close_all()
            first_committed.set()

    def approve_second():
        try:
            first_approved.wait(timeout=10)
            if not postgres:
                first_committed.wait(timeout=20)
            activity_approve(activity=second, by=officer)
            outcomes["second"] = "approved"
        except ValidationError as error:
            outcomes["second"] = error.error_list[0].code
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=approve_first), threading.Thread(target=approve_second)]
    for thread in threads:
        thread.start()
    first_approved.wait(timeout=10)
    waited = not second_done.wait(timeout=1)
    commit_first.set()
    for thread in threads:
        thread.join(timeout=20)

    assert outcomes == {"first": "approved", "second": "ceiling"}
    assert waited
    assert committed_total(rt_id=shared.pk, period_id=period.pk) == 30_000_000


@pytest.mark.parametrize(("share", "passes"), [(1_000_000, True), (1_000_001, False)])
def test_a_share_exactly_at_the_ceiling_passes_and_one_rupiah_more_is_refused(
    officer, kelurahan, rt, other_rt, period, share, passes
):
    _own(rt, period, CEILING - 1_000_000)
    festival = _wide(kelurahan, period, share + 500_000)
    activity_shares_set(activity=festival, by=officer, amounts={rt.pk: share, other_rt.pk: 500_000})

    if passes:
        activity_approve(activity=festival, by=officer)
    else:
        with pytest.raises(ValidationError, match="Kelebihan dari pagu: Rp1\\."):
            activity_approve(activity=festival, by=officer)

    festival.refresh_from_db()
    assert (festival.status == ActivityStatus.APPROVED) is passes
    assert committed_total(rt_id=rt.pk, period_id=period.pk) == (
        CEILING if passes else CEILING - 1_000_000
    )
