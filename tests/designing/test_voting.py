"""Voting rounds: opening (and freezing), eligibility, both limits (also under simultaneous
requests), taking a vote back, the secret ballot, the ledger and the notifications."""

import contextlib
import datetime
import threading

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from designing import services
from designing.models import Vote, VotingRound
from rtkeren.models import Notification, Participation, Resident, Role, Stage
from tests import factories as core

from .factories import VoteFactory, VotingRoundFactory, closed
from .factories import proposal as make_proposal

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _open(officer, place, period, proposals, **changes):
    values = {
        "by": officer,
        "place": place,
        "period": period,
        "title": "Pemilihan usulan RT",
        "opens_at": timezone.now() - datetime.timedelta(minutes=1),
        "closes_at": timezone.now() + datetime.timedelta(days=3),
        "votes_per_resident": 2,
        "proposals": proposals,
    }
    values.update(changes)
    return services.round_open(**values)


# Opening a round.


def test_opening_freezes_the_proposals_and_notifies_the_scope(
    officer, rt, period, proposal, resident_user, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        voting_round = _open(officer, rt, period, [proposal])

    proposal.refresh_from_db()
    assert proposal.is_content_frozen
    assert list(voting_round.proposals.all()) == [proposal]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"warga", "tetangga"} <= told
    assert "warga2" not in told
    assert "sudah dibuka" in Notification.objects.filter(recipient=resident_user).get().message


@pytest.mark.parametrize(
    "problem", ["draft", "other_rt", "other_period", "held", "closes_in_the_past", "none"]
)
def test_opening_refuses_what_does_not_fit(officer, rt, other_rt, period, proposal, problem):
    chosen = [proposal]
    changes = {}
    if problem == "draft":
        chosen = [proposal.__class__.objects.create(**_copy(proposal, status="draft"))]
    elif problem == "other_rt":
        chosen = [make_proposal(rt=other_rt, period=period)]
    elif problem == "other_period":
        chosen = [make_proposal(rt=rt, period=core.PeriodFactory(year=period.year - 1))]
    elif problem == "held":
        VotingRoundFactory(rt=rt, period=period, proposals=[proposal])
    elif problem == "closes_in_the_past":
        changes = {
            "opens_at": timezone.now() - datetime.timedelta(days=2),
            "closes_at": timezone.now() - datetime.timedelta(days=1),
        }
    else:
        chosen = []
    before = VotingRound.objects.count()
    with pytest.raises(ValidationError):
        _open(officer, rt, period, chosen, **changes)
    assert VotingRound.objects.count() == before


def _copy(activity, **changes):
    fields = {
        name: getattr(activity, name)
        for name in ("kind", "nature", "bidang", "kelurahan", "rt", "period", "author")
    }
    return {**fields, "title": "Salinan", **changes}


