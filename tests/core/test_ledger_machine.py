"""The participation ledger and the scorecard under random sequences of the real services.

A small world (one kelurahan, two RWs of two RTs, a chair and a resident with an account in
each RT, a register entry without an account in each RT, an officer and a facilitator, one
open period; and an RT of a second kelurahan that residents may move to, so that the city's
figures, put together from its kelurahan's, meet residents counted in two of them) is built
once for the test; hypothesis then runs sequences of service calls on it, each example in a
savepoint rolled back at its end. After every step that wrote something
(the database's fingerprint changed; a step that wrote nothing leaves the state last checked),
and once what the step's commit would run has run (the scope versions of what it wrote, which
the scorecard's cache is keyed by):

1. the ledger equals its recomputation from the stage records (``ledger_differences``), and
   the scorecard base of the open period equals its recomputation from the register and the
   recorded moves and deaths (``base_differences``);
2. every scorecard rate lies between 0 and 100 and no stage has more participants than base;
3. while the period is open, every figure of ``scorecard``, ``compare_rts`` and
   ``compare_kelurahan`` equals a count made here in Python from the ledger and the base rows,
   without the scorecard's queries; once a step has closed it, every figure stays what it was
   at the moment of closing, whatever the later steps do.

A service that refuses a step (``ValidationError``, ``PermissionDenied``) must leave the data
as it was: the database's fingerprint (``_fingerprint``) and the ledger's row count are
compared before and after.

``LEDGER_MACHINE_EXAMPLES`` sets the number of examples (25 by default; CI runs 60). The
examples are the same on every run; ``HYPOTHESIS_PROFILE=explore`` draws new ones.
"""

import datetime
import itertools
import os
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from assessment import services as assessment
from assessment.models import Criterion
from assessment.scorecard import Scope, compare_kelurahan, compare_rts, scorecard
from commissioning import services as commissioning
from commissioning.models import Category, Element
from delivery import services as delivery
from delivery.models import Implementer
from designing import services as designing
from designing.services import BudgetLineData, ProposalData
from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    BaseEntry,
    Kelurahan,
    Participation,
    Period,
    Resident,
    Role,
    Stage,
    User,
)
from rtkeren.services import activities
from rtkeren.services.accounts import registration_submit, resident_reject, resident_verify
from rtkeren.services.base import base_differences
from rtkeren.services.ledger_sync import ledger_differences
from rtkeren.services.periods import period_close
from rtkeren.services.residents import resident_move, resident_record_death
from tests import factories

EXAMPLES = int(os.environ.get("LEDGER_MACHINE_EXAMPLES", "25"))
EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
ADULT_AGE = 17
REFUSALS = (ValidationError, PermissionDenied)

# Indexes into the machine's lists, taken modulo their length: small numbers shrink well.
pick = st.integers(min_value=0, max_value=11)


@dataclass(frozen=True)
class World:
    kelurahan_id: int
    rt_ids: tuple[int, ...]
    # An RT of another kelurahan, where residents may move.
    elsewhere_rt_id: int
    rt_kelurahan: dict[int, int]
    period_id: int
    officer_id: int
    facilitator_id: int
    admin_id: int
    chair_of: dict[int, int]
    account_ids: tuple[int, ...]
    unclaimed_ids: tuple[int, ...]
    activity_ids: tuple[int, ...]
    round_ids: tuple[int, ...]
    meeting_ids: tuple[int, ...]
    implementer_ids: tuple[int, ...]


def _proposal(by: User, place, period: Period, title: str) -> Activity:
    activity = designing.proposal_create(
        by=by,
        place=place,
        period=period,
        data=ProposalData(
            title=title,
            kind=Activity.Kind.TRAINING,
            nature=Activity.Nature.NONFISIK,
            bidang=Activity.Bidang.HUMAN_DEVELOPMENT,
            funding_source=Activity.Funding.RT_KEREN,
            description="Enam pertemuan.",
            budget_lines=[BudgetLineData("Kain mori", 10, "lembar", 35_000)],
        ),
    )
    return activities.activity_propose(activity=activity, by=by)


def _meeting_details(title: str) -> "delivery.MeetingDetails":
    # Today, from midnight to one minute past: it has taken place (the activity may be marked
    # delivered), and check-in is judged at its start.
    return delivery.MeetingDetails(
        title=title,
        date=timezone.localdate(),
        starts_at=datetime.time(0, 0),
        ends_at=datetime.time(0, 1),
        place="Balai RW",
    )


