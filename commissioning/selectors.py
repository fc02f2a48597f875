"""Reads of the co-commissioning pages, each with a number of queries that does not grow with
the number of rows; and ``priorities_for``, which other stages use to start proposals from."""

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from rtkeren import scopes
from rtkeren.forms.fields import place_choice
from rtkeren.models import RT, RW, Kelurahan, Period, Resident, Role
from rtkeren.models.aggregates import count_per_row
from rtkeren.prepared import Prepared, id_value
from rtkeren.selectors.activities import home_kelurahan_ids
from rtkeren.selectors.residents import acting_resident

from .models import (
    Attendance,
    Element,
    Endorsement,
    Forum,
    InvitedElement,
    Potential,
    PriorityItem,
)
from .rules import FORUM_ROLES, recording_kelurahan_ids

YOUTH_AGES = (17, 30)


def readable_kelurahan_ids(user) -> set[int] | None:
    """Kelurahan whose potentials and forums the user reads; None means all of them."""
    if scopes.sees_whole_city(user):
        return None
    return home_kelurahan_ids(user)


def _in_readable_kelurahan(queryset: QuerySet, user) -> QuerySet:
    return _in_kelurahan(queryset, _readable_ids(user))


def _readable_ids(user) -> tuple[int, ...] | None:
    """``readable_kelurahan_ids`` as a prepared query's value (``rtkeren.prepared``)."""
    return id_value(readable_kelurahan_ids(user))


def _in_kelurahan(queryset: QuerySet, kelurahan: tuple[int, ...] | None) -> QuerySet:
    return queryset if kelurahan is None else queryset.filter(kelurahan__in=kelurahan)


def kelurahan_visible_to(user) -> QuerySet[Kelurahan]:
    kelurahan = readable_kelurahan_ids(user)
    queryset = Kelurahan.objects.select_related("kecamatan")
    return queryset if kelurahan is None else queryset.filter(pk__in=kelurahan)


# Potentials.


def potentials_visible_to(user) -> QuerySet[Potential]:
    return _in_readable_kelurahan(Potential.objects.all(), user)


@cache
def _endorsement_count() -> Coalesce:
    """A count per row, not a join grouped over every potential: the list's index then gives
    the page's rows first, and only they are counted. Built once per process, as
    ``rtkeren.models.activities.budget_per_row``: a queryset resolves a copy of it."""
    endorsements = (
        Endorsement.objects.filter(potential=OuterRef("pk"))
        .order_by()
        .values("potential")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(endorsements), 0)


def _with_endorsements(queryset: QuerySet[Potential], user) -> QuerySet[Potential]:
    resident = acting_resident(user)
    return _with_endorsements_of(queryset, resident.pk if resident is not None else None)


def _with_endorsements_of(queryset: QuerySet[Potential], resident: int | None):
    endorsed_by_me = (
        Exists(Endorsement.objects.filter(potential=OuterRef("pk"), resident=resident))
        if resident is not None
        else Value(False)
    )
    return queryset.annotate(
        endorsement_count=_endorsement_count(),
        endorsed_by_me=endorsed_by_me,
    )


ORDERINGS = {
    "newest": ["-created_at", "-pk"],
    "endorsed": ["-endorsement_count", "-created_at", "-pk"],
}


def potential_list(**filters) -> QuerySet[Potential]:
    """Open potentials the user may read, filtered and sorted as asked: the queryset of
    ``prepared_potential_list``, which takes the same arguments."""
    return prepared_potential_list(**filters).queryset()


def prepared_potential_list(
    *,
    user,
    kelurahan: Kelurahan | int | None = None,
    rt: RT | None = None,
    category: str = "",
    min_endorsements: int | None = None,
    order: str = "newest",
) -> Prepared:
    """Open potentials the user may read, filtered and sorted as asked (``kelurahan`` as a
    record or its id), built and compiled once per shape (``rtkeren.prepared``)."""
    resident = acting_resident(user)
    values = {
        "readable": _readable_ids(user),
        "kelurahan": getattr(kelurahan, "pk", kelurahan),
        "rt": rt.pk if rt is not None else None,
        "category": category or None,
        "min_endorsements": min_endorsements or None,
        "resident": resident.pk if resident is not None else None,
    }
    return Prepared(Potential, _potential_list, order if order in ORDERINGS else "newest", values)


