"""The real-traffic mix of ``make bench``: who asks for which page, and which writes they make.

Run inside Django by ``bench.py`` (``traffic.py plan DIR`` and ``traffic.py count SINCE``), on
the benchmark's own database, never on the portal's:

- ``plan`` picks the people (residents, RT chairs and kelurahan officers of the city data set
  in the proportions of ``PEOPLE``, spread over every RT and kelurahan, and visitors without
  an account), logs each in with a session of their own in the session store the settings use,
  and writes ``reads.tsv``: every person's pages with objects of their own scope, shuffled so
  that a person seldom asks for two pages in a row. It prepares the writes the same way
  (``writes.json``): votes, comments, meeting check-ins and logins, each by a different person,
  each checked beforehand to be one the portal accepts. For check-ins it moves a few meetings
  of the city's activities to today (the data set has none on the day the benchmark runs), and
  for logins it gives the accounts that log in a known password; both only in this database.
- ``count`` prints how many votes, comments, check-ins and logins the database holds since a
  moment, so that the benchmark can show that the writes were made.

A line of ``reads.tsv`` is ``METHOD<TAB>PATH<TAB>BODY<TAB>Header: value<TAB>...``, the format
``traffic.lua`` cycles through in wrk.
"""

import datetime
import itertools
import json
import random
import sys
import time
from collections import defaultdict
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

#: How many people of each kind ask for pages: residents most, then RT chairs, the officer
#: of every kelurahan (21 in Kota Blitar), and visitors without an account.
PEOPLE = {"resident": 600, "chair": 60, "officer": 21, "visitor": 40}
#: The writes in the order they are sent, over and over: votes and comments most.
WRITE_MIX = ["vote", "comment", "checkin", "vote", "comment", "login", "vote", "checkin"]
LOGIN_PASSWORD = "rtkeren-benchmark-login-4419"
HOST = "127.0.0.1"
#: The server's port, for the Origin and Referer of a form's POST (set by ``main``).
PORT = [8765]
SEED = "rtkeren real traffic"


def person_address(index: int) -> str:
    """A client address per person (behind the proxy, in X-Forwarded-For): people do not share
    one address, and per-address rate limits count as they would."""
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256 + 1}"


