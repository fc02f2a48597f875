"""Co-assessment at city scale (``seed_city``): 60.000 evaluations of the delivered activities,
both sides, with their scores; follow-ups of the obstacles; and a round with an evaluation forum
per kelurahan and period."""

import datetime

from django.db.models import OuterRef, Subquery

from rtkeren.city import USERNAME_PREFIX, City, allot, bulk_insert
from rtkeren.models import Activity, ActivityStatus, ActivityTransition
from rtkeren.registry import city_data

from .models import Criterion, Evaluation, EvaluationRound, FollowUp, ForumAttendance, Score, Side
from .services import KIND_EVALUATION_FORUM_ATTENDED, KIND_EVALUATION_SUBMITTED

EVALUATIONS = 60_000
FORUM_ATTENDEES = 30
#: One delivered activity in this many gets a follow-up of an obstacle.
FOLLOW_UP_EVERY = 10
OBSTACLES = [
    ("Jadwal bentrok dengan jam kerja warga.", "Jadwal pertemuan dipindah ke sore hari."),
    ("Bahan pelatihan datang terlambat.", "Bahan dipesan sebulan sebelum kegiatan."),
    ("Sebagian produk belum selesai.", "Pertemuan tambahan untuk menyelesaikan produk."),
]


def _activities() -> list[Activity]:
    return list(
        Activity.objects.filter(
            author__username__startswith=USERNAME_PREFIX,
            status__in=[ActivityStatus.DELIVERED, ActivityStatus.EVALUATED],
        )
        .annotate(
            delivered_at=Subquery(
                ActivityTransition.objects.filter(
                    activity=OuterRef("pk"), to_status=ActivityStatus.DELIVERED
                ).values("at")[:1]
            )
        )
        .select_related("period")
        .order_by("pk")
    )


def _evaluations(city: City, activities: list[Activity]) -> list[Evaluation]:
    """The officer and the facilitator of the kelurahan, then residents of the RT."""
    rng = city.rng("evaluations")
    capacities = [2 + len(city.neighbourhood(a.rt_id).adults) for a in activities]
    evaluations = []
    for activity, count in zip(activities, allot(city.count(EVALUATIONS), capacities), strict=True):
        place = city.neighbourhood(activity.rt_id)
        accounts = {resident: user for user, resident in place.accounts}
        delivered_on = activity.delivered_at.date()
        government = [
            city.officers[activity.kelurahan_id],
            city.facilitators[activity.kelurahan_id],
        ][:count]
        people = [(user, None) for user in government] + [
            (accounts.get(resident), resident)
            for resident in rng.sample(place.adults, count - len(government))
        ]
        for evaluator, resident in people:
            day = min(delivered_on + datetime.timedelta(days=rng.randint(1, 29)), city.today)
            on_behalf = resident is not None and evaluator is None
            obstacle = rng.choice(OBSTACLES)[0] if rng.random() < 0.3 else ""
            evaluations.append(
                Evaluation(
                    activity=activity,
                    side=Side.COMMUNITY if resident else Side.GOVERNMENT,
                    evaluator_id=evaluator,
                    resident_id=resident,
                    on_behalf=on_behalf,
                    recorded_by_id=place.chair[0] if on_behalf else evaluator,
                    obstacles=obstacle,
                    suggestions="Lanjutkan tahun depan." if rng.random() < 0.5 else "",
                    created_at=city.moment(day, 19),
                )
            )
    bulk_insert(Evaluation, evaluations)
    criteria = list(Criterion.objects.active().values_list("pk", flat=True))
    bulk_insert(
        Score,
        (
            Score(evaluation=evaluation, criterion_id=criterion, value=rng.randint(2, 5))
            for evaluation in evaluations
            for criterion in criteria
        ),
    )
    for evaluation in evaluations:
        if evaluation.side == Side.COMMUNITY:
            city.ledger.add(
                resident_id=evaluation.resident_id,
                kind=KIND_EVALUATION_SUBMITTED,
                subject=Evaluation,
                object_id=evaluation.pk,
                activity_id=evaluation.activity_id,
                period_id=evaluation.activity.period_id,
                occurred_on=evaluation.created_at.date(),
                on_behalf=evaluation.on_behalf,
                recorded_by_id=evaluation.recorded_by_id,
            )
    return evaluations


