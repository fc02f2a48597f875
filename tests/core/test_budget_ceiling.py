"""The RT Keren ceiling held on approval: the boundary, what counts, the message, two officers
approving at once, and the admin that cannot change an approved budget."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.urls import reverse

from rtkeren.models import Activity, ActivityStatus, ActivityTransition, Role, RtCeiling
from rtkeren.services.activities import activity_approve
from rtkeren.services.budget import ceiling_position, committed_total
from tests import factories as core

pytestmark = pytest.mark.django_db

CEILING = 50_000_000


def _activity(rt, period, amount, *, status=ActivityStatus.PROPOSED, **fields):
    activity = core.ActivityFactory(rt=rt, period=period, status=status, **fields)
    core.BudgetLineFactory(activity=activity, quantity=1, unit="paket", unit_price=amount)
    return activity


def test_approving_up_to_the_ceiling_passes_and_one_rupiah_more_is_refused(officer, rt, period):
    _activity(rt, period, 30_000_000, status=ActivityStatus.APPROVED)
    exactly = _activity(rt, period, 20_000_000)
    one_over = _activity(rt, period, 1)

    activity_approve(activity=exactly, by=officer)
    with pytest.raises(ValidationError) as refused:
        activity_approve(activity=one_over, by=officer)

    exactly.refresh_from_db()
    one_over.refresh_from_db()
    assert exactly.status == ActivityStatus.APPROVED
    assert one_over.status == ActivityStatus.PROPOSED
    assert not ActivityTransition.objects.filter(activity=one_over).exists()
    assert refused.value.error_list[0].code == "ceiling"
    message = refused.value.messages[0]
    assert rt.full_name in message
    assert "Rp50.000.000" in message  # the ceiling, and what is already approved
    assert "Rp50.000.001" in message  # the total if approved
    assert message.endswith(
        "Kelebihan dari pagu: Rp1. Turunkan anggarannya atau pilih sumber dana lain dulu."
    )


def test_a_single_proposal_one_rupiah_over_an_empty_ceiling_is_refused(officer, rt, period):
    alone = _activity(rt, period, CEILING + 1)

    with pytest.raises(ValidationError, match="Rp1\\."):
        activity_approve(activity=alone, by=officer)


@pytest.mark.parametrize(
    "other",
    [
        {"status": ActivityStatus.PROPOSED},
        {"status": ActivityStatus.REJECTED},
        {"status": ActivityStatus.CANCELLED},
        {"status": ActivityStatus.APPROVED, "funding_source": Activity.Funding.SWADAYA},
        {"status": ActivityStatus.APPROVED, "rt": "other_rt"},
        {"status": ActivityStatus.APPROVED, "period": "last_year"},
    ],
)
def test_what_does_not_count_against_the_ceiling(request, officer, rt, period, other):
    fields = dict(other)
    if fields.get("rt") == "other_rt":
        fields["rt"] = request.getfixturevalue("other_rt")
    if fields.get("period") == "last_year":
        fields["period"] = core.PeriodFactory(year=period.year - 1)
    _activity(fields.pop("rt", rt), fields.pop("period", period), CEILING, **fields)
    mine = _activity(rt, period, CEILING)

    activity_approve(activity=mine, by=officer)

    mine.refresh_from_db()
    assert mine.status == ActivityStatus.APPROVED


@pytest.mark.parametrize(
    "status",
    [ActivityStatus.APPROVED, ActivityStatus.IN_DELIVERY, ActivityStatus.DELIVERED],
)
def test_money_under_way_or_spent_counts(officer, rt, period, status):
    _activity(rt, period, 10_000_000, status=status)
    mine = _activity(rt, period, 40_000_001)

    with pytest.raises(ValidationError):
        activity_approve(activity=mine, by=officer)
    assert committed_total(rt_id=rt.pk, period_id=period.pk) == 10_000_000


def test_another_funding_source_is_outside_the_ceiling(officer, rt, period):
    swadaya = _activity(rt, period, 2 * CEILING, funding_source=Activity.Funding.SWADAYA)

    activity_approve(activity=swadaya, by=officer)

    swadaya.refresh_from_db()
    assert swadaya.status == ActivityStatus.APPROVED
    assert ceiling_position(swadaya) is None


def test_the_rts_own_ceiling_applies(officer, rt, period):
    RtCeiling.objects.create(period=period, rt=rt, ceiling=60_000_000)
    large = _activity(rt, period, 55_000_000)

    activity_approve(activity=large, by=officer)

    large.refresh_from_db()
    assert large.status == ActivityStatus.APPROVED


def test_the_review_page_shows_where_the_rt_stands_and_the_refusal(client, officer, rt, period):
    _activity(rt, period, 45_000_000, status=ActivityStatus.APPROVED)
    mine = _activity(rt, period, 6_000_000)
    client.force_login(officer)

    page = client.get(reverse("designing:proposal-detail", args=[mine.pk])).content.decode()
    response = client.post(
        reverse("designing:proposal-review", args=[mine.pk]), {"decision": "approve"}, follow=True
    )

    assert "Sudah disetujui" in page
    assert "Rp45.000.000" in page
    assert "Rp51.000.000" in page
    assert "melewati pagu sebesar Rp1.000.000" in page
    assert "melampaui pagu RT sebesar Rp50.000.000" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == ActivityStatus.PROPOSED


def test_the_review_page_shows_the_position_to_the_officer_only(client, rt_chair, rt, period):
    mine = _activity(rt, period, 6_000_000)
    client.force_login(rt_chair)

    page = client.get(reverse("designing:proposal-detail", args=[mine.pk])).content.decode()

    assert 'class="mb-3 ceiling-position' not in page


def test_an_approval_reason_is_kept_and_shown(client, officer, rt, period):
    mine = _activity(rt, period, 6_000_000)
    client.force_login(officer)

    client.post(
        reverse("designing:proposal-review", args=[mine.pk]),
        {"decision": "approve", "reason": "Terbuka untuk umum."},
    )

    mine.refresh_from_db()
    assert mine.decision_reason == "Terbuka untuk umum."
    assert ActivityTransition.objects.get(activity=mine).note == "Terbuka untuk umum."
    page = client.get(reverse("designing:proposal-detail", args=[mine.pk])).content.decode()
    assert "Terbuka untuk umum." in page


@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_at_once_cannot_both_pass_the_ceiling():
    """The first approval holds its transaction open; the second, in another connection, must
    wait for it (PostgreSQL: the RT's row is locked) and then count it. SQLite's in-memory test
    database cannot wait across connections, so there the second simply comes after the first
    (as SQLite's single writer makes it in production)."""
    kelurahan = core.kelurahan()
    rt = core.RTFactory(rw=core.RWFactory(kelurahan=kelurahan, number=7), number=3)
    period = core.PeriodFactory()
    officer = core.make_user_with_role(Role.OFFICER, "petugas", kelurahan=kelurahan)
    first, second = _activity(rt, period, 30_000_000), _activity(rt, period, 30_000_000)
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
    assert waited  # the second did not decide before the first committed
    statuses = dict(Activity.objects.values_list("pk", "status"))
    assert statuses == {first.pk: ActivityStatus.APPROVED, second.pk: ActivityStatus.PROPOSED}


def test_the_admin_cannot_change_the_budget_of_an_approved_activity(admin_client, rt, period):
    approved = _activity(rt, period, 10_000_000, status=ActivityStatus.APPROVED)
    draft = _activity(rt, period, 10_000_000, status=ActivityStatus.DRAFT)

    approved_page = admin_client.get(
        reverse("admin:rtkeren_activity_change", args=[approved.pk])
    ).content.decode()
    draft_page = admin_client.get(
        reverse("admin:rtkeren_activity_change", args=[draft.pk])
    ).content.decode()

    assert 'name="budget_lines-0-unit_price"' not in approved_page
    assert 'name="funding_source"' not in approved_page
    assert 'name="budget_lines-0-unit_price"' in draft_page
    assert 'name="funding_source"' in draft_page


def test_the_officer_sees_the_split_before_deciding_and_the_decision_records_it(
    client, officer, rt, period
):
    _activity(rt, period, 7_000_000, status=ActivityStatus.APPROVED, nature="fisik")
    _activity(rt, period, 3_000_000, status=ActivityStatus.APPROVED, nature="nonfisik")
    mine = _activity(rt, period, 5_000_000, nature="nonfisik")
    client.force_login(officer)

    page = client.get(reverse("designing:proposal-detail", args=[mine.pk])).content.decode()
    client.post(reverse("designing:proposal-review", args=[mine.pk]), {"decision": "approve"})

    assert 'split-warning"' in page
    assert "47% untuk pekerjaan fisik" in page
    record = ActivityTransition.objects.get(activity=mine).budget_check
    assert record == {
        "ceiling": CEILING,
        "committed": 10_000_000,
        "amount": 5_000_000,
        "fisik_after": 7_000_000,
        "nonfisik_after": 8_000_000,
        "fisik_percent": 70,
        "split_tolerance": 0,
        "split_threshold": 10_000_000,
        "split_ok": False,
    }