def test_only_officers_of_the_kelurahan_open_rounds(
    client, rt_chair, foreign_officer, officer, rt, period, proposal
):
    for user in (rt_chair, foreign_officer):
        with pytest.raises(PermissionDenied):
            _open(user, rt, period, [proposal])
    client.force_login(rt_chair)
    assert client.get(reverse("designing:round-create")).status_code == 403
    client.force_login(officer)
    response = client.post(
        reverse("designing:round-create"),
        {
            "scope": f"rt:{rt.pk}",
            "period": period.pk,
            "title": "Pemilihan tahap 1",
            "opens_at": "2020-01-01T08:00",
            "closes_at": (timezone.localtime() + datetime.timedelta(days=2)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "votes_per_resident": 2,
            "proposals": [proposal.pk],
        },
    )
    assert response.status_code == 302
    assert VotingRound.objects.get().proposals.get() == proposal


def test_the_author_cannot_take_a_frozen_proposal_back(neighbour, officer, rt, period, proposal):
    from rtkeren.services.activities import activity_withdraw
    from rtkeren.transitions import TransitionError

    _open(officer, rt, period, [proposal])
    with pytest.raises(TransitionError):
        activity_withdraw(activity=proposal, by=neighbour)


# Eligibility.


def test_a_resident_of_the_scope_votes_and_takes_it_back(resident_user, voting_round, proposal):
    services.vote_cast(voting_round=voting_round, activity=proposal, by=resident_user)
    ledger = Participation.objects.get(resident=resident_user.resident)
    assert ledger.stage == Stage.DESIGNING
    assert ledger.kind == services.KIND_VOTED
    # The ledger names the round, not the proposal.
    assert ledger.subject == voting_round
    assert ledger.activity is None

    assert services.vote_withdraw(voting_round=voting_round, activity=proposal, by=resident_user)
    assert not Vote.objects.exists()
    assert not Participation.objects.exists()


def test_taking_back_one_of_two_votes_keeps_the_ledger(resident_user, voting_round, rt, period):
    second = make_proposal(rt=rt, period=period)
    voting_round.proposals.add(second)
    for activity in voting_round.proposals.all():
        services.vote_cast(voting_round=voting_round, activity=activity, by=resident_user)
    services.vote_withdraw(voting_round=voting_round, activity=second, by=resident_user)
    assert Participation.objects.filter(resident=resident_user.resident).count() == 1


def test_who_may_not_vote(voting_round, proposal, rt, other_rt, outsider, officer):
    minor_user, minor = core.make_resident_user(
        rt, "remaja", birth_date=timezone.localdate() - datetime.timedelta(days=16 * 365)
    )
    pending_user, pending = core.make_resident_user(rt, "belum")
    Resident.objects.filter(pk=pending.pk).update(verification=Resident.Verification.PENDING)
    moved_user, moved = core.make_resident_user(rt, "pindah")
    Resident.objects.filter(pk=moved.pk).update(status=Resident.Status.MOVED)
    neighbour_rt_user, _resident = core.make_resident_user(other_rt, "rt_sebelah")
    cases = {
        minor_user: "17 tahun",
        pending_user: "terverifikasi",
        moved_user: "terverifikasi",
        neighbour_rt_user: "wilayah lain",
        outsider: "wilayah lain",
        officer: "terverifikasi",
    }
    for user, message in cases.items():
        with pytest.raises(PermissionDenied) as refused:
            services.vote_cast(voting_round=voting_round, activity=proposal, by=user)
        assert message in str(refused.value)
    assert not Vote.objects.exists()


def test_a_kelurahan_round_takes_every_rt_of_the_kelurahan(
    officer, kelurahan, other_rt, period, outsider
):
    wide = make_proposal(rt=None, kelurahan=kelurahan, period=period)
    voting_round = _open(officer, kelurahan, period, [wide])
    voter, _resident = core.make_resident_user(other_rt, "rt_lain")
    services.vote_cast(voting_round=voting_round, activity=wide, by=voter)
    with pytest.raises(PermissionDenied):
        services.vote_cast(voting_round=voting_round, activity=wide, by=outsider)
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("when", ["scheduled", "closed"])
def test_no_vote_outside_the_window(resident_user, voting_round, proposal, when):
    if when == "closed":
        closed(voting_round)
    else:
        VotingRound.objects.filter(pk=voting_round.pk).update(
            opens_at=timezone.now() + datetime.timedelta(hours=1)
        )
        voting_round.refresh_from_db()
    with pytest.raises(ValidationError):
        services.vote_cast(voting_round=voting_round, activity=proposal, by=resident_user)
    VoteFactory(round=voting_round, activity=proposal, resident=resident_user.resident)
    with pytest.raises(ValidationError):
        services.vote_withdraw(voting_round=voting_round, activity=proposal, by=resident_user)
    assert Vote.objects.count() == 1


def test_a_proposal_outside_the_round_is_refused(resident_user, voting_round, rt, period):
    with pytest.raises(ValidationError):
        services.vote_cast(
            voting_round=voting_round,
            activity=make_proposal(rt=rt, period=period),
            by=resident_user,
        )


# Limits.


def test_once_per_proposal_and_the_total_limit(resident_user, voting_round, proposal, rt, period):
    services.vote_cast(voting_round=voting_round, activity=proposal, by=resident_user)
    with pytest.raises(ValidationError) as refused:
        services.vote_cast(voting_round=voting_round, activity=proposal, by=resident_user)
    assert "sudah memilih" in refused.value.messages[0]
    second, third = (make_proposal(rt=rt, period=period) for _ in range(2))
    voting_round.proposals.add(second, third)
    services.vote_cast(voting_round=voting_round, activity=second, by=resident_user)
    with pytest.raises(ValidationError) as refused:
        services.vote_cast(voting_round=voting_round, activity=third, by=resident_user)
    assert "Semua 2 suara Anda sudah terpakai" in refused.value.messages[0]
    assert Vote.objects.count() == 2


def test_the_database_refuses_a_second_vote_for_one_proposal(voting_round, proposal, resident):
    from django.db import IntegrityError, transaction

    VoteFactory(round=voting_round, activity=proposal, resident=resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(round=voting_round, activity=proposal, resident=resident)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_stay_within_both_limits():
    """Six requests at once: the same proposal twice, and four other proposals against a limit
    of two. PostgreSQL runs them side by side (the lock makes them queue); SQLite serialises
    writers anyway. Either way one vote per proposal and two in all."""
    rt = core.RTFactory(rw=core.RWFactory(kelurahan=core.kelurahan(), number=7), number=2)
    period = core.PeriodFactory()
    officer = core.make_user_with_role(Role.OFFICER, "petugas", kelurahan=core.kelurahan())
    user, resident = core.make_resident_user(rt, "warga")
    proposals = [make_proposal(rt=rt, period=period) for _ in range(5)]
    voting_round = VotingRoundFactory(
        rt=rt, period=period, opened_by=officer, proposals=proposals, votes_per_resident=2
    )
    targets = [proposals[0], *proposals]
    barrier = threading.Barrier(len(targets))
    outcomes = []
    # SQLite's in-memory test database (shared cache) answers "table is locked" instead of
    # waiting as the file database does (busy timeout, IMMEDIATE transactions): there the
    # requests take turns here, as SQLite's single writer makes them in production.
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def vote(activity):
        try:
            barrier.wait()
            with turns:
                services.vote_cast(voting_round=voting_round, activity=activity, by=user)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(activity,)) for activity in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "ok", "refused", "refused", "refused", "refused"]
    assert Vote.objects.filter(resident=resident).count() == 2
    assert Participation.objects.filter(resident=resident).count() == 1