def _follow_ups(city: City, activities: list[Activity], evaluations: list[Evaluation]) -> int:
    rng = city.rng("follow-ups")
    first_of = {}
    for evaluation in evaluations:
        first_of.setdefault(evaluation.activity_id, evaluation)
    follow_ups = []
    for activity in activities[::FOLLOW_UP_EVERY]:
        obstacle, action = rng.choice(OBSTACLES)
        officer = city.officers[activity.kelurahan_id]
        due = activity.delivered_at.date() + datetime.timedelta(days=45)
        done = due < city.today
        follow_ups.append(
            FollowUp(
                activity=activity,
                evaluation=first_of.get(activity.pk),
                obstacle=obstacle,
                action=action,
                owner_id=officer,
                due_on=due,
                status=FollowUp.Status.DONE if done else FollowUp.Status.OPEN,
                resolution="Sudah dilaksanakan." if done else "",
                created_by_id=officer,
            )
        )
    return len(bulk_insert(FollowUp, follow_ups))


def _rounds(city: City) -> tuple[int, int]:
    """A round of each kelurahan and period, with its evaluation forum late in the year."""
    rng = city.rng("evaluation rounds")
    rounds, pools = [], []
    for period in city.periods:
        forum_on = min(period.starts_on + datetime.timedelta(days=330), city.today)
        closed = period != city.current
        for kelurahan in city.kelurahan:
            officer = city.officers[kelurahan.pk]
            rounds.append(
                EvaluationRound(
                    title=f"Evaluasi bersama {kelurahan.name} {period.year}",
                    kelurahan=kelurahan,
                    period=period,
                    covers_from=period.starts_on,
                    covers_until=period.ends_on,
                    forum_on=forum_on,
                    forum_place="Aula kelurahan",
                    status=EvaluationRound.Status.CLOSED if closed else EvaluationRound.Status.OPEN,
                    opened_by_id=officer,
                    opened_at=city.moment(forum_on - datetime.timedelta(days=14)),
                    closed_at=city.moment(period.ends_on) if closed else None,
                )
            )
            pools.append(city.kelurahan_adults(kelurahan.pk))
    bulk_insert(EvaluationRound, rounds)
    attendances = []
    for evaluation_round, pool in zip(rounds, pools, strict=True):
        for resident_id in rng.sample(pool, min(FORUM_ATTENDEES, len(pool))):
            attendances.append(
                ForumAttendance(
                    round=evaluation_round,
                    resident_id=resident_id,
                    recorded_by_id=evaluation_round.opened_by_id,
                    recorded_at=city.moment(evaluation_round.forum_on, 21),
                )
            )
            city.ledger.add(
                resident_id=resident_id,
                kind=KIND_EVALUATION_FORUM_ATTENDED,
                subject=EvaluationRound,
                object_id=evaluation_round.pk,
                period_id=evaluation_round.period_id,
                occurred_on=evaluation_round.forum_on,
                recorded_by_id=evaluation_round.opened_by_id,
            )
    bulk_insert(ForumAttendance, attendances)
    return len(rounds), len(attendances)


@city_data.register("assessment", order=40)
def seed_city(city: City) -> str:
    activities = _activities()
    evaluations = _evaluations(city, activities)
    follow_ups = _follow_ups(city, activities, evaluations)
    rounds, present = _rounds(city)
    return (
        f"{len(evaluations)} evaluations of {len(activities)} activities, {follow_ups} "
        f"follow-ups, {rounds} evaluation rounds with {present} present at their forums"
    )
