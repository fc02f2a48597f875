"""The officer's review through the core's transitions, who hears of it, and the RT budget plan."""

import pytest
from django.urls import reverse

from designing import selectors, services
from rtkeren.models import Activity, ActivityStatus, Notification, RtCeiling
from tests import factories as core

from .factories import CommentFactory, VoteFactory, VotingRoundFactory, closed, proposal

pytestmark = pytest.mark.django_db


def _review(client, activity, **data):
    return client.post(reverse("designing:proposal-review", args=[activity.pk]), data, follow=True)


def test_an_officer_approves_and_the_discussion_hears_of_it(
    client, officer, proposal, resident_user, rt, django_capture_on_commit_callbacks
):
    CommentFactory(activity=proposal, author=resident_user)
    _voter_user, voter = core.make_resident_user(rt, "pemilih")
    bystander, _resident = core.make_resident_user(rt, "bukan_pemilih")
    held = closed(VotingRoundFactory(rt=rt, period=proposal.period, proposals=[proposal]))
    second = core.ActivityFactory(rt=rt, period=proposal.period, status="proposed")
    held.proposals.add(second)
    VoteFactory(round=held, activity=second, resident=voter)
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = _review(client, proposal, decision="approve")

    assert "Usulan disetujui." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ActivityStatus.APPROVED
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    # The author (core), a commenter, and a resident who voted in the round, without telling
    # for what; a resident who did not vote hears nothing.
    assert {"tetangga", "warga", "pemilih"} <= recipients
    assert bystander.username not in recipients


def test_a_rejection_needs_a_public_reason(client, officer, proposal):
    client.force_login(officer)
    response = _review(client, proposal, decision="reject", reason="  ")
    assert "Mohon tuliskan alasannya" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ActivityStatus.PROPOSED

    _review(client, proposal, decision="reject", reason="Anggaran terlalu besar.")
    proposal.refresh_from_db()
    assert proposal.status == ActivityStatus.REJECTED
    assert proposal.decision_reason == "Anggaran terlalu besar."


def test_no_decision_while_a_round_holding_it_is_open(client, officer, voting_round, proposal):
    client.force_login(officer)
    response = _review(client, proposal, decision="approve")
    assert "putuskan sesudah pemilihan ditutup" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ActivityStatus.PROPOSED

    closed(voting_round)
    _review(client, proposal, decision="approve")
    proposal.refresh_from_db()
    assert proposal.status == ActivityStatus.APPROVED