def _potential_list(order: str, values: dict) -> QuerySet[Potential]:
    queryset = _in_kelurahan(Potential.objects.all(), values["readable"]).open().with_places()
    if values["kelurahan"] is not None:
        queryset = queryset.filter(kelurahan=values["kelurahan"])
    if values["rt"] is not None:
        queryset = queryset.filter(rt=values["rt"])
    if values["category"] is not None:
        queryset = queryset.filter(category=values["category"])
    queryset = _with_endorsements_of(queryset, values["resident"])
    if values["min_endorsements"] is not None:
        queryset = queryset.filter(endorsement_count__gte=values["min_endorsements"])
    return queryset.order_by(*ORDERINGS[order])


def potential_detail(user) -> Prepared:
    """The potentials whose page the user may open, each with what its page shows, built and
    compiled once per shape (``rtkeren.prepared``; ``one`` reads one of them)."""
    resident = acting_resident(user)
    values = {
        "readable": _readable_ids(user),
        "resident": resident.pk if resident is not None else None,
    }
    return Prepared(Potential, _potential_detail, (), values)


def _potential_detail(shape: tuple, values: dict) -> QuerySet[Potential]:
    return _with_endorsements_of(
        _in_kelurahan(Potential.objects.all(), values["readable"])
        .with_places()
        .select_related("author", "merged_into")
        .prefetch_related("interests"),
        values["resident"],
    )


def merge_targets(potential: Potential) -> QuerySet[Potential]:
    """Where a duplicate may go: another open potential of the same kelurahan."""
    return (
        Potential.objects.open()
        .filter(kelurahan=potential.kelurahan_id)
        .exclude(pk=potential.pk)
        .with_places()
        .order_by("title", "pk")
    )


def potentials_for_priorities(forum: Forum) -> QuerySet[Potential]:
    """Potentials a forum may rank: the open ones of its place and of its whole kelurahan, and
    those already on its list."""
    place = Q()
    if forum.rt_id:
        place = Q(rt=forum.rt_id) | Q(rt__isnull=True)
    elif forum.rw_id:
        place = Q(rt__rw=forum.rw_id) | Q(rt__isnull=True)
    return (
        Potential.objects.filter(kelurahan=forum.kelurahan_id)
        .filter((Q(status=Potential.Status.OPEN) & place) | Q(priority_items__forum=forum))
        .distinct()
        .with_places()
        .order_by("title", "pk")
    )


def top_potentials(*, kelurahan: Kelurahan, user, limit: int = 5) -> list[Potential]:
    return list(potential_list(user=user, kelurahan=kelurahan, order="endorsed")[:limit])


def recording_places(user) -> tuple[QuerySet[Kelurahan], QuerySet[RT]]:
    """The kelurahan, and their RTs, where the user may record a potential."""
    kelurahan = recording_kelurahan_ids(user)
    return (
        Kelurahan.objects.filter(pk__in=kelurahan),
        RT.objects.filter(rw__kelurahan__in=kelurahan).select_related("rw__kelurahan"),
    )


def home_rt_id(user) -> int | None:
    """The RT the user lives in (their resident role), to offer it first."""
    return next(iter(sorted(scopes.rt_ids(user, Role.RESIDENT))), None)


# Forums.


def forums_visible_to(user) -> QuerySet[Forum]:
    return _in_readable_kelurahan(Forum.objects.all(), user)


def manages_any_forum(user) -> bool:
    return scopes.has_role(user, *FORUM_ROLES)


def forum_scope_filter(user) -> Q:
    """Forums the user manages (mirrors ``manages_forum`` in commissioning.rules)."""
    return _managed_forums(
        {
            "officer": scopes.kelurahan_ids(user, Role.OFFICER),
            "rws": scopes.rw_ids(user, Role.RW_CHAIR),
            "rts": scopes.rt_ids(user, Role.RT_CHAIR),
        }
    )


def _managed_forums(ids: dict) -> Q:
    condition = Q(pk__in=[])
    if ids["officer"]:
        condition |= Q(kelurahan__in=ids["officer"])
    if ids["rws"]:
        condition |= Q(rw__in=ids["rws"])
    if ids["rts"]:
        condition |= Q(rt__in=ids["rts"])
    return condition


