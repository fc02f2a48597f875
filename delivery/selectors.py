"""Reads of co-delivery, each with the joins and prefetches that keep a page's queries flat."""

from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from rtkeren.models import (
    RT,
    Activity,
    Consent,
    Kelurahan,
    Period,
    Resident,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.models.activities import budget_per_row
from rtkeren.models.aggregates import sum_per_row
from rtkeren.prepared import Prepared
from rtkeren.registry import UnfinishedOutput
from rtkeren.selectors.activities import activities_visible_to, activity_scope, scope_activities
from rtkeren.selectors.privacy import consent_in_force
from rtkeren.selectors.residents import acting_resident, confirmed_accounts

from .models import (
    COMPLETION_STATUSES,
    DELIVERY_STATUSES,
    Attendance,
    CommitteeNote,
    Implementer,
    Meeting,
    MeetingPhoto,
    Output,
    Spending,
    Task,
)


def delivery_activities_visible_to(user) -> QuerySet[Activity]:
    return activities_visible_to(user).filter(status__in=DELIVERY_STATUSES)


def activity_list(*, user, status: str = "") -> Prepared:
    """The activities being delivered that the user sees, latest change first, with their
    meetings and their products' targets and progress; ``status``: one of
    ``DELIVERY_STATUSES`` (anything else: all of them). A prepared query
    (``rtkeren.prepared``)."""
    scope, values = activity_scope(user)
    status = status if status in DELIVERY_STATUSES else None
    return Prepared(Activity, _activity_list, scope, {**values, "status": status})


def _activity_list(scope: str, values: dict) -> QuerySet[Activity]:
    queryset = (
        scope_activities(scope, values)
        .filter(status__in=DELIVERY_STATUSES)
        .with_place_names()
        .annotate(
            meeting_count=Count("meetings", distinct=True),
            planned_output=sum_per_row(Output.objects.all(), "activity", "target_quantity"),
            finished_output=sum_per_row(Output.objects.all(), "activity", "finished_quantity"),
        )
        .order_by("-status_changed_at", "-pk")
    )
    if values["status"] is not None:
        queryset = queryset.filter(status=values["status"])
    return queryset


def activity_detail_queryset(user) -> QuerySet[Activity]:
    return (
        delivery_activities_visible_to(user)
        .with_places()
        .prefetch_related("budget_lines")
        .annotate(spent=sum_per_row(Spending.objects.all(), "activity", "amount"))
    )


def activity_pages(user) -> Prepared:
    """``activity_detail_queryset`` with the approved budget added up in the same query
    (``budget``, as ``Activity.budget_total()`` gives it) rather than its lines read; built
    and compiled once per shape (``rtkeren.prepared``)."""
    scope, values = activity_scope(user)
    return Prepared(Activity, _activity_pages, scope, values)


def _activity_pages(scope: str, values: dict) -> QuerySet[Activity]:
    return (
        scope_activities(scope, values)
        .filter(status__in=DELIVERY_STATUSES)
        .with_places()
        .annotate(
            spent=sum_per_row(Spending.objects.all(), "activity", "amount"),
            budget=budget_per_row(),
        )
    )


def kelurahan_completion(*, kelurahan: Kelurahan, period: Period) -> dict:
    """Finished over planned products of the kelurahan's activities in the period (one query)."""
    return Output.objects.filter(
        activity__kelurahan=kelurahan,
        activity__period=period,
        activity__status__in=COMPLETION_STATUSES,
    ).completion()


def scope_residents(activity: Activity) -> QuerySet[Resident]:
    """Active residents of the activity's RT, or of its kelurahan for a kelurahan-wide one."""
    queryset = Resident.objects.active().select_related("rt__rw")
    if activity.rt_id:
        return queryset.filter(rt_id=activity.rt_id)
    return queryset.filter(rt__rw__kelurahan_id=activity.kelurahan_id)


def photos_shown_beyond_committee(meeting_ref: str = "pk") -> ExpressionWrapper:
    """Whether the photos of the meeting at ``meeting_ref`` may be shown to everyone who sees
    the meeting, not only to those who keep the activity's records: when attendance was taken
    and every resident recorded there has a photo consent in force. A photo of a meeting shows
    its attendees, so one of them without consent keeps the meeting's photos as evidence
    only."""
    attendances = Attendance.objects.filter(meeting=OuterRef(meeting_ref))
    without_consent = attendances.exclude(consent_in_force(Consent.Purpose.PHOTO))
    return ExpressionWrapper(
        Exists(attendances) & ~Exists(without_consent), output_field=BooleanField()
    )


def meetings_of(activity: Activity) -> Prepared:
    """The activity's meetings in date order, with their counts, whether their photos may be
    shown beyond the committee, and their photos prefetched; built and compiled once
    (``rtkeren.prepared``)."""
    return Prepared(Meeting, _meetings_of, (), {"activity": activity.pk})


def _meetings_of(shape: tuple, values: dict) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(activity=values["activity"])
        .with_counts()
        .annotate(photos_public=photos_shown_beyond_committee())
        .order_by("date", "starts_at", "pk")
        .prefetch_related(Prefetch("photos", queryset=MeetingPhoto.objects.order_by("pk")))
    )


