"""Co-designing at city scale (``seed_city``): 6.000 proposals over three periods with their
budget lines, interests and timelines, 30.000 comments, and the RTs' voting rounds with 500.000
votes.

Each proposal's whole life is decided here, down to delivery and evaluation, so that the later
stages find activities in every status: in a past period a proposal was delivered and evaluated,
rejected or cancelled; in the current one it may be anywhere on the way. Each RT holds one round
a period (closed); in the current period a second round, open now, holds the proposals still
waiting. In each kelurahan one RT (the demo RT in Kelurahan Blitar) holds, in the current
period, a proposal with 50 comments in the open round and a delivered activity: the pages the
benchmark reads.
"""

import datetime
import math
import random

from django.utils import timezone

from rtkeren.city import City, Neighbourhood, allot, bulk_insert
from rtkeren.models import (
    Activity,
    ActivityStatus,
    ActivityTransition,
    BudgetLine,
    Interest,
)
from rtkeren.registry import city_data
from rtkeren.services.activities import KIND_ACTIVITY_PROPOSED

from .fit import fits_refresh
from .models import Comment, Vote, VotingRound
from .services import KIND_COMMENTED, KIND_VOTED

PROPOSALS = 6_000
DELIVERED = 3_000
COMMENTS = 30_000
VOTES = 500_000
SHOWCASE_COMMENTS = 50
VOTES_PER_RESIDENT = 3
#: Delivered activities per period, oldest first: a third of the way through, the current
#: period has delivered half of what a past one did.
DELIVERED_WEIGHTS = (2, 2, 1)
#: How the proposals that were not delivered ended up, in a past period and in the current one.
PAST_OUTCOMES = {ActivityStatus.REJECTED: 3, ActivityStatus.CANCELLED: 1}
CURRENT_OUTCOMES = {
    ActivityStatus.IN_DELIVERY: 5,
    ActivityStatus.APPROVED: 5,
    ActivityStatus.REJECTED: 4,
    ActivityStatus.PROPOSED: 10,
    ActivityStatus.DRAFT: 4,
}
#: Days of the year on which a proposal moved on.
PROPOSED_DAY, ROUND_OPENS_DAY, ROUND_CLOSES_DAY, DECIDED_DAY, DELIVERY_DAY = 45, 60, 74, 80, 120
EVALUATION_WINDOW = datetime.timedelta(days=30)
SHOWCASE_DELIVERED_AGO = datetime.timedelta(days=7)

S = ActivityStatus
PATHS = {
    S.DRAFT: [],
    S.PROPOSED: [S.PROPOSED],
    S.CANCELLED: [S.PROPOSED, S.CANCELLED],
    S.REJECTED: [S.PROPOSED, S.REJECTED],
    S.APPROVED: [S.PROPOSED, S.APPROVED],
    S.IN_DELIVERY: [S.PROPOSED, S.APPROVED, S.IN_DELIVERY],
    S.DELIVERED: [S.PROPOSED, S.APPROVED, S.IN_DELIVERY, S.DELIVERED],
    S.EVALUATED: [S.PROPOSED, S.APPROVED, S.IN_DELIVERY, S.DELIVERED, S.EVALUATED],
}
#: Statuses of proposals a closed round held; the open round holds the proposed ones.
DECIDED = {S.REJECTED, S.APPROVED, S.IN_DELIVERY, S.DELIVERED, S.EVALUATED}
KINDS = [
    (Activity.Kind.TRAINING, Activity.Nature.NONFISIK, "Pelatihan", 6),
    (Activity.Kind.PERFORMANCE, Activity.Nature.NONFISIK, "Pentas seni", 2),
    (Activity.Kind.RELIGIOUS, Activity.Nature.NONFISIK, "Kegiatan lintas iman", 1),
    (Activity.Kind.GOTONG_ROYONG, Activity.Nature.FISIK, "Kerja bakti", 1),
    (Activity.Kind.PHYSICAL, Activity.Nature.FISIK, "Perbaikan saluran", 2),
]
REMARKS = [
    "Setuju, kegiatan ini sangat dibutuhkan warga.",
    "Mohon jadwalnya disesuaikan dengan jam kerja warga.",
    "Apakah anak muda boleh ikut serta?",
    "Anggarannya perlu dirinci lagi.",
    "Kami siap membantu sebagai panitia.",
]