def _activities_under_way(*, officer: User, accounts: list[User], rts: list, period: Period):
    """Through the services, activities at every stage, so that a sequence of 20 steps reaches
    delivery and assessment: proposed, in an open kelurahan voting round, approved, in
    delivery with an implementer and a meeting, and delivered (its evaluation window open)."""
    proposed = _proposal(accounts[0], rts[0], period, "Kelas tari anak")
    voted_on = _proposal(accounts[1], rts[0].rw.kelurahan, period, "Festival kampung")
    voting_round = designing.round_open(
        by=officer,
        place=rts[0].rw.kelurahan,
        period=period,
        title="Pemilihan usulan kelurahan",
        opens_at=timezone.now() - datetime.timedelta(minutes=1),
        closes_at=timezone.now() + datetime.timedelta(days=7),
        votes_per_resident=2,
        proposals=[voted_on],
    )
    approved = _proposal(accounts[2], rts[1], period, "Pelatihan membatik")
    activities.activity_approve(activity=approved, by=officer)
    running = _proposal(accounts[4], rts[2], period, "Kerja bakti saluran")
    delivered = _proposal(accounts[6], rts[3], period, "Pentas karawitan")
    meetings, implementers = [], []
    for activity, account in ((running, accounts[5]), (delivered, accounts[7])):
        activities.activity_approve(activity=activity, by=officer)
        activities.activity_start_delivery(activity=activity, by=officer)
        implementers.append(
            delivery.implementer_add(
                activity=activity,
                by=officer,
                resident=account.resident,
                role=Implementer.Role.COORDINATOR,
            )
        )
        meeting = delivery.meeting_plan(
            activity=activity, by=officer, details=_meeting_details(f"Pertemuan {activity}")
        )
        delivery.attendance_mark(meeting=meeting, by=officer, present=[account.resident.pk])
        meetings.append(meeting)
    activities.activity_mark_delivered(activity=delivered, by=officer)
    return (
        [proposed, voted_on, approved, running, delivered],
        [voting_round],
        meetings,
        implementers,
    )


def _build_world() -> World:
    kelurahan = factories.kelurahan(factories.BLITAR)
    rts = [
        factories.RTFactory(rw=factories.RWFactory(kelurahan=kelurahan, number=rw), number=number)
        for rw in (1, 2)
        for number in (1, 2)
    ]
    elsewhere = factories.RTFactory(
        rw=factories.RWFactory(kelurahan=factories.kelurahan(factories.PAKUNDEN), number=1),
        number=1,
    )
    today = timezone.localdate()
    period = factories.PeriodFactory(year=today.year)
    officer = factories.make_user_with_role(Role.OFFICER, "petugas", kelurahan=kelurahan)
    facilitator = factories.make_user_with_role(Role.FACILITATOR, "pendamping", kelurahan=kelurahan)
    serials = itertools.count(1)

    def entry(rt, index: int, **fields) -> dict:
        # Fixed birth dates, far from the period's start: who is an adult never depends on the
        # day the test runs. The last RT's plain resident turned 17 after the period started.
        born = datetime.date(1970 + 7 * index, 5 + index % 6, 10 + index)
        return {"birth_date": born, "serial": next(serials), **fields}

    chair_of, accounts, unclaimed = {}, [], []
    for index, rt in enumerate(rts):
        chair, _resident = factories.make_resident_user(
            rt, f"ketua{index}", **entry(rt, index, sex="L")
        )
        factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
        chair_of[rt.pk] = chair.pk
        young = index == len(rts) - 1
        born = (
            {"birth_date": period.starts_on.replace(year=period.starts_on.year - ADULT_AGE)}
            if young
            else {}
        )
        resident_user, _resident = factories.make_resident_user(
            rt, f"warga{index}", **{**entry(rt, index + 4, sex="P"), **born}
        )
        accounts += [chair.pk, resident_user.pk]
        unclaimed.append(factories.ResidentFactory(rt=rt, **entry(rt, index + 1, sex="L")).pk)
    under_way, rounds, meetings, implementers = _activities_under_way(
        officer=officer,
        accounts=[User.objects.get(pk=pk) for pk in accounts],
        rts=rts,
        period=period,
    )
    return World(
        kelurahan_id=kelurahan.pk,
        rt_ids=tuple(rt.pk for rt in rts),
        elsewhere_rt_id=elsewhere.pk,
        rt_kelurahan={rt.pk: kelurahan.pk for rt in rts},
        period_id=period.pk,
        officer_id=officer.pk,
        facilitator_id=facilitator.pk,
        admin_id=User.objects.create_superuser("admin", password=None).pk,
        chair_of=chair_of,
        account_ids=tuple(accounts),
        unclaimed_ids=tuple(unclaimed),
        activity_ids=tuple(activity.pk for activity in under_way),
        round_ids=tuple(voting_round.pk for voting_round in rounds),
        meeting_ids=tuple(meeting.pk for meeting in meetings),
        implementer_ids=tuple(implementer.pk for implementer in implementers),
    )