def session_for(user, store_class) -> str:
    """A logged-in session of ``user`` in the settings' session store: what logging in leaves."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from rtkeren.middleware import SessionIdleTimeoutMiddleware

    store = store_class()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "rtkeren.auth_backends.UsernameOrPhoneBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SessionIdleTimeoutMiddleware.KEY] = int(time.time())
    store.create()
    return store.session_key


def round_robin(groups: dict[int, list]) -> list:
    """One of each group in turn, so that the first N cover as many groups as there are."""
    ordered = [groups[key] for key in sorted(groups)]
    return [item for layer in itertools.zip_longest(*ordered) for item in layer if item is not None]


class Planner:
    def __init__(self, rng: random.Random):
        from django.conf import settings
        from django.utils.crypto import get_random_string

        self.rng = rng
        self.settings = settings
        self.store_class = import_module(settings.SESSION_ENGINE).SessionStore
        self.random_string = get_random_string
        self.cache: dict = {}

    def browser(self, index: int, user=None, *, referer: str = "/") -> dict:
        """What a person's browser sends: session and CSRF cookies, their address, https."""
        csrf = self.random_string(32)
        cookies = {self.settings.CSRF_COOKIE_NAME: csrf}
        if user is not None:
            cookies[self.settings.SESSION_COOKIE_NAME] = session_for(user, self.store_class)
        return {
            "csrf": csrf,
            "headers": {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": person_address(index),
                "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
            },
        }

    def once(self, key, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def first_allowed(self, user, permission: str, candidates) -> object | None:
        for candidate in candidates:
            if user.has_perm(permission, candidate):
                return candidate
        return None


def resident_pages(planner: Planner, user, resident) -> list[str]:
    from django.db.models import Q
    from django.urls import reverse
    from django.utils import timezone

    from commissioning.models import Potential
    from designing.models import VotingRound
    from rtkeren.models import Activity, ActivityStatus

    rt = resident.rt
    kelurahan_id = rt.rw.kelurahan_id
    pages = [
        reverse("home"),
        reverse("designing:proposal-list"),
        reverse("designing:proposal-list") + "?order=fit",
        reverse("commissioning:potential-list"),
        reverse("commissioning:forum-list"),
        reverse("assessment:scorecard-rt", args=[rt.pk]),
        reverse("public-kelurahan", args=[rt.rw.kelurahan.code]),
    ]
    proposals = planner.once(
        ("proposals", kelurahan_id),
        lambda: list(
            Activity.objects.filter(kelurahan_id=kelurahan_id, status=ActivityStatus.PROPOSED)
            .select_related("rt", "kelurahan")
            .order_by("pk")[:20]
        ),
    )
    mine = [p for p in proposals if p.rt_id in (None, rt.pk)] or proposals
    if proposal := planner.first_allowed(
        user, "designing.view_proposal", planner.rng.sample(mine, len(mine))
    ):
        pages.append(reverse("designing:proposal-detail", args=[proposal.pk]))
    now = timezone.now()
    rounds = planner.once(
        ("rounds", rt.pk),
        lambda: list(
            VotingRound.objects.filter(Q(rt=rt) | Q(rt__isnull=True, kelurahan_id=kelurahan_id))
            .order_by("-closes_at", "pk")
            .select_related("rt", "kelurahan")[:3]
        ),
    )
    running = [r for r in rounds if r.opens_at <= now < r.closes_at] + rounds
    if voting_round := planner.first_allowed(user, "designing.view_round", running):
        pages.append(reverse("designing:round-detail", args=[voting_round.pk]))
    potentials = planner.once(
        ("potentials", kelurahan_id),
        lambda: list(Potential.objects.filter(kelurahan_id=kelurahan_id).order_by("pk")[:20]),
    )
    if potential := planner.first_allowed(
        user, "commissioning.view_potential", planner.rng.sample(potentials, len(potentials))
    ):
        pages.append(reverse("commissioning:potential-detail", args=[potential.pk]))
    return pages


def chair_pages(planner: Planner, user, rt) -> list[str]:
    from django.urls import reverse

    from delivery.models import Meeting

    pages = [
        reverse("verification-list"),
        reverse("designing:budgetplan-detail", args=[rt.pk]),
    ]
    meetings = planner.once(
        ("meetings", rt.pk),
        lambda: list(
            Meeting.objects.filter(activity__rt=rt)
            .select_related("activity")
            .order_by("-date", "pk")[:5]
        ),
    )
    if meeting := planner.first_allowed(
        user, "delivery.manage_activity", [m.activity for m in meetings]
    ):
        chosen = next(m for m in meetings if m.activity_id == meeting.pk)
        pages.append(reverse("delivery:meeting-attendance", args=[chosen.pk]))
        pages.append(reverse("delivery:activity-detail", args=[meeting.pk]))
    return pages


def officer_pages(planner: Planner, user, kelurahan) -> list[str]:
    from django.urls import reverse

    from rtkeren.models import RT, Activity, ActivityStatus

    pages = [
        reverse("home"),
        reverse("designing:proposal-list") + "?status=proposed",
        reverse("designing:round-list"),
        reverse("commissioning:potential-list"),
        reverse("commissioning:forum-list"),
        reverse("delivery:activity-list"),
        reverse("assessment:evaluation-list"),
        reverse("verification-list"),
        reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]),
        reverse("public-kelurahan", args=[kelurahan.code]),
    ]
    rts = list(RT.objects.filter(rw__kelurahan=kelurahan).order_by("pk")[:10])
    rts = planner.rng.sample(rts, len(rts))
    if rt := planner.first_allowed(user, "rtkeren.view_rt_report", rts):
        pages.append(reverse("report-rt", args=[rt.pk]))
    delivered = list(
        Activity.objects.filter(
            kelurahan=kelurahan,
            status__in=[ActivityStatus.DELIVERED, ActivityStatus.EVALUATED],
        ).order_by("pk")[:10]
    )
    if activity := planner.first_allowed(user, "rtkeren.view_activity_report", delivered):
        pages.append(reverse("report-activity", args=[activity.pk]))
        pages.append(reverse("assessment:evaluation-summary", args=[activity.pk]))
    return pages


def visitor_pages(kelurahan_codes: list[str]) -> list[str]:
    from django.urls import reverse

    return [
        reverse("home"),
        reverse("login"),
        reverse("public-kelurahan-list"),
        *(reverse("public-kelurahan", args=[code]) for code in kelurahan_codes),
    ]