def shares(total: int, weights) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders first)."""
    weights = list(weights)
    exact = [total * weight / sum(weights) for weight in weights]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _statuses(city: City, period_index: int, count: int, delivered: int, rng) -> list[str]:
    current = period_index == len(city.periods) - 1
    outcomes = CURRENT_OUTCOMES if current else PAST_OUTCOMES
    statuses = [S.DELIVERED] * delivered
    for status, share in zip(outcomes, shares(count - delivered, outcomes.values()), strict=True):
        statuses += [status] * share
    rng.shuffle(statuses)
    return statuses


def _places(
    city: City, statuses: list[str], *, current: bool
) -> tuple[list[Neighbourhood], set[int]]:
    """RTs in turn, but in the current period each kelurahan's showcase RT first takes a
    proposal waiting in the open round and a delivered activity. Returns the places and the
    indices of the showcase delivered activities."""
    places: list[Neighbourhood | None] = [None] * len(statuses)
    showcase_deliveries = set()
    if current:
        for wanted in (S.PROPOSED, S.DELIVERED):
            free = (i for i, status in enumerate(statuses) if status == wanted)
            for showcase, index in zip(city.showcases(), free, strict=False):
                places[index] = showcase
                if wanted == S.DELIVERED:
                    showcase_deliveries.add(index)
    turn = 0
    for index, place in enumerate(places):
        if place is None:
            places[index] = city.neighbourhoods[turn % len(city.neighbourhoods)]
            turn += 1
    return places, showcase_deliveries


def _proposal(city: City, period, status: str, place: Neighbourhood, rng) -> Activity:
    kind, nature, label, _weight = rng.choices(KINDS, weights=[k[3] for k in KINDS])[0]
    user_id, resident_id = rng.choice(place.accounts)
    start = period.starts_on
    return Activity(
        title=f"{label} warga {place.rt} {period.year}",
        description="Usulan kegiatan dari musyawarah warga.",
        kind=kind,
        nature=nature,
        bidang=(
            Activity.Bidang.INFRASTRUCTURE
            if nature == Activity.Nature.FISIK
            else Activity.Bidang.HUMAN_DEVELOPMENT
        ),
        kelurahan_id=place.kelurahan_id,
        rt=place.rt,
        period=period,
        author_id=user_id,
        proposed_as_id=None if status == S.DRAFT else resident_id,
        target_participants="Warga RT",
        expected_outputs="Produk pelatihan" if kind == Activity.Kind.TRAINING else "",
        planned_start=start + datetime.timedelta(days=DELIVERY_DAY),
        planned_end=start + datetime.timedelta(days=DELIVERY_DAY + 90),
        status=status,
        decision_reason=(
            "Anggaran RT tidak mencukupi." if status in (S.REJECTED, S.CANCELLED) else ""
        ),
        created_at=city.moment(start + datetime.timedelta(days=rng.randint(10, PROPOSED_DAY))),
    )


def _delivered_on(city: City, period, rng: random.Random) -> datetime.date:
    last = min(period.ends_on, city.today - datetime.timedelta(days=1))
    first = period.starts_on + datetime.timedelta(days=DELIVERY_DAY + 30)
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _timeline(city: City, activity: Activity, delivered_on, officer_id: int):
    """The activity's transitions, and its final status (a delivered activity whose evaluation
    window has closed is evaluated)."""
    start = activity.period.starts_on
    days = {
        S.PROPOSED: start + datetime.timedelta(days=PROPOSED_DAY),
        S.CANCELLED: start + datetime.timedelta(days=PROPOSED_DAY + 5),
        S.REJECTED: start + datetime.timedelta(days=DECIDED_DAY),
        S.APPROVED: start + datetime.timedelta(days=DECIDED_DAY),
        S.IN_DELIVERY: start + datetime.timedelta(days=DELIVERY_DAY),
    }
    status = activity.status
    if status == S.DELIVERED:
        days[S.DELIVERED] = delivered_on
        days[S.EVALUATED] = delivered_on + EVALUATION_WINDOW
        if days[S.EVALUATED] < city.today:
            status = S.EVALUATED
    transitions, previous = [], S.DRAFT
    for target in PATHS[status]:
        by = activity.author_id if target in (S.PROPOSED, S.CANCELLED) else officer_id
        transitions.append(
            ActivityTransition(
                activity=activity,
                from_status=previous,
                to_status=target,
                by_id=by,
                at=city.moment(days[target]),
                note=activity.decision_reason if target in (S.REJECTED, S.CANCELLED) else "",
            )
        )
        previous = target
    return status, transitions


def _proposals(city: City) -> list[Activity]:
    rng = city.rng("proposals")
    interests = list(Interest.objects.values_list("pk", flat=True))
    delivered = shares(city.count(DELIVERED), DELIVERED_WEIGHTS)
    per_period = shares(city.count(PROPOSALS), [1] * len(city.periods))
    activities, delivered_days = [], []
    for index, period in enumerate(city.periods):
        statuses = _statuses(city, index, per_period[index], delivered[index], rng)
        current = index == len(city.periods) - 1
        places, showcase_deliveries = _places(city, statuses, current=current)
        for number, (status, place) in enumerate(zip(statuses, places, strict=True)):
            activities.append(_proposal(city, period, status, place, rng))
            delivered_on = _delivered_on(city, period, rng)
            if number in showcase_deliveries:
                # Still within its evaluation window, so the delivery page shows it.
                delivered_on = city.today - SHOWCASE_DELIVERED_AGO
            delivered_days.append(delivered_on)
    transitions = []
    for activity, delivered_on in zip(activities, delivered_days, strict=True):
        officer = city.officers[activity.kelurahan_id]
        activity.status, timeline = _timeline(city, activity, delivered_on, officer)
        activity.status_changed_at = timeline[-1].at if timeline else activity.created_at
        transitions += timeline
    bulk_insert(Activity, activities)
    for transition in transitions:
        transition.activity_id = transition.activity.pk
    bulk_insert(ActivityTransition, transitions)
    bulk_insert(
        Activity.interests.through,
        (
            Activity.interests.through(activity_id=activity.pk, interest_id=interest)
            for activity in activities
            for interest in rng.sample(interests, rng.randint(1, 2))
        ),
    )
    bulk_insert(
        BudgetLine,
        (
            BudgetLine(
                activity=activity,
                item=item,
                quantity=rng.randint(1, 20),
                unit=unit,
                unit_price=rng.choice([25_000, 50_000, 100_000, 150_000]),
            )
            for activity in activities
            for item, unit in (("Bahan", "paket"), ("Konsumsi", "kotak"), ("Honor", "orang"))
        ),
    )
    for activity in activities:
        if activity.status != S.DRAFT:
            author_resident = _resident_of_user(city, activity)
            day = activity.period.starts_on + datetime.timedelta(days=PROPOSED_DAY)
            city.ledger.add(
                resident_id=author_resident,
                kind=KIND_ACTIVITY_PROPOSED,
                subject=Activity,
                object_id=activity.pk,
                activity_id=activity.pk,
                period_id=activity.period_id,
                occurred_on=day,
                recorded_by_id=activity.author_id,
            )
    return activities


def _resident_of_user(city: City, activity: Activity) -> int:
    place = city.neighbourhood(activity.rt_id)
    return next(resident for user, resident in place.accounts if user == activity.author_id)


def _rounds(city: City, activities: list[Activity]) -> list[tuple[VotingRound, list[Activity]]]:
    """One closed round per RT and period, and in the current period an open one."""
    now = timezone.now()
    groups: dict[tuple, list[Activity]] = {}
    for activity in activities:
        if activity.status in DECIDED:
            groups.setdefault((activity.period, activity.rt_id, "closed"), []).append(activity)
        elif activity.status == S.PROPOSED:
            groups.setdefault((activity.period, activity.rt_id, "open"), []).append(activity)
    rounds = []
    for period, rt_id, state in groups:
        place = city.neighbourhood(rt_id)
        if state == "closed":
            opens = city.moment(period.starts_on + datetime.timedelta(days=ROUND_OPENS_DAY))
            closes = city.moment(period.starts_on + datetime.timedelta(days=ROUND_CLOSES_DAY))
            title = f"Pemilihan usulan {place.rt} {period.year} tahap 1"
        else:
            opens, closes = now - datetime.timedelta(days=3), now + datetime.timedelta(days=7)
            title = f"Pemilihan usulan {place.rt} {period.year} tahap 2"
        rounds.append(
            VotingRound(
                title=title,
                period=period,
                kelurahan_id=place.kelurahan_id,
                rt=place.rt,
                opens_at=opens,
                closes_at=closes,
                votes_per_resident=VOTES_PER_RESIDENT,
                opened_by_id=city.officers[place.kelurahan_id],
                results_announced_at=(
                    closes + datetime.timedelta(days=1) if state == "closed" else None
                ),
                created_at=opens - datetime.timedelta(days=7),
            )
        )
    bulk_insert(VotingRound, rounds)
    bulk_insert(
        VotingRound.proposals.through,
        (
            VotingRound.proposals.through(votinground_id=voting_round.pk, activity_id=activity.pk)
            for voting_round, proposals in zip(rounds, groups.values(), strict=True)
            for activity in proposals
        ),
    )
    frozen = []
    for voting_round, proposals in zip(rounds, groups.values(), strict=True):
        for activity in proposals:
            activity.content_frozen_at = voting_round.opens_at
            frozen.append(activity)
    Activity.objects.bulk_update(frozen, ["content_frozen_at"], batch_size=1000)
    return list(zip(rounds, groups.values(), strict=True))


def _vote(city: City, rounds: list[tuple[VotingRound, list[Activity]]]) -> int:
    rng = city.rng("votes")
    now = timezone.now()
    capacity = [
        len(city.neighbourhood(voting_round.rt_id).adults)
        * min(voting_round.votes_per_resident, len(proposals))
        for voting_round, proposals in rounds
    ]
    batch, cast = [], 0
    for (voting_round, proposals), votes in zip(
        rounds, allot(city.count(VOTES), capacity), strict=True
    ):
        if not votes:
            continue
        each = min(voting_round.votes_per_resident, len(proposals))
        voters = rng.sample(city.neighbourhood(voting_round.rt_id).adults, math.ceil(votes / each))
        span = (min(voting_round.closes_at, now) - voting_round.opens_at).total_seconds()
        for number, resident_id in enumerate(voters):
            chosen = rng.sample(proposals, min(each, votes - number * each))
            at = voting_round.opens_at + datetime.timedelta(seconds=rng.uniform(0, span))
            batch += [
                Vote(round=voting_round, activity=activity, resident_id=resident_id, created_at=at)
                for activity in chosen
            ]
            city.ledger.add(
                resident_id=resident_id,
                kind=KIND_VOTED,
                subject=VotingRound,
                object_id=voting_round.pk,
                period_id=voting_round.period_id,
                occurred_on=timezone.localdate(at),
            )
        if len(batch) >= 50_000:
            cast += len(bulk_insert(Vote, batch))
            batch = []
    return cast + len(bulk_insert(Vote, batch))


def _discuss(city: City, activities: list[Activity], rounds) -> int:
    """Comments on submitted proposals: 50 on each showcase proposal waiting in an open round,
    the rest spread; one in four answers an earlier comment."""
    rng = city.rng("comments")
    showcase_rts = {place.rt.pk for place in city.showcases()}
    showcases = []
    for voting_round, proposals in rounds:
        if voting_round.rt_id in showcase_rts and voting_round.results_announced_at is None:
            showcases.append(proposals[0])
    chosen = {activity.pk for activity in showcases}
    others = [a for a in activities if a.status != S.DRAFT and a.pk not in chosen]
    total = city.count(COMMENTS)
    showcase_counts = allot(total, [SHOWCASE_COMMENTS] * len(showcases))
    other_counts = allot(total - sum(showcase_counts), [total] * len(others))
    top_level, replies = [], []
    for activity, comments in zip(showcases + others, showcase_counts + other_counts, strict=True):
        _thread(city, activity, comments, rng, top_level, replies)
    bulk_insert(Comment, top_level)
    for reply in replies:
        reply.parent_id = reply.parent.pk
    bulk_insert(Comment, replies)
    return len(top_level) + len(replies)


def _thread(
    city: City,
    activity: Activity,
    count: int,
    rng: random.Random,
    top_level: list[Comment],
    replies: list[Comment],
) -> None:
    place = city.neighbourhood(activity.rt_id)
    start = activity.period.starts_on + datetime.timedelta(days=PROPOSED_DAY)
    end = min(activity.period.starts_on + datetime.timedelta(days=ROUND_CLOSES_DAY), city.today)
    span = max(1, (end - start).days)
    threads: list[Comment] = []
    for number in range(count):
        user_id, resident_id = rng.choice(place.accounts)
        day = start + datetime.timedelta(days=number * span // count)
        comment = Comment(
            activity=activity,
            author_id=user_id,
            resident_id=resident_id,
            body=rng.choice(REMARKS),
            created_at=city.moment(day, 8 + number % 12),
        )
        if number % 4 == 3 and threads:
            comment.parent = rng.choice(threads)
            replies.append(comment)
        else:
            threads.append(comment)
        city.ledger.add(
            resident_id=resident_id,
            kind=KIND_COMMENTED,
            subject=Activity,
            object_id=activity.pk,
            activity_id=activity.pk,
            period_id=activity.period_id,
            occurred_on=day,
            recorded_by_id=user_id,
        )
    top_level += threads


@city_data.register("designing", order=20)
def seed_city(city: City) -> str:
    activities = _proposals(city)
    rounds = _rounds(city, activities)
    votes = _vote(city, rounds)
    comments = _discuss(city, activities, rounds)
    fits = fits_refresh(Activity.objects.all())
    return (
        f"{len(activities)} proposals ({fits} fits), {comments} comments, "
        f"{len(rounds)} voting rounds, {votes} votes"
    )
