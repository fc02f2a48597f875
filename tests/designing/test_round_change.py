"""Changing a round before it opens and cancelling it before it closes: only the officer who
opened it, with a public reason for a cancellation; what a cancelled round leaves behind."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from designing import services
from designing.models import Vote, VotingRound
from designing.public import kelurahan_section
from rtkeren.models import Notification, Role
from tests import factories as core

from .factories import VoteFactory, closed

pytestmark = pytest.mark.django_db


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _round(officer, rt, period, proposals, *, opens_in):
    return services.round_open(
        by=officer,
        place=rt,
        period=period,
        title="Pemilihan usulan RT",
        opens_at=timezone.now() + opens_in,
        closes_at=timezone.now() + datetime.timedelta(days=5),
        votes_per_resident=2,
        proposals=proposals,
    )


@pytest.fixture
def scheduled(officer, rt, period, proposal):
    return _round(officer, rt, period, [proposal], opens_in=datetime.timedelta(days=1))


@pytest.fixture
def running(officer, rt, period, proposal):
    return _round(officer, rt, period, [proposal], opens_in=datetime.timedelta(minutes=-5))


def test_the_opener_changes_a_round_before_it_opens(
    client, officer, scheduled, proposal, resident_user, django_capture_on_commit_callbacks
):
    opens = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    closes = opens + datetime.timedelta(days=3)
    client.force_login(officer)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("designing:round-update", args=[scheduled.pk]),
            {
                "title": "Pemilihan usulan RT (diundur)",
                "opens_at": _local(opens),
                "closes_at": _local(closes),
                "votes_per_resident": 3,
            },
            follow=True,
        )

    assert "Pemilihan sudah diubah" in response.content.decode()
    scheduled.refresh_from_db()
    assert (scheduled.title, scheduled.opens_at, scheduled.votes_per_resident) == (
        "Pemilihan usulan RT (diundur)",
        opens,
        3,
    )
    proposal.refresh_from_db()
    assert proposal.content_frozen_at == opens
    told = Notification.objects.get(recipient=resident_user).message
    assert "telah berubah" in told


def test_a_round_that_has_opened_can_no_longer_be_changed(client, officer, running):
    client.force_login(officer)
    before = running.closes_at

    response = client.post(
        reverse("designing:round-update", args=[running.pk]),
        {
            "title": "Diubah",
            "opens_at": _local(running.opens_at),
            "closes_at": _local(running.closes_at + datetime.timedelta(days=1)),
            "votes_per_resident": 2,
        },
    )

    assert response.status_code == 200
    assert "tidak dapat diubah lagi" in response.content.decode()
    running.refresh_from_db()
    assert (running.title, running.closes_at) == ("Pemilihan usulan RT", before)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_officer", 403),
        ("rt_chair", 403),
        ("resident_user", 403),
        ("foreign_officer", 404),
    ],
)
def test_only_the_officer_who_opened_it_changes_or_cancels_a_round(
    client, request, kelurahan, scheduled, persona, status
):
    if persona == "other_officer":
        user = core.make_user_with_role(Role.OFFICER, "petugas_dua", kelurahan=kelurahan)
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)

    page = client.get(reverse("designing:round-update", args=[scheduled.pk]))
    cancel = client.post(
        reverse("designing:round-cancel", args=[scheduled.pk]), {"reason": "Coba-coba."}
    )

    assert (page.status_code, cancel.status_code) == (status, status)
    scheduled.refresh_from_db()
    assert scheduled.cancelled_at is None


def test_cancelling_an_open_round_keeps_its_votes_but_counts_none(
    client,
    officer,
    rt,
    period,
    running,
    proposal,
    resident_user,
    resident,
    django_capture_on_commit_callbacks,
):
    VoteFactory(round=running, activity=proposal, resident=resident)
    client.force_login(officer)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("designing:round-cancel", args=[running.pk]),
            {"reason": "Usulan perlu dibahas ulang di forum."},
            follow=True,
        )

    text = response.content.decode()
    assert "Pemilihan dibatalkan" in text
    assert "Usulan perlu dibahas ulang di forum." in text
    running.refresh_from_db()
    assert running.state() == VotingRound.State.CANCELLED
    assert Vote.objects.filter(round=running).count() == 1
    assert "Alasan: Usulan perlu dibahas ulang di forum." in (
        Notification.objects.get(recipient=resident_user).message
    )
    with pytest.raises(ValidationError, match="dibatalkan"):
        services.vote_cast(voting_round=running, activity=proposal, by=resident_user)
    closed(running)
    _template, section = kelurahan_section(rt.rw.kelurahan, period, QueryDict())
    assert section["rounds"] == []
    # Its proposal may go to another round.
    again = _round(officer, rt, period, [proposal], opens_in=datetime.timedelta(minutes=-1))
    assert list(again.proposals.all()) == [proposal]


def test_a_cancellation_needs_a_reason(client, officer, running):
    client.force_login(officer)

    response = client.post(
        reverse("designing:round-cancel", args=[running.pk]), {"reason": "  "}, follow=True
    )

    assert "Mohon tuliskan alasannya" in response.content.decode()
    running.refresh_from_db()
    assert running.cancelled_at is None


def test_a_closed_round_cannot_be_cancelled(officer, running):
    closed(running)

    with pytest.raises(ValidationError, match="tidak dapat dibatalkan lagi"):
        services.round_cancel(voting_round=running, by=officer, reason="Terlambat.")


def test_cancelling_a_round_before_it_opens_unfreezes_its_proposals(
    officer, scheduled, proposal, neighbour
):
    services.round_cancel(voting_round=scheduled, by=officer, reason="Jadwal bentrok.")

    proposal.refresh_from_db()
    assert proposal.content_frozen_at is None
    assert not proposal.is_content_frozen


def test_the_round_page_offers_the_opener_change_and_cancel(
    client, officer, scheduled, resident_user
):
    client.force_login(officer)
    as_opener = client.get(reverse("designing:round-detail", args=[scheduled.pk])).content
    client.force_login(resident_user)
    as_resident = client.get(reverse("designing:round-detail", args=[scheduled.pk])).content

    assert b"Ubah pemilihan" in as_opener
    assert b"Batalkan pemilihan" in as_opener
    assert b"Ubah pemilihan" not in as_resident
    assert b"Batalkan pemilihan" not in as_resident