def meeting_queryset(user) -> QuerySet[Meeting]:
    """Meetings of the delivery activities ``user`` may see."""
    return (
        Meeting.objects.filter(activity__in=delivery_activities_visible_to(user).values("pk"))
        .select_related("activity__rt__rw", "activity__kelurahan", "activity__period")
        .annotate(photos_public=photos_shown_beyond_committee())
    )


def _name_shown(public: bool):
    """Names for those who keep the records; elsewhere only with the resident's consent."""
    if public:
        return consent_in_force(Consent.Purpose.PUBLIC_NAME)
    return Value(True, output_field=BooleanField())


def attendance_of(meeting: Meeting, *, public: bool) -> QuerySet[Attendance]:
    """Who attended; the public list leaves minors out, and shows a name (``name_shown``) only
    when the resident agreed to it."""
    queryset = meeting.attendances.select_related("resident__rt__rw", "recorded_by").annotate(
        name_shown=_name_shown(public)
    )
    return queryset.filter(is_minor=False) if public else queryset


def implementers_of(activity: Activity, *, public: bool) -> Prepared:
    """Who implements the activity; the public list leaves minors out, and shows a name
    (``name_shown``) only when the resident agreed to it. Built and compiled once for each of
    the two lists (``rtkeren.prepared``)."""
    return Prepared(Implementer, _implementers_of, public, {"activity": activity.pk})


def _implementers_of(public: bool, values: dict) -> QuerySet[Implementer]:
    queryset = (
        Implementer.objects.filter(activity=values["activity"])
        .select_related("resident__rt__rw")
        .annotate(name_shown=_name_shown(public))
    )
    if public:
        queryset = queryset.filter(resident__in=Resident.objects.adults())
    return queryset


def meeting_photos_visible_to(user) -> QuerySet[MeetingPhoto]:
    """Photos of the meetings of every activity ``user`` may see (any stage: the activity's
    report shows them after delivery too), with ``public`` for the consent rule."""
    return (
        MeetingPhoto.objects.filter(meeting__activity__in=activities_visible_to(user).values("pk"))
        .select_related("meeting__activity__rt__rw", "meeting__activity__kelurahan")
        .annotate(public=photos_shown_beyond_committee("meeting"))
    )


def spendings_visible_to(user) -> QuerySet[Spending]:
    return Spending.objects.filter(
        activity__in=activities_visible_to(user).values("pk")
    ).select_related("activity__rt__rw", "activity__kelurahan")


def residents_for_attendance(meeting: Meeting, *, name: str = "") -> QuerySet[Resident]:
    """The scope's residents, with whether each is already present (``present_here``)."""
    queryset = scope_residents(meeting.activity).annotate(
        present_here=Count("pk", filter=Q(pk__in=meeting.attendances.values("resident")))
    )
    if name:
        queryset = queryset.filter(name__icontains=name)
    return queryset.order_by("name", "pk")


def outputs_of(activity: Activity) -> Prepared:
    """The products the activity promised, built and compiled once (``rtkeren.prepared``)."""
    return Prepared(Output, _outputs_of, (), {"activity": activity.pk})


def _outputs_of(shape: tuple, values: dict) -> QuerySet[Output]:
    return Output.objects.filter(activity=values["activity"])


def notes_of(activity: Activity) -> QuerySet[CommitteeNote]:
    return activity.committee_notes.select_related("author")


def tasks_of(activity: Activity) -> QuerySet[Task]:
    return activity.tasks.select_related("assignee")


def spendings_of(activity: Activity) -> QuerySet[Spending]:
    return activity.spendings.select_related("recorded_by")


def spent_per_activity(activities: Prepared) -> dict[int, int]:
    """The realised spending of each of ``activities`` (a prepared query) with any
    (``realised_spending``)."""
    return dict(activities.into(Spending, _spent_per_activity).tuples())


