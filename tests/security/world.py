"""The objects the security tests reach for: the demo data (Kelurahan Blitar, the demo RT 002 /
RW 007) as the home scope, and a mirror of it in Kelurahan Pakunden (RT 001 / RW 001, where
``warga2`` lives and ``petugas2`` works) as the foreign scope.

The demo keeps all its activities in Kelurahan Blitar, so the foreign objects the demo lacks are
made here with the factories, one of each kind a URL takes. So is ``pengklaim``, an account
that claimed a register entry of the demo RT and is not confirmed: the demo has none."""

import datetime
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.utils import timezone

from assessment.models import Evaluation, EvaluationRound, FollowUp
from commissioning.models import Forum, Potential
from delivery import services as delivery_services
from delivery.models import Implementer, Meeting, Output, Task
from designing.models import Comment, VotingRound
from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    Channel,
    Kelurahan,
    NotificationKind,
    OutboundMessage,
    Period,
    Resident,
    Role,
    Stage,
    User,
)
from rtkeren.services import imports as import_services
from rtkeren.services.calendars import calendar_feed_create
from rtkeren.services.notifications import notification_send
from rtkeren.services.privacy import deletion_request_create
from tests import factories as core
from tests.assessment import factories as assessment_factories
from tests.commissioning import factories as commissioning_factories
from tests.delivery import factories as delivery_factories
from tests.designing import factories as designing_factories

BLITAR = "35.72.02.1002"
PAKUNDEN = "35.72.02.1001"
VISITOR = "visitor"
ACCOUNTS = (
    "admin",
    "kota",
    "petugas",
    "pendamping",
    "ketua_rw",
    "ketua_rt",
    "ketua_rt2",
    "komunitas",
    "warga",
    "petugas2",
    "warga2",
    "pendaftar1",
    "pendaftar2",
    "pendaftar3",
    "pendaftar4",
    "pengklaim",
)
# Accounts of Kelurahan Pakunden: the home objects are foreign to them, the foreign objects home.
PAKUNDEN_ACCOUNTS = frozenset({"petugas2", "warga2"})
# They see the whole city: no object is foreign to them.
CITY_ACCOUNTS = frozenset({"admin", "kota"})
CLAIMANT_USERNAME = "pengklaim"
CLAIMANT_PASSWORD = "klaim-belum-dikonfirmasi"
SECRET_VOTER_NAME = "Sekarwangi Rahasianingtyas"
SECRET_VOTER_USERNAME = "pemilih_rahasia"
_SIXTEEN_DIGITS = re.compile(rb"(?<![0-9])[0-9]{16}(?![0-9])")


@dataclass
class World:
    """Per kind of URL argument, the value for the home scope and for the foreign one (None
    when the kind has no foreign object, e.g. the programme period)."""

    home: dict[str, object] = field(default_factory=dict)
    foreign: dict[str, object] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # Every resident's full NIK -> the resident's pk.
    niks: dict[bytes, int] = field(default_factory=dict)
    secret_vote: dict[str, str] = field(default_factory=dict)
    # username -> pk of the account's own resident record
    own_resident: dict[str, int] = field(default_factory=dict)

    def full_niks_in(self, body: bytes) -> set[int]:
        """The residents whose full NIK appears in ``body``."""
        return {self.niks[match] for match in _SIXTEEN_DIGITS.findall(body) if match in self.niks}


def _plain_resident(rt: RT) -> Resident:
    """A verified adult of ``rt`` without an account, so that no login reaches them as 'self'."""
    return (
        Resident.objects.filter(
            rt=rt, user__isnull=True, verification=Resident.Verification.VERIFIED
        )
        .order_by("pk")
        .first()
    )


