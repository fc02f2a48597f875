"""Registries the core offers so that each stage app can plug in without the core naming it.

**One way to plug in.** Every registry a running portal asks is filled from the app's
``AppConfig.ready()``: it registers its functions there, one call each, or imports the modules
that register theirs with a decorator (``attention.py``, ``exports.py``). So once Django is
set up, every registry is full, in the web process, the worker and every command alike. A
name registered twice fails at start-up. The two registries of seed data are the exception,
and the only one: ``demo.py`` and ``city.py`` may import development-only packages (Faker), so
``seed_demo`` and ``seed_city`` alone import them (``discover_demo``, ``discover_city``).

What each registry holds (the shape of its entries is written beside it below):

- ``attention``: ``(user) -> list[AttentionItem]``, what needs the person's attention on the
  home page, answered with a constant number of queries (a count, not rows), ``[]`` when the
  user has no role it serves. A count is given as the queryset it counts (``counted``):
  ``attention_items`` counts every provider's items together, in one query.
- ``exports``: named spreadsheets an officer may download (see ``rtkeren.exports``).
- ``activity_links`` and ``origin_links``: ``(activity) -> (label, url) or None`` from the core's
  activity page to the app's own page about it, decided by status alone, without queries.
- ``report_sections``, ``rt_report_sections``, ``public_sections``: the app's part of the
  printed reports and of the public page. A public section is given the request's query
  (``QueryDict``) too, from which it reads the page of its own list (``public_page_number``),
  so that no section lists a whole year at once.
- ``origin_sources`` / ``origin_checks``: what a proposal may come from (co-commissioning's
  potentials and priorities), read by co-designing through ``origins_in``.
- ``realised_spending``, ``unfinished_outputs``: co-delivery's figures other stages show.
- ``period_closing``: hooks run when a period closes (co-assessment freezes the scorecard).
- ``participation_kinds``: every kind of ledger row, with its stage and label
  (``rtkeren.checks`` checks the ledger holds no other kind); ``participation_subjects``: what
  names the records a row may be about, for Data Saya; ``ledger_sources``: the rows the
  records imply, for ``manage.py ledger check``; ``derived_checks`` and ``resident_changes``:
  figures kept up to date from the records, and their check.
- ``history_kinds``: the records whose change history officers read (``rtkeren.views.history``).
- ``calendar_events``: the forums and meetings of a person's personal calendar feed
  (``rtkeren.calendars``).
- ``personal_data``: the app's part of what a person takes away from Data Saya
  (``rtkeren.selectors.privacy.own_data``).
- ``reminder_providers``: ``(now) -> Iterable[Reminder]``, the reminders due at ``now`` (the
  day before a forum or a meeting, the morning a voting round closes...), each with a key that
  names it and the people it is for; ``manage.py scheduler`` sends each to each person once
  (``rtkeren.services.reminders``).
- ``search_providers``: ``(user, query, limit) -> list[SearchHit]``, the app's records matching
  a search that the user may see, best first, in a constant number of queries
  (``rtkeren.search``).
- ``open_datasets``: the data anyone may download and reuse (``rtkeren.opendata``): named
  tables with stable column names, cut to a kelurahan or the whole city, with no personal data.
- ``demo_data`` / ``city_data`` (seed commands only): ``(*, stdout) -> str`` and
  ``(city) -> str``, each creating nothing twice when run again.

The transition hooks of the activity's state machine (guards, effects, listeners, coordinator
checks) are registries of the same kind in ``rtkeren.transitions``.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import IntEnum
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules

from rtkeren.selectors.counting import count_together

CITY_MODULE = "city"
DEMO_MODULE = "demo"


@dataclass
class Registry:
    """An ordered set of named callables."""

    kind: str
    entries: dict[str, tuple[int, Callable]] = field(default_factory=dict)

    def register(self, name: str, *, order: int = 100) -> Callable[[Callable], Callable]:
        def decorator(function: Callable) -> Callable:
            if name in self.entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice.")
            self.entries[name] = (order, function)
            return function

        return decorator

    def unregister(self, name: str) -> None:
        del self.entries[name]

    def items(self) -> list[tuple[str, Callable]]:
        ranked = sorted(self.entries.items(), key=lambda item: (item[1][0], item[0]))
        return [(name, function) for name, (_order, function) in ranked]

    def collect(self, *args) -> list:
        """What each entry gives for ``args``, in order, leaving out the None answers."""
        found = (function(*args) for _name, function in self.items())
        return [answer for answer in found if answer is not None]


class Priority(IntEnum):
    """Higher comes first on the home page."""

    LOW = 10
    NORMAL = 20
    HIGH = 30


@dataclass(frozen=True)
class AttentionItem:
    """One line under "Needs your attention": a count (``count``) or a short text (``text``).

    A provider gives the count as ``counted``, the queryset whose rows it counts, rather than
    counting it itself: ``with_counts`` then counts every item's rows in one query."""

    title: str
    url: str = ""
    count: int | None = None
    text: str = ""
    priority: int = Priority.NORMAL
    counted: QuerySet | None = field(default=None, repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.count if self.count is not None else not self.text

    @property
    def is_urgent(self) -> bool:
        return self.priority >= Priority.HIGH


def url_or_empty(name: str, *args, **kwargs) -> str:
    """The URL of ``name``, or "" while no app serves it yet (the item then shows unlinked)."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


demo_data = Registry("demo data")
city_data = Registry("city data")
attention = Registry("attention provider")
activity_links = Registry("activity link")
exports = Registry("export")
open_datasets = Registry("open dataset")
search_providers = Registry("search provider")
# What a record of one stage can turn into in another (a forum priority into a proposal):
# ``(record, user) -> (label, url) or None``, without a query of its own per record.
origin_links = Registry("origin link")
# Printable reports: each app adds its section, ``(activity, user) -> (template_name, context)
# or None`` for the activity report and ``(rt, period, user) -> ...`` for the yearly RT report,
# read with a constant number of queries (the page checks the permission to see the report).
report_sections = Registry("report section")
rt_report_sections = Registry("RT report section")
# The public page of a kelurahan: each app adds its section, ``(kelurahan, period, query) ->
# (template_name, context) or None``, read with a constant number of queries and holding no
# personal data (anyone may read it without logging in). The page is shared through the cache
# (``rtkeren.views.public``): a section names the query parameters it reads in the function's
# ``page_params``, and puts in its context, as ``changes_at``, when it next changes with the
# clock alone (None when it does not). A section that shows what the kelurahan's participation
# counts (its scorecard) says so with ``follows_participation = True``: it is shared apart
# from the rest, under the kelurahan's version, and receives its template's context alone.
public_sections = Registry("public section")


# What an activity may come from in another stage (an open potential, a priority of a forum that
# was held), from the app that keeps such records, registered from its ``AppConfig.ready()``:
# ``origin_sources`` holds ``(kelurahan_ids, *, limit) -> list[Origin]``, the newest first, at
# most ``limit``, in one query; ``origin_checks`` holds ``(record) -> bool``, whether the app's
# sources would offer ``record`` (False for a record of another app).
origin_sources = Registry("origin source")
origin_checks = Registry("origin check")


@dataclass(frozen=True)
class Origin:
    """A record an activity may come from, as the app that keeps it offers it: ``key`` is
    ``"<content type id>:<object id>"`` (what a form posts), ``label`` what the form shows."""

    key: str
    label: str
    content_type_id: int
    object_id: int


def origins_in(kelurahan_ids: Iterable[int], *, limit: int) -> list[Origin]:
    """What activities of the given kelurahans may come from, source by source in order."""
    kelurahan_ids = list(kelurahan_ids)
    return [
        origin
        for _name, source in origin_sources.items()
        for origin in source(kelurahan_ids, limit=limit)
    ]


def may_be_origin(record) -> bool:
    """Whether a source offers ``record`` at all, as its app says."""
    return any(check(record) for _name, check in origin_checks.items())


# What happens when a period closes (``period_close``): ``(period) -> None``, called in order
# inside the closing transaction, so that a failing hook leaves the period open. Each app freezes
# its own figures of the period here (assessment stores the scorecard of every scope); a hook
# must do nothing twice when called again for the same period.
period_closing = Registry("period closing hook")


# Money spent on activities (their realisation), from the app that records it:
# ``(activities) -> {activity_id: whole rupiah}`` for activities given as a prepared query
# (``rtkeren.prepared.Prepared``, which the app reads into its own with ``into``), in one query;
# an activity with nothing spent may be left out. ``realised_for`` adds up every provider.
realised_spending = Registry("realised spending")


def realised_for(activities) -> dict[int, int]:
    """What was spent on each of ``activities`` (a prepared query), by every provider
    together."""
    totals: dict[int, int] = {}
    for _name, provider in realised_spending.items():
        for activity_id, amount in provider(activities).items():
            totals[activity_id] = totals.get(activity_id, 0) + amount
    return totals


# Products an activity promised and left below their targets, for assessment to follow up:
# ``(activities, *, limit) -> list[UnfinishedOutput]`` for activities given as a prepared query
# (``rtkeren.prepared.Prepared``, which the app reads into its own with ``into``), in one query,
# at most ``limit`` (None: all) in the order of the activities' ids.
unfinished_outputs = Registry("unfinished outputs")


@dataclass(frozen=True)
class UnfinishedOutput:
    """One product below its target, as the app that records it reports it (``obstacle`` is
    the kind of obstacle, ``obstacle_note`` what was written about it); a follow-up points at it
    by content type and id."""

    content_type_id: int
    object_id: int
    activity_id: int
    activity_title: str
    name: str
    finished: int
    target: int
    unit: str
    obstacle: str
    obstacle_note: str = ""

    @property
    def obstacle_text(self) -> str:
        """The obstacle in full, for pages about the activity itself; lists across activities
        (the scorecard) show its kind alone, as the reports do."""
        return ": ".join(part for part in (self.obstacle, self.obstacle_note) if part)


def unfinished_outputs_of(activities, *, limit: int | None = None) -> list[UnfinishedOutput]:
    """The unfinished outputs of ``activities`` (a prepared query of activities), from every
    app that records some."""
    found = [
        output
        for _name, provider in unfinished_outputs.items()
        for output in provider(activities, limit=limit)
    ]
    return found if limit is None else found[:limit]


def sections_of(registry: Registry, *args) -> list[tuple[str, dict]]:
    """The sections the apps contribute to a report, in registry order."""
    return registry.collect(*args)


def links_for_activity(activity) -> list[tuple[str, str]]:
    """The stage pages about ``activity``, in registry order."""
    return activity_links.collect(activity)


def links_for_origin(record, user) -> list[tuple[str, str]]:
    """The pages where ``user`` can take ``record`` further, in registry order."""
    return origin_links.collect(record, user)


@cache
def discover_demo() -> None:
    """Import every app's ``demo`` module once (for ``seed_demo``)."""
    autodiscover_modules(DEMO_MODULE)


@cache
def discover_city() -> None:
    """Import every app's ``city`` module once (for ``seed_city``)."""
    autodiscover_modules(CITY_MODULE)


def with_counts(items: list[AttentionItem]) -> list[AttentionItem]:
    """``items`` with each ``counted`` queryset counted into ``count``, all in one query."""
    pending = [index for index, item in enumerate(items) if item.counted is not None]
    counts = count_together([items[index].counted for index in pending])
    counted = list(items)
    for index, count in zip(pending, counts, strict=True):
        counted[index] = replace(items[index], count=count, counted=None)
    return counted


def attention_items(user) -> list[AttentionItem]:
    """What needs ``user``'s attention, most urgent first; providers' empty items left out."""
    if not user.is_authenticated:
        return []
    provided = [item for _name, provider in attention.items() for item in provider(user)]
    items = [item for item in with_counts(provided) if not item.is_empty]
    # sorted() is stable: equal priorities keep the providers' registration order.
    return sorted(items, key=lambda item: -item.priority)


@dataclass(frozen=True)
class ParticipationKind:
    """A kind of participation ledger row: its code (``Participation.kind``), the stage it
    counts in, and what it is called on screen."""

    code: str
    stage: str
    label: str


class ParticipationKinds:
    """Every kind of ledger row, registered by the app that writes it from its
    ``AppConfig.ready()``, one call per kind. ``participation_record`` takes a kind's stage from
    here and refuses a kind nobody registered; registering a kind twice, or with anything but a
    ``Stage``, fails at start-up."""

    def __init__(self):
        self._kinds: dict[str, ParticipationKind] = {}

    def register(self, code: str, *, stage, label) -> ParticipationKind:
        from rtkeren.models import Stage

        if not isinstance(stage, Stage):
            raise ImproperlyConfigured(
                f"Participation kind {code!r}: its stage {stage!r} is not a Stage."
            )
        if code in self._kinds:
            raise ImproperlyConfigured(f"Participation kind {code!r} is registered twice.")
        kind = ParticipationKind(code=code, stage=stage, label=label)
        self._kinds[code] = kind
        return kind

    def __contains__(self, code: object) -> bool:
        return code in self._kinds

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def all(self) -> list[ParticipationKind]:
        return list(self._kinds.values())

    def get(self, code: str) -> ParticipationKind:
        """The registered kind ``code``; an unknown code is a programming error."""
        try:
            return self._kinds[code]
        except KeyError:
            raise ImproperlyConfigured(
                f"Participation kind {code!r} is not registered: its app registers it with "
                "participation_kinds.register() in AppConfig.ready()."
            ) from None

    def stage_of(self, code: str) -> str:
        return self.get(code).stage

    def label_of(self, code: str) -> str:
        """What ``code`` is called on screen; a code nobody registered (a row written before its
        kind was renamed) shows as written."""
        kind = self._kinds.get(code)
        return kind.label if kind is not None else code


participation_kinds = ParticipationKinds()


def participation_kind_label(kind: str) -> str:
    return participation_kinds.label_of(kind)


class ParticipationSubjects:
    """The records a ledger row may be about that are not part of an activity (a potential, a
    forum, a voting round), each registered by the app that keeps them from its
    ``AppConfig.ready()`` with the field that names one (its title). A row about a part of an
    activity (a meeting's attendance, an evaluation) is named by its activity instead, which the
    row holds itself; registering a model twice fails at start-up."""

    def __init__(self):
        self._fields: dict[str, tuple[type, str]] = {}

    def register(self, model, *, field: str = "title") -> None:
        label = model._meta.label_lower
        if label in self._fields:
            raise ImproperlyConfigured(f"Participation subject {label!r} is registered twice.")
        self._fields[label] = (model, field)

    def __contains__(self, label: object) -> bool:
        return label in self._fields

    def names(self, rows) -> dict[tuple[int, int], str]:
        """What each of ``rows`` (ledger rows read with their ``content_type``) is about, by
        ``(content_type_id, object_id)``, for the rows whose subject is registered: one query per
        kind of subject among them, however many rows there are."""
        wanted: dict[str, tuple[int, set[int]]] = {}
        for row in rows:
            label = f"{row.content_type.app_label}.{row.content_type.model}"
            if label in self._fields:
                wanted.setdefault(label, (row.content_type_id, set()))[1].add(row.object_id)
        found = {}
        for label, (content_type_id, object_ids) in wanted.items():
            model, field = self._fields[label]
            titles = model._base_manager.filter(pk__in=object_ids).values_list("pk", field)
            found.update({(content_type_id, pk): title for pk, title in titles})
        return found


participation_subjects = ParticipationSubjects()


# What the participation ledger should hold, recomputed from each stage's own records: a source
# ``() -> Iterable[ExpectedParticipation]`` per app, registered from its ``AppConfig.ready()``
# (see ``rtkeren.services.ledger_sync``).
ledger_sources = Registry("ledger source")


# What follows residents: ``(resident_ids, kelurahan_ids) -> None``, registered from an app's
# ``AppConfig.ready()`` and called by the core's services inside the transaction of every write
# that can change a resident's interests, verification, status, RT or birth date (through
# ``residents_changed``): ``resident_ids`` are the residents written, ``kelurahan_ids`` the
# kelurahans they left, if any. A hook works set-based, in a few queries whatever the number of
# residents (an import passes thousands).
resident_changes = Registry("resident change hook")


def residents_changed(*, resident_ids: Iterable[int] = (), kelurahan_ids: Iterable[int] = ()):
    """Tell every ``resident_changes`` hook that these residents changed."""
    resident_ids, kelurahan_ids = sorted(set(resident_ids)), sorted(set(kelurahan_ids))
    if not (resident_ids or kelurahan_ids):
        return
    for _name, hook in resident_changes.items():
        hook(resident_ids, kelurahan_ids)


# Stored figures an app keeps beside its records, compared with their recomputation by
# ``manage.py ledger check``: ``() -> (difference lines, what to say when there are none)``,
# registered from the app's ``AppConfig.ready()``.
derived_checks = Registry("derived figures check")


@dataclass(frozen=True)
class HistoryKind:
    """A kind of record whose change history officers read on the core's history page.

    ``name`` names the page's URL (``<name>-history``) and ``slug`` is its path
    (``riwayat/<slug>/<pk>/``); ``queryset`` is ``(user) -> QuerySet``, the records ``user``
    reaches at all (a record outside it is a 404), with the joins the permission needs to place
    the record without a query of its own; ``permission`` is the ``rules`` permission asked on
    the record; ``back_url`` is ``(record) -> str``, the page the record is read on."""

    name: str
    slug: str
    queryset: Callable
    permission: str
    back_url: Callable
    #: ``(record) -> list[rtkeren.selectors.history.RelatedHistory]``: the changes of the
    #: record's parts shown below its own (a meeting's attendance), a query each.
    related: Callable | None = None


class HistoryKinds:
    """Every kind of record with a history page, registered by the app that keeps the records
    from its ``AppConfig.ready()``, one call per kind; a name or slug registered twice fails at
    start-up. The page's URLs are made from them when the URLs load, after every app is ready."""

    def __init__(self):
        self._kinds: dict[str, HistoryKind] = {}

    def register(
        self,
        name: str,
        *,
        slug: str,
        queryset: Callable,
        permission: str,
        back_url: Callable,
        related: Callable | None = None,
    ) -> HistoryKind:
        if name in self._kinds:
            raise ImproperlyConfigured(f"History kind {name!r} is registered twice.")
        if any(kind.slug == slug for kind in self._kinds.values()):
            raise ImproperlyConfigured(f"History kind slug {slug!r} is registered twice.")
        kind = HistoryKind(
            name=name,
            slug=slug,
            queryset=queryset,
            permission=permission,
            back_url=back_url,
            related=related,
        )
        self._kinds[name] = kind
        return kind

    def unregister(self, name: str) -> None:
        del self._kinds[name]

    def all(self) -> list[HistoryKind]:
        return sorted(self._kinds.values(), key=lambda kind: kind.name)

    def get(self, name: str) -> HistoryKind:
        return self._kinds[name]


history_kinds = HistoryKinds()

# The changes of an activity's parts that another stage keeps (a proposal's comments and their
# moderation), shown on the activity's history page: ``(activity) -> RelatedHistory or None``.
activity_history_related = Registry("activity history section")


# What a person takes away from Data Saya ("Unduh data saya"): ``(user, resident_ids) ->
# list[PersonalSection]``, the records of the app that are about ``user`` or about the
# confirmed register entries ``resident_ids`` (none for an account without one), each section
# read in one query or a few, whatever the number of records, and holding nothing about anyone
# else (no other person's name). Registered from the app's ``AppConfig.ready()``.
personal_data = Registry("personal data section")


@dataclass(frozen=True)
class PersonalSection:
    """One part of a person's own data: ``key`` names it in the JSON file, ``title`` on the page,
    and ``rows`` hold one dict per record whose keys are what the values are called on screen and
    whose values are text, numbers, dates, datetimes or None."""

    key: str
    title: str
    rows: list[dict]


@dataclass(frozen=True)
class CalendarEvent:
    """A forum or a meeting as a calendar shows it, holding nothing about any resident:
    ``uid`` stays the same for the same record (``"forum-12"``; the portal's host is added),
    ``path`` is its page in the portal, ``cancelled`` says it will not take place."""

    uid: str
    summary: str
    starts: datetime.datetime
    ends: datetime.datetime
    location: str
    path: str
    cancelled: bool = False


# The events of a person's calendar feed, from each app that keeps some:
# ``(user, *, since, limit) -> list[CalendarEvent]``, the events from the date ``since`` on that
# concern ``user`` (their RT and kelurahan, the activities they take part in) among those they
# may see, at most ``limit``, in a constant number of queries.
calendar_events = Registry("calendar events")


def calendar_events_for(user, *, since: datetime.date, limit: int) -> list[CalendarEvent]:
    """The events of ``user``'s feed from every app, earliest first, at most ``limit``."""
    found = [
        event
        for _name, source in calendar_events.items()
        for event in source(user, since=since, limit=limit)
    ]
    return sorted(found, key=lambda event: (event.starts, event.uid))[:limit]


@dataclass(frozen=True)
class Reminder:
    """A reminder due now, as the app that keeps its subject says it: ``key`` names it for
    good (``"forum-day-before:12:2026-12-05"``: each person gets it once), ``recipients`` are the
    accounts it is for (a queryset or a list), ``message`` is what ``notification_send`` takes
    (a lazy text or a callable rendered in each recipient's language), ``template`` and
    ``template_parameters`` the approved WhatsApp template and its parameters in Indonesian."""

    key: str
    recipients: Iterable
    message: object
    kind: str
    url: str = ""
    subject: object = None
    template: str = ""
    template_parameters: tuple[str, ...] = ()


# The reminders each app sends: ``(now) -> Iterable[Reminder]``, registered from its
# ``AppConfig.ready()``, answered with a constant number of queries plus at most one per reminder
# (its recipients, read when the reminder is sent). A reminder stays due for a while (all of the
# day before a forum): the scheduler asks every minute and leaves out who already has it.
reminder_providers = Registry("reminder provider")