# Pages, with and without JavaScript.


def test_voting_without_javascript(client, resident_user, voting_round, proposal):
    client.force_login(resident_user)
    url = reverse("designing:vote-create", args=[voting_round.pk, proposal.pk])
    response = client.post(url, follow=True)
    assert "sudah dihitung" in response.content.decode()
    assert "Anda memilih usulan ini" in response.content.decode()
    response = client.post(
        reverse("designing:vote-delete", args=[voting_round.pk, proposal.pk]), follow=True
    )
    assert "sudah ditarik" in response.content.decode()
    assert not Vote.objects.exists()


def test_voting_with_htmx_answers_the_ballot_only(client, resident_user, voting_round, proposal):
    client.force_login(resident_user)
    url = reverse("designing:vote-create", args=[voting_round.pk, proposal.pk])
    html = client.post(url, **HTMX).content.decode()
    assert 'id="ballot"' in html
    assert "<html" not in html
    assert "Sisa suara Anda: 1." in html
    html = client.post(url, **HTMX).content.decode()
    assert "Anda sudah memilih usulan ini." in html
    assert Vote.objects.count() == 1


def test_an_outsider_changing_ids_gets_404(client, outsider, voting_round, proposal, rt, period):
    client.force_login(outsider)
    url = reverse("designing:vote-create", args=[voting_round.pk, proposal.pk])
    assert client.post(url).status_code == 404
    assert client.get(reverse("designing:round-detail", args=[voting_round.pk])).status_code == 404
    assert not Vote.objects.exists()


def test_a_proposal_not_in_the_round_is_404(client, resident_user, voting_round, rt, period):
    client.force_login(resident_user)
    other = make_proposal(rt=rt, period=period)
    url = reverse("designing:vote-create", args=[voting_round.pk, other.pk])
    assert client.post(url).status_code == 404


def test_a_minor_sees_why_and_cannot_post(client, voting_round, proposal, rt):
    user, _minor = core.make_resident_user(
        rt, "remaja", birth_date=timezone.localdate() - datetime.timedelta(days=15 * 365)
    )
    client.force_login(user)
    page = client.get(reverse("designing:round-detail", args=[voting_round.pk]))
    assert "mulai usia 17 tahun" in page.content.decode()
    response = client.post(reverse("designing:vote-create", args=[voting_round.pk, proposal.pk]))
    assert response.status_code == 403
    assert not Vote.objects.exists()