# The brute-force scorecard, written apart from ``assessment.scorecard``.


def base_places(period: Period) -> set[tuple[int, int]]:
    """The scorecard's base of ``period`` as stored: (resident id, RT id) for each RT where a
    resident counts. Invariant 1 holds it equal to its recomputation from the register."""
    return set(BaseEntry.objects.filter(period=period).values_list("resident_id", "rt_id"))


@dataclass(frozen=True)
class Figures:
    base: int
    participants: dict[str, int]


class BruteForce:
    """The register and the ledger read once as plain rows, then counted in Python."""

    def __init__(self, period: Period):
        self.period = period
        self.base = base_places(period)
        self.kelurahan_of = dict(RT.objects.values_list("pk", "rw__kelurahan_id"))
        self.rows = list(
            Participation.objects.values_list(
                "resident_id", "stage", "period_id", "rt_id", "kelurahan_id"
            )
        )

    def figures(self, in_scope) -> Figures:
        """Base and distinct participants per stage for the places ``in_scope(rt_id,
        kelurahan_id)`` accepts: participants are residents in the base with a ledger row of
        the period written in the scope (where they lived when they took part) whom the base
        holds in the RT of the row; each resident once."""
        base = {
            resident_id
            for resident_id, rt_id in self.base
            if in_scope(rt_id, self.kelurahan_of[rt_id])
        }
        seen: dict[str, set[int]] = {stage.value: set() for stage in Stage}
        for resident_id, stage, period_id, rt_id, kelurahan_id in self.rows:
            if (
                period_id == self.period.pk
                and (resident_id, rt_id) in self.base
                and in_scope(rt_id, kelurahan_id)
            ):
                seen[stage].add(resident_id)
        return Figures(len(base), {stage: len(residents) for stage, residents in seen.items()})


def _figures_of(card) -> Figures:
    return Figures(card.base, {result.stage.value: result.participants for result in card.stages})


def _check_rates(card) -> None:
    for result in card.stages:
        assert 0 <= result.participants <= result.base, (
            f"{card.scope_name}, {result.stage.value}: {result.participants} participants "
            f"over a base of {result.base}"
        )
        if result.rate is not None:
            assert 0 <= result.rate <= 100, (
                f"{card.scope_name}, {result.stage.value}: rate {result.rate}%"
            )


