"""Doubled and stale submissions (a double tap on a slow phone, a form left open in a second
tab): the same vote, evaluation, endorsement or check-in posted twice gives one row and a clear
message; a vote in a round that has closed gives none."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment_services
from assessment.models import Evaluation
from commissioning.models import Endorsement
from delivery import services as delivery_services
from delivery.models import Attendance
from designing.models import Vote, VotingRound
from rtkeren.models import Activity, ActivityStatus, User
from tests import factories as core
from tests.assessment.factories import score_data
from tests.commissioning.factories import PotentialFactory
from tests.delivery.factories import meeting_at
from tests.security.world import claimed_entry, make_claimant, table_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_rt(seeded):
    return User.objects.get(username="ketua_rt").resident.rt


@pytest.fixture
def neighbour(demo_rt, client):
    """A verified resident of the demo RT who has done nothing yet."""
    user, _resident = core.make_resident_user(demo_rt, "tetangga_baru")
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _open_round(demo_rt) -> VotingRound:
    now = timezone.now()
    return VotingRound.objects.get(rt=demo_rt, opens_at__lte=now, closes_at__gt=now)


def test_the_same_vote_twice_counts_once(client, demo_rt, neighbour):
    voting_round = _open_round(demo_rt)
    proposal = voting_round.proposals.order_by("pk").first()
    url = reverse("designing:vote-create", args=[voting_round.pk, proposal.pk])

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert first.status_code == second.status_code == 200
    assert Vote.objects.filter(round=voting_round, resident=neighbour.resident).count() == 1
    assert "Anda sudah memilih usulan ini." in " ".join(_messages(second)), _messages(second)


def test_a_vote_in_a_round_that_has_closed_is_refused(client, demo_rt, neighbour):
    closed = VotingRound.objects.filter(rt=demo_rt, closes_at__lt=timezone.now()).get()
    proposal = closed.proposals.order_by("pk").first()
    before = Vote.objects.count()

    response = client.post(
        reverse("designing:vote-create", args=[closed.pk, proposal.pk]), follow=True
    )

    assert response.status_code in (200, 403, 404)
    assert Vote.objects.count() == before
    if response.status_code == 200:
        assert any("ditutup" in m or "tutup" in m for m in _messages(response)), _messages(response)


def test_the_same_endorsement_twice_counts_once(client, demo_rt, neighbour):
    potential = PotentialFactory(rt=demo_rt)
    url = reverse("commissioning:potential-endorse", args=[potential.pk])

    client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert Endorsement.objects.filter(potential=potential).count() == 1
    assert any("sudah" in message for message in _messages(second)), _messages(second)


def test_the_same_check_in_twice_counts_once(client, demo_rt, neighbour):
    activity = Activity.objects.filter(rt=demo_rt, status=ActivityStatus.IN_DELIVERY).first()
    meeting = meeting_at(activity, timezone.now() - datetime.timedelta(minutes=10))
    url = reverse(
        "delivery:meeting-checkin", args=[meeting.pk, delivery_services.checkin_token(meeting)]
    )

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert first.status_code == second.status_code == 200, first.content[:300]
    assert Attendance.objects.filter(meeting=meeting, resident=neighbour.resident).count() == 1
    assert "Anda sudah tercatat dalam daftar hadir sebelumnya." in _messages(second)


@pytest.fixture
def delivered(demo_rt):
    return (
        Activity.objects.filter(rt=demo_rt, status=ActivityStatus.DELIVERED)
        .filter(evaluations__isnull=False)
        .distinct()
        .first()
    )


def _fresh_evaluator(activity) -> User:
    for username in ("ketua_rt", "ketua_rw", "warga", "petugas", "pendamping"):
        user = User.objects.get(username=username)
        if Evaluation.objects.filter(activity=activity, evaluator=user).exists():
            continue
        if assessment_services.evaluation_refusal(user=user, activity=activity) is None:
            return user
    raise AssertionError("no demo account can still evaluate the delivered activity")


def test_the_same_evaluation_twice_is_one_evaluation(client, delivered):
    user = _fresh_evaluator(delivered)
    client.force_login(user)
    url = reverse("assessment:evaluation-edit", args=[delivered.pk])

    first = client.post(url, score_data(4, obstacles="Kain kurang."))
    second = client.post(url, score_data(2, obstacles="Kain kurang."))

    assert first.status_code == 302
    assert second.status_code == 302
    [evaluation] = Evaluation.objects.filter(activity=delivered, evaluator=user)
    assert {score.value for score in evaluation.scores.all()} == {2}


def test_a_second_evaluation_from_a_stale_form_is_refused_with_a_message(delivered):
    user = _fresh_evaluator(delivered)
    scores = {int(key.split("_")[1]): 4 for key in score_data(4) if key.startswith("score_")}
    assessment_services.evaluation_submit(activity=delivered, by=user, scores=scores)

    with pytest.raises(ValidationError) as refused:
        assessment_services.evaluation_submit(activity=delivered, by=user, scores=scores)

    assert refused.value.messages
    assert Evaluation.objects.filter(activity=delivered, evaluator=user).count() == 1


# An account that claimed a register entry of the demo RT (entered by an officer) and is not
# confirmed by the RT chair: whatever it posts, twice, writes nothing to the entry's record.


@pytest.fixture
def claimant(demo_rt, client):
    user = make_claimant(demo_rt)
    client.force_login(user)
    return user


def _twice(client, url, data=None) -> list[int]:
    return [client.post(url, data or {}).status_code for _attempt in range(2)]


def test_a_claimants_check_in_writes_nothing(client, demo_rt, claimant):
    activity = Activity.objects.filter(rt=demo_rt, status=ActivityStatus.IN_DELIVERY).first()
    meeting = meeting_at(activity, timezone.now() - datetime.timedelta(minutes=10))
    url = reverse(
        "delivery:meeting-checkin", args=[meeting.pk, delivery_services.checkin_token(meeting)]
    )
    before = table_snapshot()

    assert _twice(client, url) == [403, 403]
    assert table_snapshot() == before
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_a_claimants_vote_writes_nothing(client, demo_rt, claimant):
    voting_round = _open_round(demo_rt)
    proposal = voting_round.proposals.order_by("pk").first()
    before = table_snapshot()

    statuses = _twice(client, reverse("designing:vote-create", args=[voting_round.pk, proposal.pk]))

    assert set(statuses) <= {403, 404}, statuses
    assert table_snapshot() == before


def test_a_claimants_evaluation_writes_nothing(client, delivered, claimant):
    assert claimant.resident.participations.filter(activity=delivered).exists()
    before = table_snapshot()

    statuses = _twice(
        client, reverse("assessment:evaluation-edit", args=[delivered.pk]), score_data(4)
    )

    assert set(statuses) <= {403, 404}, statuses
    assert table_snapshot() == before
    assert not Evaluation.objects.filter(activity=delivered, evaluator=claimant).exists()


def test_a_claimants_endorsement_writes_nothing(client, demo_rt, claimant):
    potential = PotentialFactory(rt=demo_rt)
    before = table_snapshot()

    statuses = _twice(client, reverse("commissioning:potential-endorse", args=[potential.pk]))

    assert set(statuses) <= {403, 404}, statuses
    assert table_snapshot() == before


def test_the_claimed_entry_took_part_where_the_claimant_was_refused(demo_rt, delivered):
    entry = claimed_entry(demo_rt)
    assert entry.participations.filter(activity=delivered).exists()
    assert not entry.evaluations.filter(activity=delivered).exists()
