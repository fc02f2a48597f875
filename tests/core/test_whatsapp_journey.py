"""A resident who chose WhatsApp, through a week of the scheduler running every hour: the
forum invitation when the RT chair schedules it, the reminder the day before, the reminder the
morning the voting round closes; each once, and nothing between 21.00 and 06.00 WIB."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from commissioning.models import Element
from commissioning.services import forum_schedule
from designing.models import VotingRound
from rtkeren.channels import console
from rtkeren.models import RT, Activity, ActivityStatus, User
from tests import factories
from tests.messaging import at, whatsapp_resident, wib

pytestmark = pytest.mark.django_db

PHONE = "+6281234567890"


def _schedule_forum(rt: RT, chair: User, title: str, date: datetime.date, capture) -> None:
    with capture(execute=True):
        forum_schedule(
            by=chair,
            place=rt,
            title=title,
            date=date,
            starts_at=datetime.time(19, 30),
            place_name="Balai RT 002",
            agenda="Penggalian potensi wilayah.",
            invited=[Element.GENERAL, Element.WOMEN],
        )


def _voting_round(rt: RT, period, officer: User) -> VotingRound:
    voting_round = VotingRound.objects.create(
        title="Pemilihan usulan RT 002",
        period=period,
        kelurahan=rt.rw.kelurahan,
        rt=rt,
        opens_at=wib(7, 8),
        closes_at=wib(11, 12),
        votes_per_resident=2,
        opened_by=officer,
        created_at=wib(7, 8),
    )
    proposal = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.PROPOSED)
    voting_round.proposals.add(proposal)
    return voting_round


def test_a_residents_week_on_whatsapp(
    rt, rt_chair, officer, period, django_capture_on_commit_callbacks
):
    with at(wib(7, 8)):
        resident = whatsapp_resident(rt, "bu_sri", PHONE)
        _voting_round(rt, period, officer)
    received: list[tuple[datetime.datetime, dict]] = []

    def hour_by_hour(start, end, step=datetime.timedelta(hours=1)):
        moment = start
        while moment <= end:
            with at(moment):
                call_command("scheduler", "--once")
                # "Across a restart": the next run starts from the database alone.
                call_command("scheduler", "--once")
            seen = {id(entry) for _moment, entry in received}
            received.extend((moment, entry) for entry in console.outbox if id(entry) not in seen)
            moment += step

    with at(wib(7, 10)):
        _schedule_forum(
            rt,
            rt_chair,
            "Musyawarah potensi",
            datetime.date(2026, 12, 10),
            django_capture_on_commit_callbacks,
        )
    received.extend((wib(7, 10), entry) for entry in console.outbox)
    with at(wib(7, 22)):  # scheduled late at night: the invitation waits for the morning
        _schedule_forum(
            rt,
            rt_chair,
            "Rembug kerja bakti",
            datetime.date(2026, 12, 20),
            django_capture_on_commit_callbacks,
        )
    assert len(console.outbox) == 1
    hour_by_hour(wib(7, 23), wib(11, 23))

    sent = [
        (timezone.localtime(moment).strftime("%d %H.%M"), entry["template"], entry["parameters"][0])
        for moment, entry in received
    ]
    assert sent == [
        ("07 10.00", "rtkeren_pemberitahuan", sent[0][2]),
        ("08 06.00", "rtkeren_pemberitahuan", sent[1][2]),
        ("09 06.00", "rtkeren_pengingat_forum", "Musyawarah potensi"),
        ("11 06.00", "rtkeren_pengingat_voting", "Pemilihan usulan RT 002 (RT 002 / RW 007)"),
    ]
    assert "Musyawarah potensi" in sent[0][2]
    assert "Rembug kerja bakti" in sent[1][2]
    assert {entry["to"] for _moment, entry in received} == {PHONE}
    assert all(6 <= timezone.localtime(moment).hour < 21 for moment, _entry in received)
    assert resident.outbound_messages.count() == 4
    assert Activity.objects.count() == 1