# The officer's steps of an activity's life: the service, the status it starts from (None: any),
# and what else it takes.
TRANSITIONS = {
    "approve": (designing.proposal_review, ActivityStatus.PROPOSED, {"approve": True}),
    "start_delivery": (activities.activity_start_delivery, ActivityStatus.APPROVED, {}),
    "mark_delivered": (activities.activity_mark_delivered, ActivityStatus.IN_DELIVERY, {}),
    "cancel": (activities.activity_cancel, None, {"reason": "Dana dialihkan"}),
}


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, world: World):
        super().__init__()
        self.world = world
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        cache.clear()
        self.today = timezone.localdate()
        self.period = Period.objects.get(pk=world.period_id)
        self.kelurahan = Kelurahan.objects.get(pk=world.kelurahan_id)
        self.accounts = list(world.account_ids)
        self.unclaimed = list(world.unclaimed_ids)
        self.registrants: list[int] = []
        self.potentials: list[int] = []
        self.forums: list[int] = []
        self.activities = list(world.activity_ids)
        self.rounds = list(world.round_ids)
        self.comments: list[int] = []
        self.meetings = list(world.meeting_ids)
        self.implementers = list(world.implementer_ids)
        self.evaluation_rounds: list[int] = []
        self.counter = itertools.count(1)
        self.checks = itertools.count()
        self.checked_fingerprint = None
        # The commit callbacks already run: those of the steps before.
        self.committed = len(connection.run_on_commit)
        # The figures of every scorecard checked when the period closed, by scope name.
        self.frozen: dict[str, Figures] | None = None

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)
        cache.clear()

    # Helpers.

    def _user(self, pk: int) -> User:
        """A fresh account object, as each request loads one (roles are cached on it)."""
        return User.objects.get(pk=pk)

    def _officer(self) -> User:
        return self._user(self.world.officer_id)

    @staticmethod
    def _choose(items: list, index: int):
        return items[index % len(items)]

    def _resident(self, index: int, *, active: bool = False) -> Resident:
        """Any resident of the register; an active one if asked and there is one."""
        residents = Resident.objects.order_by("pk")
        if active and residents.active().exists():
            residents = residents.active()
        return self._choose(list(residents.select_related("rt__rw")), index)

    def _attempt(self, action, **arguments):
        """Call a service; a refusal is allowed, but must leave everything as it was."""
        fingerprint, rows = _fingerprint(), Participation.objects.count()
        try:
            return action(**arguments)
        except REFUSALS:
            assert _fingerprint() == fingerprint, f"{action.__name__} refused, yet wrote"
            assert Participation.objects.count() == rows
            return None

    def _activity(self, index: int, *statuses: str) -> Activity:
        """One of the activities proposed so far; among those in ``statuses`` when there are
        any, so that sequences get somewhere (the others are still tried by other rules)."""
        activities = Activity.objects.filter(pk__in=self.activities).order_by("pk")
        if statuses and activities.filter(status__in=statuses).exists():
            activities = activities.filter(status__in=statuses)
        return self._choose(list(activities), index)

    # Accounts and the register.

    @rule(rt=pick, claim=st.booleans(), entry=pick)
    def register(self, rt, claim, entry):
        number = next(self.counter)
        if claim:
            resident = Resident.objects.get(pk=self._choose(self.unclaimed, entry))
            details = {
                "name": resident.name,
                "nik": resident.reveal_nik(),
                "birth_date": resident.birth_date,
                "rt": resident.rt,
            }
        else:
            born = datetime.date(1985, 1 + number % 12, 1 + number % 28)
            details = {
                "name": f"Warga Baru {number}",
                "nik": factories.make_nik(born, "P", 5000 + number),
                "birth_date": born,
                "rt": self.world_rt(rt),
            }
        user = self._attempt(
            registration_submit,
            username=f"daftar{number}",
            password=factories.REGISTRATION_PASSWORD,
            **details,
        )
        if user is not None:
            self.registrants.append(user.pk)
            self.accounts.append(user.pk)

    def world_rt(self, index: int) -> RT:
        return RT.objects.select_related("rw").get(pk=self._choose(list(self.world.rt_ids), index))

    def _decider(self, resident: Resident, by_chair: bool) -> User:
        if by_chair:
            return self._user(self.world.chair_of[resident.rt_id])
        return self._officer()

    @precondition(lambda self: self.registrants)
    @rule(index=pick, by_chair=st.booleans())
    def verify(self, index, by_chair):
        # A rejected registration leaves its account without a resident.
        resident = Resident.objects.filter(user_id=self._choose(self.registrants, index)).first()
        if resident is None:
            return
        self._attempt(resident_verify, resident=resident, by=self._decider(resident, by_chair))

    @precondition(lambda self: self.registrants)
    @rule(index=pick, by_chair=st.booleans())
    def reject(self, index, by_chair):
        found = Resident.objects.filter(user_id=self._choose(self.registrants, index)).first()
        if found is None:
            return
        self._attempt(
            resident_reject,
            resident=found,
            by=self._decider(found, by_chair),
            reason="NIK tidak cocok dengan KTP",
        )

    @rule(index=pick, to=pick, elsewhere=st.booleans())
    def move_within_city(self, index, to, elsewhere):
        """To another RT of the kelurahan, or to the second kelurahan (its officer would record
        that move; the world's officer stands in, as the officer of the place left)."""
        resident = self._resident(index, active=True)
        to_rt = RT.objects.get(pk=self.world.elsewhere_rt_id) if elsewhere else self.world_rt(to)
        self._attempt(
            resident_move,
            by=self._officer(),
            resident=resident,
            happened_on=self.today,
            note="Pindah rumah",
            to_rt=to_rt,
        )

    @rule(index=pick, died=st.booleans())
    def leave(self, index, died):
        """The resident moves out of the city, or dies (one rule: both end their part)."""
        resident = self._resident(index, active=True)
        if died:
            self._attempt(
                resident_record_death,
                by=self._officer(),
                resident=resident,
                happened_on=self.today,
                note="Meninggal dunia",
            )
        else:
            self._attempt(
                resident_move,
                by=self._officer(),
                resident=resident,
                happened_on=self.today,
                note="Pindah ke luar kota",
            )

    # Co-commissioning.

    @rule(account=pick, kelurahan_wide=st.booleans())
    def record_potential(self, account, kelurahan_wide):
        user = self._user(self._choose(self.accounts, account))
        resident = Resident.objects.filter(user=user).select_related("rt__rw").first()
        if resident is None:
            return
        potential = self._attempt(
            commissioning.potential_record,
            by=user,
            place=self.kelurahan if kelurahan_wide else resident.rt,
            title=f"Sanggar tari {next(self.counter)}",
            category=Category.ARTS,
            description="Latihan tari tiap Minggu sore.",
        )
        if potential is not None:
            self.potentials.append(potential.pk)

    def _potential(self, index: int):
        from commissioning.models import Potential

        return Potential.objects.get(pk=self._choose(self.potentials, index))

    @precondition(lambda self: self.potentials)
    @rule(account=pick, potential=pick)
    def endorse(self, account, potential):
        self._attempt(
            commissioning.potential_endorse,
            potential=self._potential(potential),
            by=self._user(self._choose(self.accounts, account)),
        )

    @precondition(lambda self: self.potentials)
    @rule(account=pick, potential=pick)
    def withdraw_endorsement(self, account, potential):
        self._attempt(
            commissioning.potential_unendorse,
            potential=self._potential(potential),
            by=self._user(self._choose(self.accounts, account)),
        )

    @precondition(lambda self: len(self.potentials) >= 2)
    @rule(duplicate=pick, into=pick)
    def merge_potentials(self, duplicate, into):
        self._attempt(
            commissioning.potential_merge,
            duplicate=self._potential(duplicate),
            into=self._potential(into),
            by=self._officer(),
        )

    @rule(rt=pick, kelurahan_wide=st.booleans())
    def schedule_forum(self, rt, kelurahan_wide):
        forum = self._attempt(
            commissioning.forum_schedule,
            by=self._officer(),
            place=self.kelurahan if kelurahan_wide else self.world_rt(rt),
            title=f"Musyawarah warga {next(self.counter)}",
            date=self.today,
            starts_at=datetime.time(0, 0),
            ends_at=datetime.time(0, 1),
            place_name="Balai RW",
            agenda="Menggali potensi wilayah",
            invited=[Element.PKK, Element.YOUTH],
        )
        if forum is not None:
            self.forums.append(forum.pk)

    @precondition(lambda self: self.forums)
    @rule(forum=pick, present=st.lists(pick, max_size=3), absent=st.lists(pick, max_size=2))
    def attend_forum(self, forum, present, absent):
        from commissioning.models import Forum

        self._attempt(
            commissioning.forum_attendance_record,
            forum=Forum.objects.get(pk=self._choose(self.forums, forum)),
            by=self._officer(),
            present={self._resident(index).pk: Element.YOUTH for index in present},
            absent=[self._resident(index).pk for index in absent],
        )

    # Co-designing.

    @rule(account=pick, kelurahan_wide=st.booleans())
    def propose_activity(self, account, kelurahan_wide):
        user = self._user(self._choose(self.accounts, account))
        resident = Resident.objects.filter(user=user).select_related("rt__rw").first()
        if resident is None:
            return
        activity = self._attempt(
            designing.proposal_create,
            by=user,
            place=self.kelurahan if kelurahan_wide else resident.rt,
            period=self.period,
            data=ProposalData(
                title=f"Pelatihan membatik {next(self.counter)}",
                kind=Activity.Kind.TRAINING,
                nature=Activity.Nature.NONFISIK,
                bidang=Activity.Bidang.HUMAN_DEVELOPMENT,
                funding_source=Activity.Funding.RT_KEREN,
                description="Enam pertemuan.",
                budget_lines=[BudgetLineData("Kain mori", 10, "lembar", 35_000)],
            ),
        )
        if activity is None:
            return
        self.activities.append(activity.pk)
        self._attempt(activities.activity_propose, activity=activity, by=user)

    @precondition(lambda self: self.activities)
    @rule(activity=pick)
    def withdraw_proposal(self, activity):
        activity = self._activity(activity, ActivityStatus.PROPOSED)
        self._attempt(activities.activity_withdraw, activity=activity, by=activity.author)

    @precondition(lambda self: self.activities)
    @rule(account=pick, activity=pick)
    def comment(self, account, activity):
        comment = self._attempt(
            designing.comment_post,
            activity=self._activity(activity, ActivityStatus.PROPOSED, ActivityStatus.APPROVED),
            by=self._user(self._choose(self.accounts, account)),
            body="Setuju, mohon pesertanya dari pemuda juga.",
        )
        if comment is not None:
            self.comments.append(comment.pk)

    def _comment(self, index: int):
        from designing.models import Comment

        return Comment.objects.get(pk=self._choose(self.comments, index))

    @precondition(lambda self: self.comments)
    @rule(comment=pick)
    def hide_comment(self, comment):
        self._attempt(
            designing.comment_hide,
            comment=self._comment(comment),
            by=self._officer(),
            reason="Di luar topik",
        )

    @precondition(lambda self: self.comments)
    @rule(comment=pick)
    def restore_comment(self, comment):
        self._attempt(designing.comment_restore, comment=self._comment(comment), by=self._officer())

    @precondition(lambda self: self.activities)
    @rule(activity=pick)
    def open_voting_round(self, activity):
        activity = self._activity(activity, ActivityStatus.PROPOSED)
        now = timezone.now()
        voting_round = self._attempt(
            designing.round_open,
            by=self._officer(),
            place=activity.rt or activity.kelurahan,
            period=self.period,
            title=f"Pemilihan usulan {next(self.counter)}",
            opens_at=now - datetime.timedelta(minutes=1),
            closes_at=now + datetime.timedelta(days=7),
            votes_per_resident=2,
            proposals=[activity],
        )
        if voting_round is not None:
            self.rounds.append(voting_round.pk)

    def _round_and_proposal(self, voting_round: int, proposal: int):
        from designing.models import VotingRound

        found = VotingRound.objects.get(pk=self._choose(self.rounds, voting_round))
        return found, self._choose(list(found.proposals.order_by("pk")), proposal)

    @precondition(lambda self: self.rounds)
    @rule(account=pick, voting_round=pick, proposal=pick)
    def vote(self, account, voting_round, proposal):
        found, activity = self._round_and_proposal(voting_round, proposal)
        self._attempt(
            designing.vote_cast,
            voting_round=found,
            activity=activity,
            by=self._user(self._choose(self.accounts, account)),
        )

    @precondition(lambda self: self.rounds)
    @rule(account=pick, voting_round=pick, proposal=pick)
    def take_vote_back(self, account, voting_round, proposal):
        found, activity = self._round_and_proposal(voting_round, proposal)
        self._attempt(
            designing.vote_withdraw,
            voting_round=found,
            activity=activity,
            by=self._user(self._choose(self.accounts, account)),
        )

    # The activity's way through its statuses.

    @precondition(lambda self: self.activities)
    @rule(activity=pick, step=st.sampled_from(sorted(TRANSITIONS)))
    def move_activity_on(self, activity, step):
        """Approve, start delivery, mark delivered or cancel, as the officer does: on an
        activity in the status the step starts from where there is one."""
        service, status, arguments = TRANSITIONS[step]
        self._attempt(
            service,
            activity=self._activity(activity, *([status] if status else [])),
            by=self._officer(),
            **arguments,
        )

    # Co-delivery.

    @precondition(lambda self: self.activities)
    @rule(activity=pick, resident=pick, coordinator=st.booleans())
    def add_implementer(self, activity, resident, coordinator):
        implementer = self._attempt(
            delivery.implementer_add,
            activity=self._activity(activity, ActivityStatus.IN_DELIVERY),
            by=self._officer(),
            resident=self._resident(resident, active=True),
            role=Implementer.Role.COORDINATOR if coordinator else Implementer.Role.TRAINER,
        )
        if implementer is not None:
            self.implementers.append(implementer.pk)

    @precondition(lambda self: self.implementers)
    @rule(implementer=pick)
    def remove_implementer(self, implementer):
        found = Implementer.objects.filter(pk=self._choose(self.implementers, implementer)).first()
        if found is None:
            return
        self._attempt(delivery.implementer_remove, implementer=found, by=self._officer())

    @precondition(lambda self: self.activities)
    @rule(activity=pick)
    def plan_meeting(self, activity):
        meeting = self._attempt(
            delivery.meeting_plan,
            activity=self._activity(activity, ActivityStatus.APPROVED, ActivityStatus.IN_DELIVERY),
            by=self._officer(),
            details=_meeting_details(f"Pertemuan {next(self.counter)}"),
        )
        if meeting is not None:
            self.meetings.append(meeting.pk)

    def _meeting(self, index: int):
        from delivery.models import Meeting

        return Meeting.objects.select_related("activity").get(pk=self._choose(self.meetings, index))

    @precondition(lambda self: self.meetings)
    @rule(meeting=pick, present=st.lists(pick, max_size=3), absent=st.lists(pick, max_size=2))
    def mark_attendance(self, meeting, present, absent):
        self._attempt(
            delivery.attendance_mark,
            meeting=self._meeting(meeting),
            by=self._officer(),
            present=[self._resident(index).pk for index in present],
            absent=[self._resident(index).pk for index in absent],
        )

    @precondition(lambda self: self.meetings)
    @rule(meeting=pick, account=pick)
    def check_in(self, meeting, account):
        meeting = self._meeting(meeting)
        self._attempt(
            delivery.attendance_check_in,
            meeting=meeting,
            user=self._user(self._choose(self.accounts, account)),
            token=delivery.checkin_token(meeting),
            now=meeting.starts,
        )

    # Co-assessment.

    def _scores(self) -> dict[int, int]:
        return {criterion.pk: 4 for criterion in Criterion.objects.active()}

    def _participants(self, activity: Activity) -> list[Resident]:
        """Who implemented or attended ``activity``, read from delivery's records."""
        from delivery.models import Attendance

        ids = set(Implementer.objects.filter(activity=activity).values_list("resident", flat=True))
        ids |= set(
            Attendance.objects.filter(meeting__activity=activity).values_list("resident", flat=True)
        )
        return list(Resident.objects.filter(pk__in=ids).order_by("pk"))

    @precondition(lambda self: self.activities)
    @rule(activity=pick, account=pick, side=st.sampled_from(["resident", "officer", "facilitator"]))
    def evaluate(self, activity, account, side):
        activity = self._activity(activity, ActivityStatus.DELIVERED)
        if side == "officer":
            by = self._officer()
        elif side == "facilitator":
            by = self._user(self.world.facilitator_id)
        else:
            takers = [r.user_id for r in self._participants(activity) if r.user_id]
            by = self._user(self._choose(takers or self.accounts, account))
        self._attempt(
            assessment.evaluation_submit,
            activity=activity,
            by=by,
            scores=self._scores(),
            suggestions="Lanjutkan tahun depan.",
        )

    @precondition(lambda self: self.activities)
    @rule(activity=pick, resident=pick)
    def evaluate_on_behalf(self, activity, resident):
        activity = self._activity(activity, ActivityStatus.DELIVERED)
        participants = self._participants(activity)
        self._attempt(
            assessment.evaluation_record_on_behalf,
            activity=activity,
            by=self._officer(),
            resident=self._choose(participants, resident)
            if participants
            else self._resident(resident),
            scores=self._scores(),
        )

    @rule(rt=pick, kelurahan_wide=st.booleans())
    def open_evaluation_round(self, rt, kelurahan_wide):
        evaluation_round = self._attempt(
            assessment.round_open,
            by=self._officer(),
            place=self.kelurahan if kelurahan_wide else self.world_rt(rt),
            period=self.period,
            title=f"Evaluasi {next(self.counter)}",
            covers_from=self.period.starts_on,
            covers_until=self.period.ends_on,
            forum_on=self.today,
            forum_place="Balai kelurahan",
        )
        if evaluation_round is not None:
            self.evaluation_rounds.append(evaluation_round.pk)

    @precondition(lambda self: self.evaluation_rounds)
    @rule(evaluation_round=pick, present=st.lists(pick, max_size=3), shown=st.lists(pick))
    def attend_evaluation_forum(self, evaluation_round, present, shown):
        from assessment.models import EvaluationRound

        present_residents = [self._resident(index) for index in present]
        self._attempt(
            assessment.forum_attendance_set,
            evaluation_round=EvaluationRound.objects.get(
                pk=self._choose(self.evaluation_rounds, evaluation_round)
            ),
            by=self._officer(),
            present=present_residents,
            shown=present_residents + [self._resident(index) for index in shown],
        )

    # Closing the year.

    @precondition(lambda self: self.frozen is None)
    @rule()
    def close_period(self):
        period = Period.objects.get(pk=self.world.period_id)
        if self._attempt(period_close, period=period, by=self._user(self.world.admin_id)):
            self.frozen = {
                card.scope_name: _figures_of(card)
                for card, _in_scope in self._cards(period, every_rt=True)
            }

    # What must hold after every step.

    @invariant()
    def ledger_and_scorecard_hold(self):
        self._commit()
        # A step that wrote nothing (refused, or a no-op) leaves the state the last check saw.
        fingerprint = _fingerprint()
        if fingerprint == self.checked_fingerprint:
            return
        self._ledger_equals_its_recomputation()
        self._scorecard_is_bounded_and_recomputable()
        self.checked_fingerprint = fingerprint

    def _commit(self):
        """Run what committing the step would run (the services' ``on_commit`` callbacks: new
        scope versions for what they wrote), as if each step were a request of its own. The
        example's savepoint keeps the data of every step, so only the newest callbacks run;
        those of a savepoint rolled back inside the step are gone already."""
        pending = connection.run_on_commit[self.committed :]
        self.committed = len(connection.run_on_commit)
        for _savepoints, callback, _robust in pending:
            callback()

    def _ledger_equals_its_recomputation(self):
        differences = ledger_differences()
        assert not differences, "\n".join(differences.lines())
        base = base_differences()
        assert not base, "\n".join(base.lines())

    def _scorecard_is_bounded_and_recomputable(self):
        period = Period.objects.get(pk=self.world.period_id)
        cards = self._cards(period)
        brute_force = BruteForce(period)
        for card, in_scope in cards:
            _check_rates(card)
            if self.frozen is None:
                assert _figures_of(card) == brute_force.figures(in_scope), card.scope_name
            else:
                assert _figures_of(card) == self.frozen[card.scope_name], card.scope_name

    def _cards(self, period: Period, *, every_rt: bool = False) -> list:
        """The scorecards to check, each with the places its brute-force count takes in: the
        RTs and kelurahan side by side, one RT's own scorecard in turn (``compare_rts`` has
        given every RT's) or every RT's, the kelurahan's and the city's."""
        kelurahan = self.kelurahan
        cards = [
            (card, lambda rt_id, _k, place=card.key[1].pk: rt_id == place)
            for card in compare_rts(kelurahan=kelurahan, period=period)
        ]
        cards += [
            (card, lambda _r, kelurahan_id, place=card.key[1].pk: kelurahan_id == place)
            for card in compare_kelurahan(period=period)
        ]
        rt_ids = (
            self.world.rt_ids
            if every_rt
            else [self.world.rt_ids[next(self.checks) % len(self.world.rt_ids)]]
        )
        cards += [
            (
                scorecard(scope=Scope(kelurahan=kelurahan, rt=rt), period=period),
                lambda rt_id, _k, place=rt.pk: rt_id == place,
            )
            for rt in RT.objects.select_related("rw").filter(pk__in=rt_ids)
        ]
        cards += [
            (
                scorecard(scope=Scope(kelurahan=kelurahan), period=period),
                lambda _r, kelurahan_id: kelurahan_id == kelurahan.pk,
            ),
            (scorecard(scope=Scope(), period=period), lambda _r, _k: True),
        ]
        return cards


