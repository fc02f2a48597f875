"""Residents voting, checking in and evaluating all at once, against two app servers that share
one PostgreSQL database and one Redis cache, with every vote, check-in and evaluation sent
twice at the same moment (a double tap on a slow phone), once to each server.

``tests/hardening/test_concurrency.py`` runs it and checks that the database holds exactly
what the servers accepted. Its parts:

- ``seed`` (run in the portal's environment: ``python -m tests.hardening.concurrency seed``)
  makes the residents and what they act on, and prints the plan as JSON;
- ``run_load`` drives the residents, one thread each, and returns every answer;
- ``count_rows`` reads what the database holds afterwards.
"""

import argparse
import json
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.hardening.support import Browser

PASSWORD = "rahasia-123"
HTMX = {"HX-Request": "true"}
CARRIER_ADDRESSES = 8
VOTE_COUNTED = "sudah dihitung"
VOTE_ALREADY = "Anda sudah memilih usulan ini"


def seed(residents: int) -> dict:
    """An RT with ``residents`` verified adults holding accounts, an open voting round with two
    proposals (two votes each), a meeting open for check-in now, and an activity delivered two
    days ago that they all attended and may evaluate."""
    from django.db import transaction
    from django.utils import timezone

    from assessment.models import Criterion
    from delivery import services as delivery_services
    from rtkeren.models import ActivityStatus
    from tests import factories as core
    from tests.assessment.factories import delivered_activity, take_part
    from tests.delivery.factories import approved_activity, meeting_at
    from tests.designing.factories import VotingRoundFactory, proposal

    with transaction.atomic():
        rt = core.RTFactory(rw=core.RWFactory(kelurahan=core.kelurahan(core.BLITAR), number=7))
        period = core.PeriodFactory()
        officer = core.make_user_with_role("officer", "petugas_beban", kelurahan=rt.rw.kelurahan)
        usernames = []
        people = []
        for number in range(residents):
            user, resident = core.make_resident_user(rt, f"warga{number:03d}", serial=number + 1)
            usernames.append(user.username)
            people.append(resident)
        proposals = [proposal(rt=rt, period=period) for _ in range(2)]
        voting_round = VotingRoundFactory(
            rt=rt, period=period, proposals=proposals, votes_per_resident=2, opened_by=officer
        )
        running = approved_activity(rt, period=period, status=ActivityStatus.IN_DELIVERY)
        meeting = meeting_at(running, timezone.now())
        delivered = delivered_activity(by=officer, rt=rt, period=period)
        for resident in people:
            take_part(resident, delivered)
        criteria = [criterion.pk for criterion in Criterion.objects.active()]
    return {
        "usernames": usernames,
        "round": voting_round.pk,
        "proposals": [activity.pk for activity in proposals],
        "meeting": meeting.pk,
        "checkin_token": delivery_services.checkin_token(meeting),
        "delivered": delivered.pk,
        "criteria": criteria,
    }


@dataclass
class Answer:
    action: str
    status: int
    seconds: float
    accepted: bool


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    action_seconds: float = 0.0
    login_seconds: float = 0.0

    def count(self, action: str, *, accepted: bool | None = None) -> int:
        return sum(
            1
            for answer in self.answers
            if answer.action == action and (accepted is None or answer.accepted == accepted)
        )

    def statuses(self) -> Counter:
        return Counter(answer.status for answer in self.answers)

    def median_ms(self, action: str) -> float:
        return 1000 * statistics.median(
            answer.seconds for answer in self.answers if answer.action == action
        )

    def summary(self) -> str:
        latencies = sorted(answer.seconds for answer in self.answers)
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        actions = sorted({answer.action for answer in self.answers})
        parts = [
            f"{action}: {self.count(action)} sent, {self.count(action, accepted=True)} accepted, "
            f"p50 {self.median_ms(action):.0f} ms"
            for action in actions
        ]
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses().items()))
        return (
            f"{len(self.answers)} requests ({statuses}); "
            + "; ".join(parts)
            + f"; logins {self.login_seconds:.1f} s, actions {self.action_seconds:.1f} s "
            f"({len(self.answers) / (self.login_seconds + self.action_seconds):.0f} req/s), "
            f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )


