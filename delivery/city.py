"""Co-delivery at city scale (``seed_city``): for each activity the proposals left delivered
(3.000), its implementers, 15.000 meetings with 200.000 attendances, and its training outputs.

Each kelurahan's showcase RT has, in the current period, a delivered activity of 10 meetings
with 30 residents at each: the activity page the benchmark reads.
"""

import datetime

from django.utils import timezone

from rtkeren.city import USERNAME_PREFIX, City, allot, bulk_insert
from rtkeren.models import Activity, ActivityStatus, ActivityTransition
from rtkeren.registry import city_data

from .models import Attendance, Implementer, Meeting, Output
from .services import KIND_ATTENDED, KIND_IMPLEMENTED

MEETINGS = 15_000
ATTENDANCES = 200_000
SHOWCASE_MEETINGS = 10
SHOWCASE_ATTENDANCES = 30
ROLES = [Implementer.Role.COORDINATOR, Implementer.Role.TRAINER, Implementer.Role.TREASURER]
DELIVERY_DAYS = 60
PRODUCTS = [("Kain batik tulis", "lembar"), ("Kue kering", "toples"), ("Tas anyaman", "buah")]


def delivered_activities(city: City) -> tuple[list[Activity], int]:
    """The city's delivered activities (evaluated or not), the showcase ones first, and how
    many showcase ones there are."""
    activities = list(
        Activity.objects.filter(
            author__username__startswith=USERNAME_PREFIX,
            status__in=[ActivityStatus.DELIVERED, ActivityStatus.EVALUATED],
        )
        .select_related("period")
        .order_by("pk")
    )
    showcases = []
    for place in city.showcases():
        found = next(
            (a for a in activities if a.rt_id == place.rt.pk and a.period_id == city.current.pk),
            None,
        )
        if found is not None:
            showcases.append(found)
    chosen = {activity.pk for activity in showcases}
    others = [activity for activity in activities if activity.pk not in chosen]
    return showcases + others, len(showcases)


def _meetings(city: City, activities: list[Activity], showcases: int) -> tuple[list[Meeting], int]:
    """The meetings, and how many of them (the first) belong to showcase activities."""
    delivered_on = dict(
        ActivityTransition.objects.filter(
            activity__in=activities, to_status=ActivityStatus.DELIVERED
        ).values_list("activity_id", "at__date")
    )
    total = city.count(MEETINGS)
    first = allot(total, [SHOWCASE_MEETINGS] * showcases)
    counts = first + allot(total - sum(first), [total] * (len(activities) - showcases))
    meetings = []
    for activity, count in zip(activities, counts, strict=True):
        end = delivered_on[activity.pk]
        chair = city.neighbourhood(activity.rt_id).chair[0]
        for number in range(count):
            day = end - datetime.timedelta(days=DELIVERY_DAYS * (count - number) // count)
            meetings.append(
                Meeting(
                    activity=activity,
                    title=f"Pertemuan {number + 1}",
                    date=day,
                    starts_at=datetime.time(15, 0),
                    ends_at=datetime.time(17, 0),
                    place="Balai RW",
                    facilitator="Pendamping kelurahan",
                    created_by_id=chair,
                    created_at=city.moment(day - datetime.timedelta(days=7)),
                )
            )
    return bulk_insert(Meeting, meetings), sum(first)


def _attendances(city: City, meetings: list[Meeting], showcase_meetings: int) -> int:
    rng = city.rng("meeting attendance")
    total = city.count(ATTENDANCES)
    pools = [city.neighbourhood(m.activity.rt_id).adults for m in meetings]
    first = allot(
        total,
        [min(SHOWCASE_ATTENDANCES, len(pool)) for pool in pools[:showcase_meetings]],
    )
    counts = first + allot(total - sum(first), [len(pool) for pool in pools[showcase_meetings:]])
    attendances = []
    for meeting, pool, count in zip(meetings, pools, counts, strict=True):
        chair = city.neighbourhood(meeting.activity.rt_id).chair[0]
        attendances += [
            Attendance(
                meeting=meeting,
                resident_id=resident_id,
                method=Attendance.Method.MARKED if rng.random() < 0.7 else Attendance.Method.SELF,
                is_minor=city.age_on(resident_id, meeting.date) < 17,
                recorded_by_id=chair,
                created_at=city.moment(meeting.date, 17),
            )
            for resident_id in rng.sample(pool, count)
        ]
    for attendance in bulk_insert(Attendance, attendances):
        meeting = attendance.meeting
        city.ledger.add(
            resident_id=attendance.resident_id,
            kind=KIND_ATTENDED,
            subject=Attendance,
            object_id=attendance.pk,
            activity_id=meeting.activity_id,
            period_id=meeting.activity.period_id,
            occurred_on=meeting.date,
            recorded_by_id=attendance.recorded_by_id,
        )
    return len(attendances)


def _implementers_added_on(activity: Activity) -> datetime.date:
    return activity.period.starts_on + datetime.timedelta(days=120)


def _implementers_and_outputs(city: City, activities: list[Activity]) -> tuple[int, int]:
    rng = city.rng("implementers")
    implementers, outputs = [], []
    for activity in activities:
        place = city.neighbourhood(activity.rt_id)
        chair = place.chair[0]
        # Given their roles before delivery, the day their ledger rows say.
        added_at = timezone.make_aware(
            datetime.datetime.combine(_implementers_added_on(activity), datetime.time(10))
        )
        for role, resident_id in zip(ROLES, rng.sample(place.adults, 3), strict=False):
            implementers.append(
                Implementer(
                    activity=activity,
                    resident_id=resident_id,
                    role=role,
                    added_by_id=chair,
                    created_at=added_at,
                )
            )
        for name, unit in rng.sample(PRODUCTS, 2 if activity.kind == Activity.Kind.TRAINING else 1):
            target = rng.randint(5, 30)
            finished = target if rng.random() < 0.6 else rng.randint(0, target - 1)
            outputs.append(
                Output(
                    activity=activity,
                    name=name,
                    target_quantity=target,
                    unit=unit,
                    finished_quantity=finished,
                    status=(
                        Output.Status.FINISHED
                        if finished == target
                        else Output.Status.IN_PROGRESS
                        if finished
                        else Output.Status.NOT_STARTED
                    ),
                    obstacle="" if finished == target else rng.choice(Output.Obstacle.values[:4]),
                    updated_by_id=chair,
                )
            )
    for implementer in bulk_insert(Implementer, implementers):
        activity = implementer.activity
        city.ledger.add(
            resident_id=implementer.resident_id,
            kind=KIND_IMPLEMENTED,
            subject=Implementer,
            object_id=implementer.pk,
            activity_id=activity.pk,
            period_id=activity.period_id,
            occurred_on=_implementers_added_on(activity),
            recorded_by_id=implementer.added_by_id,
        )
    bulk_insert(Output, outputs)
    return len(implementers), len(outputs)


@city_data.register("delivery", order=30)
def seed_city(city: City) -> str:
    activities, showcases = delivered_activities(city)
    meetings, showcase_meetings = _meetings(city, activities, showcases)
    attendances = _attendances(city, meetings, showcase_meetings)
    implementers, outputs = _implementers_and_outputs(city, activities)
    return (
        f"{len(activities)} delivered activities, {len(meetings)} meetings, "
        f"{attendances} attendances, {implementers} implementers, {outputs} outputs"
    )