def scheduling_places(user) -> list[tuple[str, str]]:
    """(value, label) of every place the user may schedule a forum for, widest first."""
    if not manages_any_forum(user):
        return []
    officer = scopes.kelurahan_ids(user, Role.OFFICER)
    rws = scopes.rw_ids(user, Role.RW_CHAIR)
    rts = scopes.rt_ids(user, Role.RT_CHAIR)
    choices = [
        place_choice(k, _("Kelurahan %(name)s") % {"name": k.name})
        for k in Kelurahan.objects.filter(pk__in=officer)
    ]
    choices += [
        place_choice(rw)
        for rw in RW.objects.filter(Q(kelurahan__in=officer) | Q(pk__in=rws)).select_related(
            "kelurahan"
        )
    ]
    choices += [
        place_choice(rt)
        for rt in RT.objects.filter(
            Q(rw__kelurahan__in=officer) | Q(rw__in=rws) | Q(pk__in=rts)
        ).select_related("rw__kelurahan")
    ]
    return choices


def with_inclusiveness_counts(queryset: QuerySet[Forum]) -> QuerySet[Forum]:
    """Counts of who came, in one aggregate over the attendances of every forum."""
    young, old = YOUTH_AGES
    present = Q(attendances__resident__isnull=False)
    return queryset.annotate(
        resident_count=Count("attendances", filter=present),
        guest_count=Count("attendances", filter=Q(attendances__resident__isnull=True)),
        women_count=Count(
            "attendances", filter=present & Q(attendances__resident__sex=Resident.Sex.FEMALE)
        ),
        youth_count=Count(
            "attendances",
            filter=present
            & Q(attendances__resident_age__gte=young)
            & Q(attendances__resident_age__lte=old),
        ),
    )


@dataclass
class ElementRow:
    element: str
    label: str
    invited: bool
    present: int