def shuffled_reads(rng: random.Random, people: list[tuple[dict, list[str]]]) -> list[tuple]:
    """Every person's pages once, in rounds: each round asks one page of every person, in a
    new order; a person's pages come in a shuffled order of their own. Two requests of the same
    person are therefore a whole round apart, or nearly so at a round's edges."""
    queues = []
    for browser, pages in people:
        pages = list(pages)
        rng.shuffle(pages)
        queues.append((browser, pages))
    lines = []
    for layer in range(max(len(pages) for _browser, pages in queues)):
        round_ = [(browser, pages[layer]) for browser, pages in queues if layer < len(pages)]
        rng.shuffle(round_)
        lines += round_
    return lines


def plan_writes(planner: Planner, writers: list, needed: int, started_at) -> list[dict]:
    """``needed`` writes the portal accepts, each by a different person of ``writers``
    (resident accounts, in an order spread over the city)."""
    from django.urls import reverse
    from django.utils import timezone

    from delivery.services import checkin_token
    from designing.models import Vote, VotingRound
    from designing.services import voting_resident
    from rtkeren.models import Activity, ActivityStatus

    now = timezone.now()
    open_rounds = list(
        VotingRound.objects.filter(opens_at__lte=now, closes_at__gt=now).prefetch_related(
            "proposals"
        )
    )
    discussed = defaultdict(list)
    for activity in Activity.objects.filter(status=ActivityStatus.PROPOSED).order_by("pk"):
        discussed[activity.kelurahan_id].append(activity)
    meetings = prepare_meetings_today(started_at, writers)
    votes_of = defaultdict(set)
    for resident_id, round_id, activity_id in Vote.objects.filter(
        round__in=open_rounds
    ).values_list("resident_id", "round_id", "activity_id"):
        votes_of[resident_id, round_id].add(activity_id)

    rounds_of_rt, rounds_of_kelurahan = defaultdict(list), defaultdict(list)
    for voting_round in open_rounds:
        if voting_round.rt_id:
            rounds_of_rt[voting_round.rt_id].append(voting_round)
        else:
            rounds_of_kelurahan[voting_round.kelurahan_id].append(voting_round)

    def vote(user, resident):
        kelurahan_id = resident.rt.rw.kelurahan_id
        for voting_round in rounds_of_rt[resident.rt_id] + rounds_of_kelurahan[kelurahan_id]:
            try:
                voting_resident(user, voting_round)
            except Exception:  # noqa: BLE001 - any refusal: not this person's round
                continue
            cast = votes_of[resident.pk, voting_round.pk]
            if len(cast) >= voting_round.votes_per_resident:
                continue
            for activity in voting_round.proposals.all():
                if activity.pk not in cast:
                    return (
                        reverse("designing:vote-create", args=[voting_round.pk, activity.pk]),
                        reverse("designing:round-detail", args=[voting_round.pk]),
                        {},
                    )
        return None

    def comment(user, resident):
        candidates = discussed[resident.rt.rw.kelurahan_id]
        activity = planner.first_allowed(user, "designing.comment_proposal", candidates[:10])
        if activity is None:
            return None
        detail = reverse("designing:proposal-detail", args=[activity.pk])
        body = {"body": f"Usul warga RT {resident.rt.number}: kami siap membantu kegiatan ini."}
        return reverse("designing:comment-create", args=[activity.pk]), detail, body

    def checkin(user, resident):
        for meeting in meetings:
            activity = meeting.activity
            in_scope = (
                activity.rt_id == resident.rt_id
                if activity.rt_id
                else activity.kelurahan_id == resident.rt.rw.kelurahan_id
            )
            if in_scope and resident.is_adult(meeting.date):
                if meeting.attendances.filter(resident=resident).exists():
                    continue
                token = checkin_token(meeting)
                path = reverse("delivery:meeting-checkin", args=[meeting.pk, token])
                return path, path, {}
        return None

    makers = {"vote": vote, "comment": comment, "checkin": checkin}
    # The logins go to the writers whose turn of the cycle is a login (``give_login_passwords``
    # gave them the password); every other turn takes the next of the other writers who can make
    # a write of its kind. Each kind keeps its own place in that list, so a writer found unable
    # of a kind is never asked again for it. Only when no writer is left for a kind does its
    # turn make another kind: logins keep their share of the mix whatever the data allows.
    kinds = itertools.cycle(WRITE_MIX)
    turns = [next(kinds) for _ in writers]
    logins = [index for index, kind in enumerate(turns) if kind == "login"]
    others = [index for index, kind in enumerate(turns) if kind != "login"]
    used: set[int] = set()
    place = dict.fromkeys(makers, 0)

    def take(kind: str):
        while place[kind] < len(others):
            index = others[place[kind]]
            place[kind] += 1
            if index in used:
                continue
            user, resident = writers[index]
            made = makers[kind](user, resident)
            if made is not None:
                used.add(index)
                return index, user, made
        return None

    writes = []
    for kind in itertools.islice(itertools.cycle(WRITE_MIX), len(writers)):
        if len(writes) >= needed:
            break
        if kind == "login":
            if not logins:
                continue
            index = logins.pop(0)
            user, _resident = writers[index]
            browser = planner.browser(100_000 + index)
            body = {"username": user.username, "password": LOGIN_PASSWORD}
            path = reverse("login")
            writes.append(write_request("login", path, path, body, browser))
            continue
        for candidate in [kind] + [other for other in makers if other != kind]:
            taken = take(candidate)
            if taken is not None:
                index, user, (path, referer, body) = taken
                browser = planner.browser(100_000 + index, user)
                writes.append(write_request(candidate, path, referer, body, browser))
                break
    return writes