def _pakunden_world(rt: RT, officer: User, resident_user: User) -> dict[str, object]:
    """One object of each kind in ``rt`` (Pakunden), made as the demo makes Blitar's."""
    now = timezone.now()
    period = Period.objects.order_by("-year").first()
    proposal = designing_factories.proposal(rt=rt, period=period, author=resident_user)
    voting_round = designing_factories.VotingRoundFactory(
        rt=rt, period=period, opened_by=officer, proposals=[proposal]
    )
    running = delivery_factories.approved_activity(
        rt, status=ActivityStatus.IN_DELIVERY, period=period, author=officer
    )
    meeting = delivery_factories.meeting_at(
        running, now + datetime.timedelta(days=2), created_by=officer
    )
    delivered = assessment_factories.delivered_activity(
        by=officer, rt=rt, period=period, author=officer
    )
    evaluation = assessment_factories.EvaluationFactory(
        activity=delivered, evaluator=resident_user, resident=resident_user.resident
    )
    return {
        "proposal": proposal,
        "wide_proposal": designing_factories.proposal(
            rt=None, kelurahan=rt.rw.kelurahan, period=period, author=resident_user
        ),
        "activity": running,
        "delivered_activity": delivered,
        "comment": designing_factories.CommentFactory(activity=proposal, author=resident_user),
        "voting_round": voting_round,
        "round_proposal": proposal,
        "meeting": meeting,
        "checkin_token": delivery_services.checkin_token(meeting),
        "implementer": delivery_factories.ImplementerFactory(
            activity=running, resident=_plain_resident(rt), added_by=officer
        ),
        "output": delivery_factories.OutputFactory(activity=running),
        "task": delivery_factories.TaskFactory(activity=running, created_by=officer),
        "evaluation": evaluation,
        "followup": assessment_factories.FollowUpFactory(
            activity=delivered, owner=officer, created_by=officer
        ),
        "evaluation_round": assessment_factories.EvaluationRoundFactory(
            kelurahan=rt.rw.kelurahan, period=period, opened_by=officer
        ),
        "potential": commissioning_factories.PotentialFactory(rt=rt, author=resident_user),
        "forum": commissioning_factories.ForumFactory(rt=rt, organiser=officer),
    }


def _stored_files(scope: dict, officer: User) -> None:
    """A stored photo for the scope's potential and meeting, and a spending line with its
    receipt: the objects of the views that serve uploaded files."""

    def upload(name):
        return delivery_factories.image_upload(name, size=(8, 8))

    potential = scope["potential"]
    potential.photo = upload("potensi.jpg")
    potential.save(update_fields=["photo"])
    scope["meeting_photo"] = delivery_factories.PhotoFactory(
        meeting=scope["meeting"], image=upload("rapat.jpg"), uploaded_by=officer
    )
    scope["spending"] = delivery_factories.SpendingFactory(
        activity=scope["activity"], receipt=upload("nota.jpg"), recorded_by=officer
    )