class Resident:
    """One simulated resident: a phone behind a carrier address, talking to two servers."""

    def __init__(self, index: int, username: str, ports: list[int], plan: dict, outcome):
        address = f"203.0.113.{index % CARRIER_ADDRESSES + 1}"
        # One browser, its cookies shared by the two servers (the session is in the cache).
        self.browser = Browser(ports[index % 2], address=address, timeout=180)
        self.ports = [ports[index % 2], ports[(index + 1) % 2]]
        self.username = username
        self.plan = plan
        self.outcome = outcome
        self.lock = threading.Lock()

    def _send(self, action, port, method, path, form=None, headers=None, accepted=None):
        browser = Browser(port, address=self.browser.address, timeout=180)
        with self.lock:
            browser.cookies = dict(self.browser.cookies)
        token = browser.cookies.get("csrftoken", "")
        started = time.monotonic()
        try:
            response = browser.request(
                method, path, {**(form or {}), "csrfmiddlewaretoken": token}, headers=headers
            )
        except OSError as error:
            self.outcome.errors.append(f"{self.username} {action}: {error!r}")
            return None
        seconds = time.monotonic() - started
        with self.lock:
            self.browser.cookies.update(browser.cookies)
        ok = accepted(response) if accepted else response.status == 302
        self.outcome.answers.append(Answer(action, response.status, seconds, ok))
        return response

    def _twice(self, action, path, form=None, headers=None, accepted=None):
        """The same request sent to both servers at the same moment."""
        threads = [
            threading.Thread(
                target=self._send, args=(action, port, "POST", path, form, headers, accepted)
            )
            for port in self.ports
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def log_in(self) -> None:
        self.browser.get("/accounts/login/")
        self._send(
            "login",
            self.ports[0],
            "POST",
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD},
        )

    def act(self) -> None:
        plan = self.plan
        first, second = plan["proposals"]

        def counted(response):
            return response.status == 200 and VOTE_COUNTED in response.body

        vote = "/perancangan/putaran/{}/pilih/{}/"
        self._twice("vote", vote.format(plan["round"], first), headers=HTMX, accepted=counted)
        self._send(
            "vote",
            self.ports[1],
            "POST",
            vote.format(plan["round"], second),
            headers=HTMX,
            accepted=counted,
        )
        self._twice(
            "checkin", f"/pelaksanaan/pertemuan/{plan['meeting']}/absen/{plan['checkin_token']}/"
        )
        scores = {f"score_{criterion}": "4" for criterion in plan["criteria"]}
        form = {**scores, "obstacles": "Bahan kurang.", "suggestions": "Tambah sesi."}
        self._twice("evaluate", f"/evaluasi/kegiatan/{plan['delivered']}/nilai/", form)


def run_load(ports: list[int], plan: dict) -> Outcome:
    outcome = Outcome()
    residents = [
        Resident(index, username, ports, plan, outcome)
        for index, username in enumerate(plan["usernames"])
    ]

    def each(method: str) -> float:
        barrier = threading.Barrier(len(residents) + 1)

        def run(resident):
            barrier.wait()
            try:
                getattr(resident, method)()
            except Exception as error:  # noqa: BLE001 (reported, and fails the test)
                outcome.errors.append(f"{resident.username} {method}: {error!r}")

        threads = [threading.Thread(target=run, args=(resident,)) for resident in residents]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.monotonic()
        for thread in threads:
            thread.join()
        return time.monotonic() - started

    outcome.login_seconds = each("log_in")
    outcome.action_seconds = each("act")
    return outcome


ROW_COUNTS = {
    "votes": "SELECT count(*) FROM designing_vote WHERE round_id = %(round)s",
    "duplicate_votes": "SELECT count(*) FROM (SELECT 1 FROM designing_vote "
    "GROUP BY round_id, activity_id, resident_id HAVING count(*) > 1) AS d",
    "voters_over_limit": "SELECT count(*) FROM (SELECT 1 FROM designing_vote "
    "WHERE round_id = %(round)s GROUP BY resident_id HAVING count(*) > 2) AS d",
    "attendances": "SELECT count(*) FROM delivery_attendance WHERE meeting_id = %(meeting)s",
    "duplicate_attendances": "SELECT count(*) FROM (SELECT 1 FROM delivery_attendance "
    "GROUP BY meeting_id, resident_id HAVING count(*) > 1) AS d",
    "evaluations": "SELECT count(*) FROM assessment_evaluation WHERE activity_id = %(delivered)s",
    "duplicate_evaluations": "SELECT count(*) FROM (SELECT 1 FROM assessment_evaluation "
    "GROUP BY activity_id, evaluator_id HAVING count(*) > 1) AS d",
    "scores": "SELECT count(*) FROM assessment_score s JOIN assessment_evaluation e "
    "ON s.evaluation_id = e.id WHERE e.activity_id = %(delivered)s",
    "ledger_voted": "SELECT count(*) FROM rtkeren_participation WHERE kind = 'vote_cast'",
    "ledger_attended": "SELECT count(*) FROM rtkeren_participation "
    "WHERE stage = 'delivery' AND activity_id <> %(delivered)s",
    "ledger_evaluated": "SELECT count(*) FROM rtkeren_participation "
    "WHERE kind = 'evaluation_submitted'",
    "duplicate_ledger": "SELECT count(*) FROM (SELECT 1 FROM rtkeren_participation "
    "GROUP BY resident_id, stage, kind, content_type_id, object_id HAVING count(*) > 1) AS d",
}


def count_rows(connection, plan: dict) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for name, query in ROW_COUNTS.items():
            cursor.execute(query, plan)
            counts[name] = cursor.fetchone()[0]
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--residents", type=int, default=200)
    arguments = parser.parse_args()
    import django

    django.setup()
    print(json.dumps(seed(arguments.residents)))