# The secret ballot and the results.


def test_the_secret_ballot(client, officer, resident_user, voting_round, proposal, rt, admin_user):
    voter_user, voter = core.make_resident_user(rt, "pemilih")
    voter_user.first_name, voter_user.last_name = "Sulastri", "Rahayu"
    voter_user.save()
    Resident.objects.filter(pk=voter.pk).update(name="Sulastri Rahayu")
    services.vote_cast(voting_round=voting_round, activity=proposal, by=voter_user)
    assert Vote not in admin.site._registry

    for user in (officer, resident_user, admin_user):
        client.force_login(user)
        for url in (
            reverse("designing:round-detail", args=[voting_round.pk]),
            reverse("designing:proposal-detail", args=[proposal.pk]),
            reverse("admin:designing_votinground_changelist"),
            reverse("admin:designing_votinground_change", args=[voting_round.pk]),
        ):
            response = client.get(url)
            assert "Sulastri" not in response.content.decode(), url
    client.force_login(officer)
    page = client.get(reverse("designing:round-detail", args=[voting_round.pk])).content
    # Live counts for officers only.
    assert "1 suara" in page.decode()
    client.force_login(resident_user)
    page = client.get(reverse("designing:round-detail", args=[voting_round.pk])).content
    assert "1 suara" not in page.decode()


def test_results_are_ranked_for_everyone_after_closing(
    client, resident_user, voting_round, proposal, rt, period
):
    popular = make_proposal(rt=rt, period=period, title="Paling dipilih")
    voting_round.proposals.add(popular)
    for resident in core.ResidentFactory.create_batch(3, rt=rt):
        VoteFactory(round=voting_round, activity=popular, resident=resident)
    VoteFactory(round=voting_round, activity=proposal, resident=core.ResidentFactory(rt=rt))
    closed(voting_round)
    client.force_login(resident_user)
    response = client.get(reverse("designing:round-detail", args=[voting_round.pk]))
    ranked = [(a.title, a.vote_count) for a in response.context["proposals"]]
    assert ranked == [("Paling dipilih", 3), (proposal.title, 1)]
    assert "Hasil" in response.content.decode()


def test_announcing_results_tells_the_scope_once(
    client, officer, voting_round, resident_user, django_capture_on_commit_callbacks
):
    url = reverse("designing:round-announce", args=[voting_round.pk])
    client.force_login(officer)
    assert client.post(url).status_code == 403
    closed(voting_round)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert Notification.objects.filter(
        recipient=resident_user, message__contains="sudah diumumkan"
    ).exists()
    client.post(url)
    assert Notification.objects.filter(recipient=resident_user).count() == 1


# An account that claimed a register entry is nobody until the RT chair confirms it.


def test_a_claimant_neither_votes_nor_hears_of_the_round(
    officer, rt, period, proposal, django_capture_on_commit_callbacks
):
    claimant, entry = core.make_claimant(rt)
    with django_capture_on_commit_callbacks(execute=True):
        voting_round = _open(officer, rt, period, [proposal])

    assert not Notification.objects.filter(recipient=claimant).exists()
    with pytest.raises((PermissionDenied, ValidationError)):
        services.vote_cast(voting_round=voting_round, activity=proposal, by=claimant)
    assert not Vote.objects.exists()
    assert not Participation.objects.filter(resident=entry).exists()


def test_the_vote_answers_a_claimant_as_a_waiting_registrant(client, voting_round, proposal, rt):
    claimant, entry = core.make_claimant(rt)
    registrant = core.make_registrant(rt, "pendaftar_baru", like=entry)
    vote = reverse("designing:vote-create", args=[voting_round.pk, proposal.pk])
    answers = {}
    for user in (claimant, registrant):
        client.force_login(user)
        answers[user] = [
            core.page_as_anyone(
                client.get(reverse("designing:round-detail", args=[voting_round.pk])), user
            ),
            core.page_as_anyone(client.post(vote), user),
        ]

    assert answers[claimant] == answers[registrant]
    assert not Vote.objects.exists()
    assert not Participation.objects.exists()
