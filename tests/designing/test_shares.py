"""The officer's page that names the RTs paying a kelurahan-wide proposal, who may use it, what
bad input does, its query count; the shares on the proposal, the RT budget plan and the LPJ."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from designing.selectors import _plan_activities, _plan_sums
from rtkeren import prepared
from rtkeren.models import ActivityShare, ActivityStatus
from rtkeren.services.activities import activity_approve
from rtkeren.services.budget import _shares_of, activity_shares_set
from tests import factories as core
from tests.delivery.factories import SpendingFactory
from tests.prepared_support import all_prepared

pytestmark = pytest.mark.django_db


def _wide(kelurahan, period, amount, *, status=ActivityStatus.PROPOSED):
    activity = core.ActivityFactory(
        rt=None, kelurahan=kelurahan, period=period, status=status, title="Festival hadrah"
    )
    core.BudgetLineFactory(activity=activity, quantity=1, unit="paket", unit_price=amount)
    return activity


def _url(activity):
    return reverse("designing:proposal-shares", args=[activity.pk])


def test_the_officer_sees_every_rt_of_the_kelurahan_with_what_it_has_left(
    client, officer, kelurahan, rt, other_rt, foreign_rt, period
):
    mine = core.ActivityFactory(rt=rt, period=period, status=ActivityStatus.APPROVED)
    core.BudgetLineFactory(activity=mine, quantity=1, unit="paket", unit_price=45_000_000)
    festival = _wide(kelurahan, period, 5_300_000)
    client.force_login(officer)

    page = client.get(_url(festival)).content.decode()

    assert f'name="rt-{rt.pk}"' in page
    assert f'name="rt-{other_rt.pk}"' in page
    assert f'name="rt-{foreign_rt.pk}"' not in page
    assert "Rp5.000.000" in page  # what RT 002 has left
    assert "Rp5.300.000" in page


def test_saving_shares_that_add_up(client, officer, kelurahan, rt, other_rt, period):
    festival = _wide(kelurahan, period, 5_300_000)
    client.force_login(officer)

    response = client.post(
        _url(festival), {f"rt-{rt.pk}": "3000000", f"rt-{other_rt.pk}": "2300000"}
    )

    assert response.status_code == 302
    assert response.url.endswith("#review")
    assert dict(festival.shares.values_list("rt_id", "amount")) == {
        rt.pk: 3_000_000,
        other_rt.pk: 2_300_000,
    }
    page = client.get(_url(festival)).content.decode()
    assert 'value="3000000"' in page  # a number input takes no thousands separator


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"rt": "1000000"}, "Bagian RT berjumlah Rp1.000.000, padahal anggarannya Rp5.300.000"),
        ({"rt": "abc"}, "Masukkan keseluruhan angka bilangan."),
        ({"rt": "-5"}, "lebih besar dari atau sama dengan 0"),
        ({"rt": "5300000.5"}, "Masukkan keseluruhan angka bilangan."),
    ],
)
def test_bad_shares_get_a_clear_message_and_change_nothing(
    client, officer, kelurahan, rt, other_rt, period, posted, message
):
    festival = _wide(kelurahan, period, 5_300_000)
    activity_shares_set(activity=festival, by=officer, amounts={other_rt.pk: 5_300_000})
    client.force_login(officer)

    response = client.post(_url(festival), {f"rt-{rt.pk}": posted["rt"]})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(festival.shares.values_list("rt_id", "amount")) == [(other_rt.pk, 5_300_000)]


def test_a_posted_rt_of_another_kelurahan_is_ignored(
    client, officer, kelurahan, rt, foreign_rt, period
):
    festival = _wide(kelurahan, period, 1_000_000)
    client.force_login(officer)

    client.post(_url(festival), {f"rt-{rt.pk}": "1000000", f"rt-{foreign_rt.pk}": "1000000"})

    assert list(ActivityShare.objects.values_list("rt_id", "amount")) == [(rt.pk, 1_000_000)]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("rt_chair", 403),
        ("rw_chair", 403),
        ("facilitator", 403),
        ("resident_user", 403),
        ("foreign_officer", 404),
        ("outsider", 404),
    ],
)
def test_no_one_but_the_kelurahans_officer_reaches_the_page(
    client, request, kelurahan, rt, period, persona, status
):
    festival = _wide(kelurahan, period, 1_000_000)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(_url(festival)).status_code == status
    assert client.post(_url(festival), {f"rt-{rt.pk}": "1000000"}).status_code == status
    assert not ActivityShare.objects.exists()


def test_a_visitor_is_sent_to_log_in(client, kelurahan, period):
    festival = _wide(kelurahan, period, 1_000_000)

    response = client.get(_url(festival))

    assert response.status_code == 302
    assert "/akun/masuk/" in response.url or "login" in response.url


def test_an_rts_own_proposal_has_no_shares_page(client, officer, rt, period):
    own = core.ActivityFactory(rt=rt, period=period, status=ActivityStatus.PROPOSED)
    client.force_login(officer)

    assert client.get(_url(own)).status_code == 403


def test_after_approval_the_page_only_shows_the_shares(
    client, officer, kelurahan, rt, other_rt, period
):
    festival = _wide(kelurahan, period, 1_000_000)
    activity_shares_set(activity=festival, by=officer, amounts={rt.pk: 1_000_000})
    activity_approve(activity=festival, by=officer)
    client.force_login(officer)

    page = client.get(_url(festival)).content.decode()
    response = client.post(_url(festival), {f"rt-{other_rt.pk}": "1000000"})

    assert "disabled" in page
    assert "Simpan bagian RT" not in page
    assert "tidak dapat diubah lagi" in response.content.decode()
    assert list(festival.shares.values_list("rt_id", "amount")) == [(rt.pk, 1_000_000)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_shares_page_costs_the_same_for_one_rt_and_for_forty(
    client, officer, kelurahan, rt, period
):
    festival = _wide(kelurahan, period, 1_000_000)
    client.force_login(officer)
    one = _queries(client, _url(festival))

    rw = core.RWFactory(kelurahan=kelurahan, number=9)
    for number in range(1, 41):
        core.RTFactory(rw=rw, number=number)

    assert _queries(client, _url(festival)) == one


def test_the_proposal_shows_its_shares_and_the_review_says_what_is_missing(
    client, officer, resident_user, kelurahan, rt, other_rt, period
):
    festival = _wide(kelurahan, period, 2_000_000)
    client.force_login(officer)
    before = client.get(reverse("designing:proposal-detail", args=[festival.pk]))
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 1_500_000, other_rt.pk: 500_000}
    )
    after = client.get(reverse("designing:proposal-detail", args=[festival.pk])).content.decode()
    client.force_login(resident_user)
    seen = client.get(reverse("designing:proposal-detail", args=[festival.pk])).content.decode()

    assert "sebutkan RT yang membayar" in before.content.decode()
    assert _url(festival) in after
    assert after.count('class="mb-3 ceiling-position') == 2
    assert "Bagiannya dalam usulan ini" in after
    assert "Dibiayai dari alokasi RT berikut" in seen
    assert "Rp1.500.000" in seen
    assert _url(festival) not in seen


def test_the_budget_plan_counts_the_rts_share_and_its_part_of_the_spending(
    client, officer, rt_chair, other_rt_chair, kelurahan, rt, other_rt, period
):
    festival = _wide(kelurahan, period, 3_000_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 2_000_000, other_rt.pk: 1_000_000}
    )
    activity_approve(activity=festival, by=officer)
    SpendingFactory(activity=festival, amount=1_000_000)
    parts = {}
    for chair, paying in ((rt_chair, rt), (other_rt_chair, other_rt)):
        client.force_login(chair)
        url = reverse("designing:budgetplan-detail", args=[paying.pk]) + f"?period={period.pk}"
        response = client.get(url)
        assert festival.title in response.content.decode()
        plan = response.context["plan"]
        (row,) = [row for row in plan.rows if row.activity.pk == festival.pk]
        assert row.shared
        parts[paying.pk] = (plan.committed, row.amount, row.realised, plan.realised)

    assert parts == {
        rt.pk: (2_000_000, 2_000_000, 666_667, 666_667),
        other_rt.pk: (1_000_000, 1_000_000, 333_333, 333_333),
    }


def test_the_budget_plan_costs_the_same_with_one_shared_activity_and_with_many(
    client, officer, kelurahan, rt, other_rt, period
):
    client.force_login(officer)
    url = reverse("designing:budgetplan-detail", args=[rt.pk]) + f"?period={period.pk}"

    def share_one():
        festival = _wide(kelurahan, period, 2_000)
        activity_shares_set(
            activity=festival, by=officer, amounts={rt.pk: 1_000, other_rt.pk: 1_000}
        )
        activity_approve(activity=festival, by=officer)
        SpendingFactory(activity=festival, amount=999)

    share_one()
    one = _queries(client, url)
    for _ in range(8):
        share_one()

    assert _queries(client, url) == one


@pytest.mark.usefixtures("no_prepared_shapes")
def test_the_budget_plan_reads_prepared_and_every_rt_shares_its_shapes(
    client, officer, rt_chair, other_rt_chair, kelurahan, rt, other_rt, period
):
    """Its queries are built and compiled once per process (``rtkeren.prepared``), and an RT
    read after another prepares nothing new. The tests check each run's SQL against Django's
    (``PREPARED_QUERIES_CHECK``)."""
    festival = _wide(kelurahan, period, 3_000_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 2_000_000, other_rt.pk: 1_000_000}
    )
    activity_approve(activity=festival, by=officer)
    SpendingFactory(activity=festival, amount=1_000_000)
    for paying in (rt, other_rt):
        own = core.ActivityFactory(rt=paying, period=period, status=ActivityStatus.APPROVED)
        core.BudgetLineFactory(activity=own, quantity=2, unit="paket", unit_price=700_000)
        SpendingFactory(activity=own, amount=250_000)
        core.ActivityFactory(rt=paying, period=period, status=ActivityStatus.PROPOSED)

    def plan_of(chair, paying):
        client.force_login(chair)
        url = reverse("designing:budgetplan-detail", args=[paying.pk]) + f"?period={period.pk}"
        plan = client.get(url).context["plan"]
        return (plan.committed, plan.realised, len(plan.rows))

    assert plan_of(rt_chair, rt) == (2_000_000 + 1_400_000, 666_667 + 250_000, 3)
    for build in (_plan_activities, _plan_sums, _shares_of):
        assert all_prepared(build), build.__name__
    kept = len(prepared._statements)

    assert plan_of(other_rt_chair, other_rt) == (1_000_000 + 1_400_000, 333_333 + 250_000, 3)
    assert len(prepared._statements) == kept