@pytest.mark.parametrize("persona", ["rt_chair", "facilitator", "resident_user", "neighbour"])
def test_only_an_officer_reviews(client, request, proposal, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("designing:proposal-review", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ActivityStatus.PROPOSED


def test_a_foreign_officer_gets_404(client, foreign_officer, proposal):
    client.force_login(foreign_officer)
    response = client.post(
        reverse("designing:proposal-review", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404


# The RT budget plan.


def _activity(rt, period, status, nature, amount, funding=Activity.Funding.RT_KEREN):
    activity = core.ActivityFactory(
        rt=rt, period=period, status=status, nature=nature, funding_source=funding
    )
    core.BudgetLineFactory(activity=activity, quantity=1, unit_price=amount)
    return activity


def test_the_plan_adds_up_and_warns(rt, other_rt, period):
    RtCeiling.objects.create(period=period, rt=rt, ceiling=40_000_000)
    _activity(rt, period, ActivityStatus.APPROVED, "fisik", 20_000_000)
    _activity(rt, period, ActivityStatus.IN_DELIVERY, "nonfisik", 8_000_000)
    too_big = _activity(rt, period, ActivityStatus.PROPOSED, "fisik", 15_000_000)
    fits = _activity(rt, period, ActivityStatus.PROPOSED, "nonfisik", 2_000_000)
    # Not counted: a draft, a rejection, another funding source, another RT.
    _activity(rt, period, ActivityStatus.DRAFT, "fisik", 9_000_000)
    _activity(rt, period, ActivityStatus.REJECTED, "fisik", 9_000_000)
    _activity(rt, period, ActivityStatus.APPROVED, "fisik", 9_000_000, Activity.Funding.SWADAYA)
    _activity(other_rt, period, ActivityStatus.APPROVED, "fisik", 9_000_000)

    plan = selectors.budget_plan(rt=rt, period=period)

    assert plan.ceiling == 40_000_000
    assert plan.committed == 28_000_000
    assert plan.proposed == 17_000_000
    assert plan.remaining == 12_000_000
    assert plan.planned_over == 5_000_000
    assert plan.committed_over == 0
    flags = {row.activity.pk: row.exceeds_ceiling for row in plan.rows}
    assert flags[too_big.pk] is True
    assert flags[fits.pk] is False
    assert len(plan.rows) == 4
    # 35 of 45 million physical: 78%, above the 70% asked for.
    assert plan.split_warning is None


def test_a_proposal_that_tips_the_split_is_flagged(rt, period):
    _activity(rt, period, ActivityStatus.APPROVED, "fisik", 7_000_000)
    _activity(rt, period, ActivityStatus.APPROVED, "nonfisik", 3_000_000)
    tipping = _activity(rt, period, ActivityStatus.PROPOSED, "nonfisik", 5_000_000)
    plan = selectors.budget_plan(rt=rt, period=period)
    assert [row.tips_split for row in plan.rows if row.activity.pk == tipping.pk] == [True]


def test_the_plan_page_is_printable_and_scoped(
    client, rt_chair, resident_user, other_rt_chair, foreign_officer, officer, rt, period
):
    _activity(rt, period, ActivityStatus.PROPOSED, "fisik", 60_000_000)
    url = reverse("designing:budgetplan-detail", args=[rt.pk])
    for user in (rt_chair, resident_user, officer):
        client.force_login(user)
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "data-print" in html
        assert "style=" not in html
        assert "melebihi pagu" in html
    for user in (other_rt_chair, foreign_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_plan_list_leads_a_chair_to_their_rt(client, rt_chair, rt, officer, other_rt):
    client.force_login(rt_chair)
    response = client.get(reverse("designing:budgetplan-list"))
    assert response.url == reverse("designing:budgetplan-detail", args=[rt.pk])
    client.force_login(officer)
    response = client.get(reverse("designing:budgetplan-list"))
    assert {r.pk for r in response.context["rts"]} == {rt.pk, other_rt.pk}


def test_services_write_the_review_through_the_core(officer, proposal):
    services.proposal_review(activity=proposal, by=officer, approve=False, reason="Dobel")
    assert proposal.transitions.get().to_status == ActivityStatus.REJECTED


def test_another_proposal_of_the_round_is_unaffected(rt, period):
    first, second = proposal(rt=rt, period=period), proposal(rt=rt, period=period)
    VotingRoundFactory(rt=rt, period=period, proposals=[first])
    from designing.guards import no_round_still_open

    assert no_round_still_open(first, ActivityStatus.APPROVED)
    assert no_round_still_open(second, ActivityStatus.APPROVED) is None
    assert no_round_still_open(first, ActivityStatus.CANCELLED) is None


def test_the_plan_shows_what_was_spent_against_the_ceiling(client, rt_chair, rt, period):
    from tests.delivery.factories import SpendingFactory

    running = _activity(rt, period, ActivityStatus.IN_DELIVERY, "fisik", 20_000_000)
    done = _activity(rt, period, ActivityStatus.DELIVERED, "nonfisik", 5_000_000)
    _activity(rt, period, ActivityStatus.APPROVED, "nonfisik", 3_000_000)
    SpendingFactory(activity=running, amount=7_500_000)
    SpendingFactory(activity=running, amount=2_500_000)
    SpendingFactory(activity=done, amount=4_900_000)
    elsewhere = _activity(rt, core.PeriodFactory(year=period.year - 1), "delivered", "fisik", 1)
    SpendingFactory(activity=elsewhere, amount=9_999_999)

    plan = selectors.budget_plan(rt=rt, period=period)
    client.force_login(rt_chair)
    html = client.get(reverse("designing:budgetplan-detail", args=[rt.pk])).content.decode()

    assert plan.realised == 14_900_000
    assert {row.activity.pk: row.realised for row in plan.rows if row.realised} == {
        running.pk: 10_000_000,
        done.pk: 4_900_000,
    }
    assert "Realisasi (sudah dibelanjakan)" in html
    assert "Rp14.900.000" in html
    assert "Rp9.999.999" not in html