def give_login_passwords(writers: list) -> None:
    """The password of every writer whose turn of ``WRITE_MIX`` is a login (``plan_writes``
    gives the logins to them), set before any session is made: a session keeps a hash of the
    password it was made with, and a later change would end it."""
    from django.contrib.auth.hashers import make_password

    from rtkeren.models import User
    from rtkeren.scopecache import ACCOUNT, person_changed

    kinds = itertools.cycle(WRITE_MIX)
    logins = {user.pk for user, _resident in writers if next(kinds) == "login"}
    # One password hash for all who log in: a login costs its check, not this preparation.
    User.objects.filter(pk__in=logins).update(password=make_password(LOGIN_PASSWORD))
    # An update sends no signal: the accounts kept in the cache from an earlier run still hold
    # the old password's session hash, and would end every session planned below for them.
    person_changed(*logins, topic=ACCOUNT)
    for user, _resident in writers:
        if user.pk in logins:
            user.refresh_from_db(fields=["password"])


def write_request(kind: str, path: str, referer: str, body: dict, browser: dict) -> dict:
    origin = f"https://{HOST}:{PORT[0]}"
    headers = {
        **browser["headers"],
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": origin,
        "Referer": origin + referer,
        "X-CSRFToken": browser["csrf"],
    }
    return {
        "kind": kind,
        "method": "POST",
        "path": path,
        "headers": headers,
        "body": urlencode(body),
    }