def delivered_home_activity(demo_rt: RT) -> Activity:
    """The demo RT's delivered activity that has evaluations (open for more)."""
    return (
        Activity.objects.filter(rt=demo_rt, status=ActivityStatus.DELIVERED)
        .filter(evaluations__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )


def claimed_entry(demo_rt: RT) -> Resident:
    """The entry ``pengklaim`` claims: entered by an officer (verified, without an account) in
    the demo RT, and one who took part in its delivered activity without evaluating it yet, so
    that an account acting as it would be let evaluate, check in and vote."""
    delivered = delivered_home_activity(demo_rt)
    return (
        Resident.objects.active()
        .adults()
        .filter(rt=demo_rt, user__isnull=True, verification=Resident.Verification.VERIFIED)
        .filter(participations__stage=Stage.DELIVERY, participations__activity=delivered)
        .exclude(pk=_plain_resident(demo_rt).pk)
        .exclude(evaluations__activity=delivered)
        .distinct()
        .order_by("pk")
        .first()
    )


def make_claimant(demo_rt: RT) -> User:
    """An account that claimed a register entry by its NIK, name and birth date (as anyone who
    knows them could) and that the RT chair has not confirmed: it is nobody yet."""
    return core.claim(
        claimed_entry(demo_rt), username=CLAIMANT_USERNAME, password=CLAIMANT_PASSWORD
    )


def _secret_ballot(demo_rt: RT, home: dict) -> dict[str, str]:
    """A resident whose only trace in the portal is one vote: their name next to the title of
    what they chose, on any page but their own, would be the ballot made public."""
    from designing import services as designing_services

    first_name, last_name = SECRET_VOTER_NAME.split()
    user = core.UserFactory(
        username=SECRET_VOTER_USERNAME, first_name=first_name, last_name=last_name
    )
    core.RoleAssignmentFactory(user=user, role=Role.RESIDENT, rt=demo_rt)
    core.ResidentFactory(rt=demo_rt, user=user, name=SECRET_VOTER_NAME, serial=9901)
    chosen = home["round_proposal"]
    designing_services.vote_cast(voting_round=home["voting_round"], activity=chosen, by=user)
    return {"name": SECRET_VOTER_NAME, "username": SECRET_VOTER_USERNAME, "choice": chosen.title}


def build_world() -> World:
    """Call inside the seeded database."""
    world = World()
    make_claimant(User.objects.get(username="ketua_rt").resident.rt)
    world.users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS)}
    missing = set(ACCOUNTS) - set(world.users)
    assert not missing, f"demo accounts missing: {sorted(missing)}"
    blitar = Kelurahan.objects.get(code=BLITAR)
    pakunden = Kelurahan.objects.get(code=PAKUNDEN)
    demo_rt = world.users["ketua_rt"].resident.rt
    foreign_rt = world.users["warga2"].resident.rt
    petugas, petugas2 = world.users["petugas"], world.users["petugas2"]
    warga, warga2 = world.users["warga"], world.users["warga2"]

    demo = Activity.objects.filter(kelurahan=blitar, rt=demo_rt)
    open_round = VotingRound.objects.filter(rt=demo_rt, closes_at__gt=timezone.now()).get(
        opens_at__lte=timezone.now()
    )
    running = demo.filter(status=ActivityStatus.IN_DELIVERY, meetings__isnull=False).first()
    delivered = demo.filter(status=ActivityStatus.DELIVERED, evaluations__isnull=False).first()
    proposal = open_round.proposals.order_by("pk").first()
    meeting = Meeting.objects.filter(activity=running).order_by("pk").first()
    world.home = {
        "proposal": proposal,
        # The demo's kelurahan-wide festival, paid from the shares of RW 007's RTs.
        "wide_proposal": Activity.objects.filter(
            kelurahan=blitar, rt__isnull=True, shares__isnull=False
        )
        .distinct()
        .get(),
        "activity": running,
        "delivered_activity": delivered,
        "comment": Comment.objects.filter(activity__rt=demo_rt).order_by("pk").first(),
        "voting_round": open_round,
        "round_proposal": proposal,
        "meeting": meeting,
        "checkin_token": delivery_services.checkin_token(meeting),
        "implementer": Implementer.objects.filter(activity=running).order_by("pk").first(),
        "output": Output.objects.filter(activity__rt=demo_rt).order_by("pk").first(),
        "task": Task.objects.filter(activity=running).order_by("pk").first(),
        "evaluation": Evaluation.objects.filter(activity=delivered, resident__isnull=False)
        .order_by("pk")
        .first(),
        "followup": FollowUp.objects.filter(activity=delivered).order_by("pk").first(),
        "evaluation_round": EvaluationRound.objects.filter(kelurahan=blitar).first(),
        "potential": Potential.objects.filter(kelurahan=blitar).order_by("pk").first(),
        "forum": Forum.objects.filter(kelurahan=blitar).order_by("pk").first(),
    }
    world.foreign = _pakunden_world(foreign_rt, petugas2, warga2)
    for scope, kelurahan, rt, officer, resident_user in (
        (world.home, blitar, demo_rt, petugas, warga),
        (world.foreign, pakunden, foreign_rt, petugas2, warga2),
    ):
        scope["kelurahan"] = kelurahan
        scope["kelurahan_code"] = kelurahan.code
        scope["rt"] = rt
        scope["resident"] = _plain_resident(rt)
        scope["account_resident"] = resident_user.resident
        scope["notification"] = notification_send(
            recipients=[resident_user], message="Pemberitahuan uji keamanan."
        )[0]
        scope["deletion_request"] = deletion_request_create(
            resident=resident_user.resident, reason="Uji keamanan.", by=resident_user
        )
        scope["outbound_message"] = OutboundMessage.objects.create(
            user=resident_user,
            channel=Channel.SMS,
            kind=NotificationKind.FORUM,
            address=resident_user.resident.phone or "+6281234567890",
            text="Pesan uji keamanan.",
            status=OutboundMessage.Status.FAILED,
            last_error="HTTP 400: uji keamanan",
        )
        scope["import_job"] = import_services.import_job_create(
            officer=officer,
            kelurahan=kelurahan,
            file_name="warga.csv",
            content=import_services.import_template(file_format="csv"),
        )
        _stored_files(scope, officer)
    # Registrations waiting for ketua_rt (home) and for ketua_rt2 (the other RT of Blitar).
    world.home["pending_resident"] = world.users["pendaftar1"].resident
    world.foreign["pending_resident"] = world.users["pendaftar4"].resident
    world.home["period"] = Period.objects.order_by("-year").first()
    world.home["calendar_token"] = calendar_feed_create(user=warga).token
    world.secret_vote = _secret_ballot(demo_rt, world.home)
    world.users[SECRET_VOTER_USERNAME] = User.objects.get(username=SECRET_VOTER_USERNAME)
    world.own_resident = dict(
        Resident.objects.filter(user__username__in=world.users).values_list("user__username", "pk")
    )
    for resident in Resident.objects.all():
        world.niks[resident.reveal_nik().encode()] = resident.pk
    for scope in (world.home, world.foreign):
        for kind, value in scope.items():
            assert value is not None, f"no {kind} found for the security tests"
    return world


def table_snapshot() -> dict[str, int]:
    """The row count of every table, in one query: a refused request must leave all of them as
    they were."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if not model._meta.proxy and model._meta.managed
        }
        - {"django_session"}
    )
    # Failed logins are recorded on purpose (lock-out after repeated failures).
    tables = [table for table in tables if not table.startswith("axes_")]
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return dict(zip(tables, cursor.fetchone(), strict=True))