def _spent_per_activity(activities: QuerySet[Activity]) -> QuerySet[Spending]:
    return (
        Spending.objects.filter(activity__in=activities)
        .values("activity")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("activity", "total")
    )


def spent_on(activity: Activity) -> int:
    return activity.spendings.aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def rt_spending(*, rt: RT, period: Period) -> QuerySet[Spending]:
    return (
        Spending.objects.filter(activity__rt=rt, activity__period=period)
        .select_related("activity", "recorded_by")
        .order_by("spent_on", "pk")
    )


def own_attendance(meeting: Meeting, user) -> Attendance | None:
    """The user's attendance at ``meeting`` as the resident they may act as: a claimed entry's
    attendance is not the claimant's."""
    resident = acting_resident(user)
    if resident is None:
        return None
    return meeting.attendances.filter(resident=resident).first()


def task_assignees(activity: Activity) -> QuerySet[User]:
    """Who can be given a committee task: implementers with an account, and the people who
    manage the activity's delivery (its RT chair and Pokmas, the kelurahan's officers)."""
    managers = RoleAssignment.objects.current(timezone.localdate()).filter(
        Q(role=Role.OFFICER, kelurahan_id=activity.kelurahan_id)
        | (
            Q(role__in=(Role.RT_CHAIR, Role.POKMAS_MEMBER), rt_id=activity.rt_id)
            if activity.rt_id
            else Q(pk__in=[])
        )
    )
    return (
        User.objects.filter(
            Q(pk__in=managers.values("user"))
            | Q(
                pk__in=confirmed_accounts(
                    Resident.objects.filter(implementer_roles__activity=activity)
                )
            )
        )
        .filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )


@cache
def _task_activity_status() -> Subquery:
    # Built once per process, as ``rtkeren.models.activities.budget_per_row``: a queryset
    # resolves a copy of it.
    return Subquery(Activity.objects.filter(pk=OuterRef("activity_id")).values("status")[:1])


def open_tasks_of(user) -> QuerySet[Task]:
    """The user's open tasks of activities still in delivery. The activity's status is read
    for each of the user's tasks (a subquery on its key), not joined: a person has few open
    tasks, and with the join PostgreSQL may walk the activities in key order until it passes
    the tasks' (a merge join, 2 ms on the city's data for a single task)."""
    return prepared_open_tasks_of(user).queryset()


def prepared_open_tasks_of(user) -> Prepared:
    """``open_tasks_of``, built and compiled once (``rtkeren.prepared``)."""
    return Prepared(Task, _open_tasks, (), {"assignee": user.pk})


def _open_tasks(shape: tuple, values: dict) -> QuerySet[Task]:
    return (
        Task.objects.open()
        .alias(activity_status=_task_activity_status())
        .filter(assignee=values["assignee"], activity_status__in=DELIVERY_STATUSES)
    )


def overdue(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Those of ``tasks`` past their due date."""
    return tasks.filter(due_on__lt=timezone.localdate())


def notification_recipients(activity: Activity) -> QuerySet[User]:
    """Implementers and everyone who attended a meeting of the activity, with an account
    confirmed as them."""
    residents = Resident.objects.filter(
        Q(implementer_roles__activity=activity) | Q(pk__in=_attendees(activity))
    )
    return confirmed_accounts(residents)


def _attendees(activity: Activity):
    return Attendance.objects.filter(meeting__activity=activity).values("resident")


def unfinished_outputs(activities: Prepared, *, limit: int | None = None) -> list[UnfinishedOutput]:
    """Outputs of ``activities`` (a prepared query) below their targets, for assessment
    (``unfinished_outputs`` registry); one query, plus the content type the first time in a
    process."""
    content_type_id = ContentType.objects.get_for_model(Output).pk
    return [
        UnfinishedOutput(
            content_type_id=content_type_id,
            object_id=output.pk,
            activity_id=output.activity_id,
            activity_title=output.activity.title,
            name=output.name,
            finished=output.finished_quantity,
            target=output.target_quantity,
            unit=output.unit,
            obstacle=str(output.get_obstacle_display()) if output.obstacle else "",
            obstacle_note=output.obstacle_note,
        )
        for output in activities.into(Output, _unfinished_outputs_of, limit).rows()
    ]


def _unfinished_outputs_of(activities: QuerySet[Activity], limit: int | None) -> QuerySet[Output]:
    outputs = (
        Output.objects.filter(activity__in=activities, finished_quantity__lt=F("target_quantity"))
        .select_related("activity")
        .order_by("activity_id", "pk")
    )
    return outputs if limit is None else outputs[:limit]