def prepare_meetings_today(started_at, writers: list) -> list:
    """Meetings happening now, one per kelurahan, for residents to check in to: the data set's
    meetings lie in the past, so a few of them are moved to today in this database.

    Each kelurahan's is the meeting the fewest of ``writers`` attended: the database keeps every
    run's check-ins, and the writers are the same people each run, so the meetings an earlier
    run chose fill up with them and the next run moves on to others (the latest meetings, as
    until 5 December, ran out of writers who had not checked in after about six runs)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from delivery.models import Meeting

    local = timezone.localtime(started_at)
    starts = max(local - datetime.timedelta(hours=1), local.replace(hour=0, minute=0))
    ends = min(local + datetime.timedelta(hours=2), local.replace(hour=23, minute=59))
    writing = [resident.pk for _user, resident in writers]
    by_writers = Count("attendances", filter=Q(attendances__resident_id__in=writing))
    chosen = {}
    for meeting in (
        Meeting.objects.select_related("activity")
        .annotate(by_writers=by_writers)
        .order_by("by_writers", "-date", "pk")
    ):
        chosen.setdefault(meeting.activity.kelurahan_id, meeting)
    Meeting.objects.filter(pk__in=[m.pk for m in chosen.values()]).update(
        date=local.date(), starts_at=starts.time(), ends_at=ends.time()
    )
    return list(
        Meeting.objects.filter(pk__in=[m.pk for m in chosen.values()])
        .select_related("activity")
        .order_by("pk")
    )


def plan(directory: Path, writes_needed: int) -> dict:
    from django.utils import timezone

    from rtkeren import city
    from rtkeren.models import Kelurahan, Resident, Role, RoleAssignment, User

    rng = random.Random(SEED)
    planner = Planner(rng)
    started_at = timezone.now()
    chairs = dict(
        RoleAssignment.objects.current().filter(role=Role.RT_CHAIR).values_list("user_id", "rt_id")
    )
    officers = {}
    for user_id, kelurahan_id in (
        RoleAssignment.objects.current().filter(role=Role.OFFICER).order_by("pk")
    ).values_list("user_id", "kelurahan_id"):
        officers.setdefault(kelurahan_id, user_id)
    residents = (
        Resident.objects.filter(
            user__username__startswith=city.USERNAME_PREFIX, user__is_active=True
        )
        .select_related("user", "rt__rw__kelurahan")
        .order_by("pk")
    )
    by_rt, chairs_by_rt = defaultdict(list), defaultdict(list)
    for resident in residents:
        (chairs_by_rt if resident.user_id in chairs else by_rt)[resident.rt_id].append(
            (resident.user, resident)
        )
    plain = round_robin(by_rt)
    # Writers come from the end of the spread, readers from its start: different people as
    # long as the city has enough of them (a small data set shares them).
    writers = list(reversed(plain))
    readers = plain[: PEOPLE["resident"]]
    give_login_passwords(writers)
    people, counts = [], defaultdict(int)
    index = itertools.count()
    for user, resident in readers:
        browser = planner.browser(next(index), user)
        people.append((browser, resident_pages(planner, user, resident)))
        counts["resident"] += 1
    for user, resident in round_robin(chairs_by_rt)[: PEOPLE["chair"]]:
        browser = planner.browser(next(index), user)
        pages = resident_pages(planner, user, resident) + chair_pages(planner, user, resident.rt)
        people.append((browser, pages))
        counts["chair"] += 1
    kelurahan_of = Kelurahan.objects.in_bulk(list(officers))
    for kelurahan_id, user_id in list(officers.items())[: PEOPLE["officer"]]:
        user = User.objects.get(pk=user_id)
        browser = planner.browser(next(index), user)
        people.append((browser, officer_pages(planner, user, kelurahan_of[kelurahan_id])))
        counts["officer"] += 1
    codes = sorted(Kelurahan.objects.filter(pk__in=list(officers)).values_list("code", flat=True))
    # Visitors in proportion to the residents found (a small data set has fewer of both).
    visitors = max(1, round(PEOPLE["visitor"] * counts["resident"] / PEOPLE["resident"]))
    for _visitor in range(visitors):
        browser = planner.browser(next(index))
        people.append((browser, visitor_pages(rng.sample(codes, min(3, len(codes))))))
        counts["visitor"] += 1
    reads = shuffled_reads(rng, people)
    writes = plan_writes(planner, writers, writes_needed, started_at)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "reads.tsv", "w") as out:
        for browser, path in reads:
            fields = ["GET", path, "", *(f"{k}: {v}" for k, v in browser["headers"].items())]
            out.write("\t".join(fields) + "\n")
    (directory / "writes.json").write_text(json.dumps(writes))
    kinds = defaultdict(int)
    for write in writes:
        kinds[write["kind"]] += 1
    return {
        "people": dict(counts),
        "reads": len(reads),
        "pages_per_person": round(len(reads) / max(1, len(people)), 1),
        "writes": dict(kinds),
        "started_at": started_at.isoformat(),
        "counts": count(started_at),
    }


def count(since) -> dict:
    """What the writes leave in the database: rows written since ``since``, and logins."""
    from delivery.models import Attendance
    from designing.models import Comment, Vote
    from rtkeren.models import User

    return {
        "vote": Vote.objects.count(),
        "comment": Comment.objects.filter(created_at__gte=since).count(),
        "checkin": Attendance.objects.filter(method=Attendance.Method.SELF).count(),
        "login": User.objects.filter(last_login__gte=since).count(),
    }


def main() -> None:
    import django

    django.setup()
    from django.utils.dateparse import parse_datetime

    command = sys.argv[1]
    if command == "plan":
        PORT[0] = int(sys.argv[4])
        result = plan(Path(sys.argv[2]), int(sys.argv[3]))
    elif command == "count":
        result = count(parse_datetime(sys.argv[2]))
    else:
        sys.exit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