#: Tables whose rows steps change in place (a redated ledger row, a base entry whose dates
#: follow a move, a resident's status), beyond adding and deleting rows.
CHANGED_IN_PLACE = (Participation, BaseEntry, Resident)


def _fingerprint() -> tuple:
    """What the database holds, closely enough to tell whether a step wrote, with no trigger:
    the row count and highest key of every table of the portal's apps (one query), and every
    row of the tables steps change in place (one query each)."""
    tables = sorted(
        (model._meta.db_table, model._meta.pk.column)
        for label in ("rtkeren", "commissioning", "designing", "delivery", "assessment")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{table}', COUNT(*), MAX({quote(pk)}) FROM {quote(table)}"
                for table, pk in tables
            )
        )
        sizes = sorted(cursor.fetchall())
    rows = tuple(tuple(model.objects.order_by("pk").values_list()) for model in CHANGED_IN_PLACE)
    return tuple(sizes), rows


@pytest.mark.django_db
def test_ledger_and_scorecard_hold_under_any_sequence_of_services():
    world = _build_world()
    run_state_machine_as_test(
        lambda: LedgerMachine(world),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=20,
            deadline=None,
            derandomize=not EXPLORE,
            database=None,
            # The first failure is shrunk and reported; shrinking is what takes time here.
            report_multiple_bugs=False,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
            ],
        ),
    )