@dataclass
class Inclusiveness:
    """Who came to a forum, against whom it invited."""

    residents: int
    guests: int
    women: int
    youth: int
    rows: list[ElementRow] = field(default_factory=list)

    @staticmethod
    def _share(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def women_share(self) -> int | None:
        return self._share(self.women, self.residents)

    @property
    def youth_share(self) -> int | None:
        return self._share(self.youth, self.residents)

    @property
    def invited_present(self) -> list[ElementRow]:
        return [row for row in self.rows if row.invited and row.present]

    @property
    def invited_absent(self) -> list[ElementRow]:
        return [row for row in self.rows if row.invited and not row.present]

    @property
    def uninvited_present(self) -> list[ElementRow]:
        return [row for row in self.rows if not row.invited and row.present]

    @property
    def invited_count(self) -> int:
        return sum(row.invited for row in self.rows)


def attach_inclusiveness(forums: list[Forum]) -> list[Forum]:
    """Set ``forum.inclusiveness`` on forums read through ``with_inclusiveness_counts``: two
    queries whatever the number of forums (their invitations, and attendance per element)."""
    ids = [forum.pk for forum in forums]
    invited: dict[int, set[str]] = {pk: set() for pk in ids}
    for forum_id, element in InvitedElement.objects.filter(forum__in=ids).values_list(
        "forum", "element"
    ):
        invited[forum_id].add(element)
    present: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for row in (
        Attendance.objects.filter(forum__in=ids)
        .values("forum", "element")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        present[row["forum"]][row["element"]] = row["count"]
    for forum in forums:
        forum.inclusiveness = Inclusiveness(
            residents=forum.resident_count,
            guests=forum.guest_count,
            women=forum.women_count,
            youth=forum.youth_count,
            rows=[
                ElementRow(
                    element=element.value,
                    label=element.label,
                    invited=element.value in invited[forum.pk],
                    present=present[forum.pk].get(element.value, 0),
                )
                for element in Element
                if element.value in invited[forum.pk] or element.value in present[forum.pk]
            ],
        )
    return forums


def _forums(*, user, kelurahan: Kelurahan | None, when: str) -> QuerySet[Forum]:
    return _forums_in(_readable_ids(user), kelurahan.pk if kelurahan is not None else None, when)


def _forums_in(readable: tuple[int, ...] | None, kelurahan: int | None, when: str):
    queryset = _in_kelurahan(Forum.objects.all(), readable).with_places()
    if kelurahan is not None:
        queryset = queryset.filter(kelurahan=kelurahan)
    today = timezone.localdate()
    if when == "upcoming":
        queryset = queryset.upcoming(today).order_by("date", "starts_at", "pk")
    elif when == "past":
        queryset = queryset.filter(date__lt=today).order_by("-date", "-starts_at", "-pk")
    else:
        # Meta.ordering does not apply to a query that aggregates.
        queryset = queryset.order_by("-date", "-starts_at", "-pk")
    return queryset


def forum_list(*, user, kelurahan: Kelurahan | None = None, when: str = "") -> QuerySet[Forum]:
    """The forums ``user`` may see, with ``resident_count``, the residents who came: all a
    row of the list shows of who came. Counted per row from the forum's own attendances (its
    index), so that only the rows of the page shown are counted, and no resident is read."""
    return prepared_forum_list(user=user, kelurahan=kelurahan, when=when).queryset()


def prepared_forum_list(*, user, kelurahan: Kelurahan | None = None, when: str = "") -> Prepared:
    """``forum_list``, built and compiled once per shape (``rtkeren.prepared``)."""
    values = {
        "readable": _readable_ids(user),
        "kelurahan": kelurahan.pk if kelurahan is not None else None,
    }
    return Prepared(Forum, _forum_list, when if when in ("upcoming", "past") else "", values)


def _forum_list(when: str, values: dict) -> QuerySet[Forum]:
    return _forums_in(values["readable"], values["kelurahan"], when).annotate(
        resident_count=count_per_row(Attendance.objects.filter(resident__isnull=False), "forum")
    )


def forum_detail_queryset(user) -> QuerySet[Forum]:
    return with_inclusiveness_counts(
        forums_visible_to(user)
        .with_places()
        .select_related("organiser", "minutes_recorded_by")
        .prefetch_related(
            "invited_elements",
            # The same objects the priority page edits: each with its potential, in rank order.
            "priorities__potential",
        )
    )


def held_forums_of(kelurahan: Kelurahan, *, user) -> QuerySet[Forum]:
    """The kelurahan's held forums, newest first, with every count of who came
    (``with_inclusiveness_counts``), for ``attach_inclusiveness``."""
    return with_inclusiveness_counts(_forums(user=user, kelurahan=kelurahan, when="")).filter(
        status=Forum.Status.HELD
    )


def elements_never_present(kelurahan: Kelurahan) -> list[str]:
    """Labels of the elements invited to a held forum of the kelurahan that none ever came from
    (two queries)."""
    held = Forum.objects.filter(kelurahan=kelurahan, status=Forum.Status.HELD)
    invited = set(InvitedElement.objects.filter(forum__in=held).values_list("element", flat=True))
    came = set(
        Attendance.objects.filter(forum__in=held).values_list("element", flat=True).distinct()
    )
    return [element.label for element in Element if element.value in invited - came]


def residents_for_attendance(
    forum: Forum, *, rt: RT | None = None, name: str = "", attending_only: bool = False
) -> QuerySet[Resident]:
    """The forum's adult, active residents, each with the element they represent at this forum
    (``element_here``, empty when absent) and the one they represented last time elsewhere."""
    queryset = Resident.objects.active().adults(forum.date)
    if forum.rt_id:
        queryset = queryset.filter(rt=forum.rt_id)
    elif forum.rw_id:
        queryset = queryset.filter(rt__rw=forum.rw_id)
    else:
        queryset = queryset.filter(rt__rw__kelurahan=forum.kelurahan_id)
    if rt is not None:
        queryset = queryset.filter(rt=rt)
    if name:
        queryset = queryset.filter(name__icontains=name)
    here = Attendance.objects.filter(forum=forum, resident=OuterRef("pk"))
    earlier = (
        Attendance.objects.filter(resident=OuterRef("pk"))
        .exclude(forum=forum)
        .order_by("-forum__date", "-pk")
    )
    queryset = queryset.annotate(
        element_here=Subquery(here.values("element")[:1]),
        element_before=Subquery(earlier.values("element")[:1]),
    )
    if attending_only:
        queryset = queryset.filter(element_here__isnull=False)
    return queryset.select_related("rt__rw").order_by("name", "pk")


def attendance_rts(forum: Forum) -> QuerySet[RT]:
    """RTs to narrow the attendance form by (none for an RT's own forum)."""
    if forum.rt_id:
        return RT.objects.none()
    if forum.rw_id:
        return RT.objects.filter(rw=forum.rw_id).select_related("rw")
    return RT.objects.filter(rw__kelurahan=forum.kelurahan_id).select_related("rw")


def forum_attendance(forum: Forum) -> QuerySet[Attendance]:
    """Everyone recorded at the forum, residents by name and then guests."""
    return forum.attendances.select_related("resident__rt__rw").order_by(
        F("resident__name").asc(nulls_last=True), "guest_name", "pk"
    )


def forum_guests(forum: Forum) -> QuerySet[Attendance]:
    return forum.attendances.filter(resident__isnull=True).order_by("guest_name", "pk")


def upcoming_forums_for(user, *, within_days: int = 14) -> Prepared:
    """Scheduled forums in the coming days that concern the user: those of their kelurahan for
    officers and those covering the RT for residents and chairs (a prepared query,
    ``rtkeren.prepared``)."""
    rts = scopes.rt_ids(user, Role.RESIDENT, Role.RT_CHAIR, Role.POKMAS_MEMBER)
    values = {
        "officials": id_value(scopes.official_kelurahan_ids(user)),
        "rws": id_value(scopes.rw_ids(user, Role.RW_CHAIR)),
        "rts": id_value(rts),
        "rt_rws": id_value(
            {a.rt.rw_id for a in scopes.current_assignments(user) if a.rt_id in rts}
        ),
        "homes": id_value(home_kelurahan_ids(user)),
    }
    return Prepared(Forum, _upcoming_forums, within_days, values)


def _upcoming_forums(within_days: int, values: dict) -> QuerySet[Forum]:
    today = timezone.localdate()
    queryset = Forum.objects.upcoming(today).filter(
        date__lte=today + datetime.timedelta(days=within_days)
    )
    condition = Q(pk__in=[])
    if values["officials"]:
        condition |= Q(kelurahan__in=values["officials"])
    if values["rws"]:
        condition |= Q(rw__in=values["rws"])
    if values["rts"]:
        condition |= Q(rt__in=values["rts"]) | Q(rt__isnull=True, rw__in=values["rt_rws"])
    if values["homes"]:
        condition |= Q(rw__isnull=True, kelurahan__in=values["homes"])
    return queryset.filter(condition)


def forums_waiting_for_minutes(user) -> Prepared:
    """Forums the user manages whose day has passed without minutes (a prepared query)."""
    values = {
        "officer": id_value(scopes.kelurahan_ids(user, Role.OFFICER)),
        "rws": id_value(scopes.rw_ids(user, Role.RW_CHAIR)),
        "rts": id_value(scopes.rt_ids(user, Role.RT_CHAIR)),
    }
    return Prepared(Forum, _forums_waiting_for_minutes, (), values)


def _forums_waiting_for_minutes(shape: tuple, values: dict) -> QuerySet[Forum]:
    return (
        Forum.objects.filter(_managed_forums(values))
        .exclude(status=Forum.Status.CANCELLED)
        .filter(date__lt=timezone.localdate(), minutes="")
    )


def notification_recipients(forum: Forum) -> QuerySet:
    """Accounts of the active residents the forum is for."""
    from rtkeren.models import User

    residents = Resident.objects.active().filter(user__isnull=False)
    if forum.rt_id:
        residents = residents.filter(rt=forum.rt_id)
    elif forum.rw_id:
        residents = residents.filter(rt__rw=forum.rw_id)
    else:
        residents = residents.filter(rt__rw__kelurahan=forum.kelurahan_id)
    return User.objects.filter(is_active=True, resident__in=residents)


# The priority list, for the stages that start proposals from it.


def priorities_for(place: Kelurahan | RT, *, period: Period | None = None):
    """The ranked priorities of the held forums that speak for ``place``, newest forum first.

    For an RT: the forums of the RT, of its RW and of its whole kelurahan. For a kelurahan: all
    of its forums. With ``period``, only forums held within it. Each item carries its forum and
    its potential (if any), read in the same query.
    """
    forums = Forum.objects.filter(status=Forum.Status.HELD)
    if isinstance(place, RT):
        forums = forums.covering_rt(place)
    elif isinstance(place, Kelurahan):
        forums = forums.filter(kelurahan=place)
    else:
        raise TypeError(f"priorities_for takes an RT or a Kelurahan, not {type(place).__name__}")
    if period is not None:
        forums = forums.filter(date__range=(period.starts_on, period.ends_on))
    return (
        PriorityItem.objects.filter(forum__in=forums)
        .select_related("forum", "potential")
        .order_by("-forum__date", "-forum_id", "rank")
    )
