"""The portal as people use it, and every page that matters, at city scale, against a bare
Django view (``make bench``).

    make bench                     # or: .venv/bin/python benchmarks/bench.py

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and wrk (Debian: ``apt-get install wrk``).
On its first run it builds two databases: ``rtkeren_city`` with ``seed_city`` (150.000
residents over three periods, several minutes; ``--scale`` builds a smaller city in a database
of its own) and ``rtkeren_bench_demo`` with the demo data alone; later runs reuse them
(``--rebuild`` starts them again).

It then starts gunicorn (2 workers) with the production settings on the city database and
measures ``/bench/ok``, a view that answers "ok" through the same stack (added by
``bench_settings`` alone, never a route of the portal). Then the real traffic, the headline:
hundreds of people of the city, each with their own session, asking for the pages of their
role in a shuffled order through wrk (``traffic.py`` plans it, ``traffic.lua`` replays it),
while votes, comments, check-ins and logins are POSTed at ``--writes-per-second``; the
workers' CPU during it is added up page by page (``cpu_meter.py``). Then, for
each page, wrk for 20 seconds at 16 connections as the person the page is for (a session
cookie of the demo account, ``X-Forwarded-Proto: https`` as behind the TLS proxy). It prints
the real traffic's figures against its targets, and for every page requests per second, p50
and p99 latency, the ratio to the bare view, and the SQL queries of one request on the demo
data and on the city data (Django's test client against each database), then checks the
targets of docs/performance.md.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
PORT = 8765
#: wrk's threads: it shares the two CPUs with gunicorn and PostgreSQL, so it stays small.
WRK_THREADS = 2
#: What every Django process of the benchmark runs with: production settings, with the
#: development keys the data sets were built with.
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "bench_settings",
    "SECRET_KEY": "rtkeren-benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "NIK_ENCRYPTION_KEYS": "Bh6N1CzBWQQ6ff_WI_f1Cbm4eTltYCGuWMiGoAFr75w=",
    "NIK_HASH_KEY": "rtkeren-development-nik-hash-key",
}
#: The real traffic's share of the bare view's requests per second, at least, and every page's
#: alone (each rendered for every request).
MIN_RATIO, MIN_PAGE_RATIO = 0.10, 0.08
MAX_P99_MS = 250
#: Queries of any main page, at most (tests/core/test_page_queries.py pins each exactly).
MAX_QUERIES = 15


@dataclass(frozen=True)
class Page:
    name: str
    persona: str  # a demo account, or "" for a visitor


PAGES = [
    Page("bare view", ""),
    Page("home: resident", "warga"),
    Page("home: RT chair", "ketua_rt"),
    Page("home: officer", "petugas"),
    Page("potentials list", "petugas"),
    Page("proposal list (by fit)", "warga"),
    Page("proposal page", "warga"),
    Page("voting round", "warga"),
    Page("activity page (delivery)", "petugas"),
    Page("evaluation page", "petugas"),
    Page("scorecard: kelurahan", "petugas"),
    Page("scorecard: city", "kota"),
    Page("public page", ""),
]


# Inside Django (a subprocess per database): which URL each page is, and its query count.


def page_urls() -> dict[str, str]:
    """The URL of each page: the objects the demo accounts see that carry the most."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from assessment.models import Evaluation
    from delivery.models import DELIVERY_STATUSES, Attendance
    from designing.models import VotingRound
    from rtkeren import demo
    from rtkeren.models import Activity, ActivityStatus, Kelurahan, Resident

    resident = Resident.objects.select_related("rt__rw").get(user__username="warga")
    kelurahan = Kelurahan.objects.get(code=demo.BLITAR)
    proposal = (
        Activity.objects.filter(kelurahan=kelurahan, status=ActivityStatus.PROPOSED)
        .annotate(comment_total=Count("comments"))
        .order_by("-comment_total", "pk")
        .first()
    )
    now = timezone.now()
    voting_round = (
        VotingRound.objects.filter(Q(rt=resident.rt) | Q(rt__isnull=True, kelurahan=kelurahan))
        .annotate(running=Q(opens_at__lte=now, closes_at__gt=now), ballots=Count("votes"))
        .order_by("-running", "-ballots", "pk")
        .first()
    )
    busiest = (
        Attendance.objects.filter(
            meeting__activity__kelurahan=kelurahan,
            meeting__activity__status__in=DELIVERY_STATUSES,
        )
        .values("meeting__activity")
        .annotate(present=Count("pk"))
        .order_by("-present", "meeting__activity")
        .first()
    )
    evaluated = (
        Evaluation.objects.filter(activity__kelurahan=kelurahan)
        .values("activity")
        .annotate(evaluations=Count("pk"))
        .order_by("-evaluations", "activity")
        .first()
    )
    return {
        "bare view": "/bench/ok",
        "home: resident": reverse("home"),
        "home: RT chair": reverse("home"),
        "home: officer": reverse("home"),
        "potentials list": reverse("commissioning:potential-list"),
        "proposal list (by fit)": reverse("designing:proposal-list") + "?order=fit",
        "proposal page": reverse("designing:proposal-detail", args=[proposal.pk]),
        "voting round": reverse("designing:round-detail", args=[voting_round.pk]),
        "activity page (delivery)": reverse(
            "delivery:activity-detail", args=[busiest["meeting__activity"]]
        ),
        "evaluation page": reverse("assessment:evaluation-summary", args=[evaluated["activity"]]),
        "scorecard: kelurahan": reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]),
        "scorecard: city": reverse("assessment:scorecard-city"),
        # Rendered for every request, as every page of this table: a parameter the page does
        # not share keeps its content out of the shared cache, which one URL asked again and
        # again would always hit (the real traffic measures the cache as people meet it).
        "public page": reverse("public-kelurahan", args=[kelurahan.code]) + "?sumber=bench",
    }


def inspect() -> None:
    """Print, as JSON, each page's URL, status and query count, and a session cookie for each
    persona (stored in this database's sessions, so that the server accepts it)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rtkeren.models import User

    urls = page_urls()
    clients, cookies = {}, {}
    for persona in {page.persona for page in PAGES}:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        if persona:
            client.force_login(User.objects.get(username=persona))
        clients[persona] = client
    pages = {}
    for page in PAGES:
        client, url = clients[page.persona], urls[page.name]
        client.get(url)  # the first request fills per-process caches (content types, ...)
        cache.clear()
        with CaptureQueriesContext(connection) as rendered:
            response = client.get(url)
        pages[page.name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(rendered),
        }
    # What a browser holds after these pages: the session, and the CSRF cookie their forms set.
    for persona, client in clients.items():
        cookies[persona] = "; ".join(
            f"{name}={client.cookies[name].value}"
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
            if name in client.cookies
        )
    print(json.dumps({"pages": pages, "cookies": cookies}))


# Outside Django: the databases, the server and the load.


def django_env(database_url: str, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        **ENVIRONMENT,
        "DATABASE_URL": database_url,
        "STATIC_ROOT": static_root,
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
    }


def collect_static(static_root: str) -> None:
    """The production storage serves hashed names from a manifest: build it once."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "--verbosity", "0"],
        env=django_env("", static_root),
        check=True,
    )


def run_inside_city(script: str, redis: str) -> dict:
    """Run ``script`` again with ``--inside`` and this process's arguments, with the production
    settings on ``rtkeren_city`` (Redis at ``redis``) and freshly collected static files; the
    JSON it prints last. Exits when the database is missing or the script fails."""
    if not database_exists("rtkeren_city"):
        sys.exit("rtkeren_city is missing: run make bench first")
    ENVIRONMENT["REDIS_URL"] = redis
    with tempfile.TemporaryDirectory(prefix="rtkeren-inside-static-") as static_root:
        collect_static(static_root)
        result = subprocess.run(
            [sys.executable, script, "--inside", *sys.argv[1:]],
            env=django_env(f"{POSTGRES}/rtkeren_city", static_root),
            capture_output=True,
            text=True,
        )
    if result.returncode:
        sys.exit(result.stderr[-4000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def measured_inside_city(script: str, parser, measure) -> tuple:
    """A measuring script's arguments (``parser``'s, with ``--redis``) and the JSON result of
    ``measure(arguments)``, run by ``run_inside_city``; in that run itself (``--inside``) it
    prints the result and exits."""
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inside:
        print(json.dumps(measure(arguments)))
        sys.exit(0)
    return arguments, run_inside_city(script, arguments.redis)


def database_exists(name: str) -> bool:
    import psycopg2

    with psycopg2.connect(f"{POSTGRES}/postgres") as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def recreate_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def build(name: str, seed: list[str], *, rebuild: bool) -> str:
    """The database ``name``, migrated, and seeded when it is new."""
    url = f"{POSTGRES}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    new = rebuild or not database_exists(name)
    if new:
        print(f"building {name} with {' '.join(seed)}", file=sys.stderr, flush=True)
        recreate_database(name)
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    if new:
        subprocess.run([*manage, *seed, "--force"], env=env, check=True)
    return url


def inspect_database(url: str, static_root: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--inspect"],
        env=django_env(url, static_root),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"reading the pages of {url} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_server(url: str, workers: int, static_root: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "rtkeren.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=django_env(url, static_root),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=30)
            return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.5)
    server.terminate()
    server.wait(timeout=30)
    sys.exit("gunicorn did not answer within two minutes")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * UNITS[unit]


def warm(url: str, cookie: str, workers: int) -> None:
    """A few requests first, so that no worker measures its first import or template compile."""
    headers = {"X-Forwarded-Proto": "https"} | ({"Cookie": cookie} if cookie else {})
    for _request in range(4 * workers):
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{url}", headers=headers)
        urllib.request.urlopen(request, timeout=60).read()


def load(url: str, cookie: str, *, seconds: int, connections: int) -> dict:
    headers = ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        headers += ["-H", f"Cookie: {cookie}"]
    return run_wrk(
        [*headers, f"http://127.0.0.1:{PORT}{url}"],
        seconds=seconds,
        connections=connections,
        label=url,
    )


def run_wrk(arguments: list[str], *, seconds: int, connections: int, label: str) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "--threads",
            str(WRK_THREADS),
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            *arguments,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(percentile) != {"50", "99"}:
        sys.exit(f"wrk gave no latency distribution for {label}:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": milliseconds(percentile["50"]),
        "p99": milliseconds(percentile["99"]),
        "errors": (int(errors.group(1)) if errors else 0)
        + (int(timeouts.group(1)) if timeouts else 0),
    }


# The real-traffic mode: many people, many pages, writes (see traffic.py for who and what).


def city_database(scale: float) -> str:
    """The full city in ``rtkeren_city``; a smaller one in a database of its own."""
    return "rtkeren_city" if scale == 1 else "rtkeren_city_" + f"{scale:g}".replace(".", "_")


def plan_traffic(url: str, static_root: str, directory: str, writes: int) -> dict:
    result = subprocess.run(
        [sys.executable, str(HERE / "traffic.py"), "plan", directory, str(writes), str(PORT)],
        env=django_env(url, static_root),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"planning the real traffic on {url} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def count_writes(url: str, static_root: str, since: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(HERE / "traffic.py"), "count", since],
        env=django_env(url, static_root),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_reads(path: str, first: int = 100) -> None:
    """Ask once for the first ``first`` requests and for one of every kind of page (which also
    warms the workers): each must answer 200 itself, not a redirect to the login page or a
    refusal, or the plan is wrong."""
    opener = urllib.request.build_opener(NoRedirect)
    with open(path) as lines:
        requests = [line.rstrip("\n").split("\t") for line in lines]
    kinds = {}
    for fields in requests:
        kinds.setdefault(re.sub(r"\d+", "N", fields[1]), fields)
    for method, target, _body, *headers in [*requests[:first], *kinds.values()]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{target}",
            method=method,
            headers=dict(header.split(": ", 1) for header in headers),
        )
        try:
            status = opener.open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            sys.exit(f"the real-traffic plan asks for {target}, which answers {status}")


class WriteStream:
    """The planned writes, sent as real POSTs at ``per_second`` (on a clock, whatever the
    reads do), each on a connection of its own as from a different phone; every answer's
    status and time is kept."""

    def __init__(self, writes: list[dict], per_second: float):
        self.writes, self.per_second = writes, per_second
        self.results: list[dict] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.senders: list[threading.Thread] = []

    def send(self, write: dict) -> None:
        import http.client

        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            connection.request(
                write["method"], write["path"], body=write["body"], headers=write["headers"]
            )
            response = connection.getresponse()
            response.read()
            status = response.status
            connection.close()
        except OSError as error:
            status = f"{type(error).__name__}"
        self.results.append(
            {"kind": write["kind"], "status": status, "ms": (time.perf_counter() - started) * 1000}
        )

    def run(self) -> None:
        started = time.monotonic()
        for number, write in enumerate(self.writes):
            if self.stop.wait(max(0.0, started + number / self.per_second - time.monotonic())):
                return
            sender = threading.Thread(target=self.send, args=[write], daemon=True)
            sender.start()
            self.senders.append(sender)

    def __enter__(self):
        if self.per_second > 0 and self.writes:
            self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        for sender in self.senders:
            sender.join(timeout=60)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def real_traffic(city_url: str, static_root: str, arguments) -> dict:
    """The planned reads through wrk and the writes at their rate, at the same time."""
    import cpu_meter  # beside this file; the tests import this module as benchmarks.bench

    seconds = arguments.traffic_seconds
    needed = int(arguments.writes_per_second * (seconds + 5)) + 1
    with tempfile.TemporaryDirectory(prefix="rtkeren-bench-traffic-") as directory:
        plan = plan_traffic(city_url, static_root, directory, needed)
        reads = os.path.join(directory, "reads.tsv")
        writes = json.loads(Path(directory, "writes.json").read_text())
        print(
            f"real traffic: {people(plan['people'])}, {plan['reads']} reads "
            f"({plan['pages_per_person']} pages a person), planned writes {plan['writes']}",
            file=sys.stderr,
            flush=True,
        )
        check_reads(reads)
        stream = WriteStream(writes, arguments.writes_per_second)
        started = time.time()
        with stream:
            figure = run_wrk(
                [
                    "--script",
                    str(HERE / "traffic.lua"),
                    f"http://127.0.0.1:{PORT}",
                    "--",
                    reads,
                    str(WRK_THREADS),
                ],
                seconds=seconds,
                connections=arguments.connections,
                label="the real traffic",
            )
        ended = time.time()
        after = count_writes(city_url, static_root, plan["started_at"])
        before = plan["counts"]
    sent = stream.results
    failed = [r for r in sent if not isinstance(r["status"], int) or r["status"] >= 400]
    by_kind: dict[str, dict] = {}
    for result in sent:
        entry = by_kind.setdefault(result["kind"], {"sent": 0, "failed": 0})
        entry["sent"] += 1
        entry["failed"] += result in failed
    for kind, entry in by_kind.items():
        entry["in database"] = after[kind] - (0 if kind == "login" else before[kind])
    return {
        "plan": plan,
        "pages": cpu_meter.page_costs(ENVIRONMENT["RTKEREN_BENCH_CPU_LOG"], started, ended),
        "reads": figure,
        "writes": {
            "sent": len(sent),
            "per_second": len(sent) / seconds,
            "p50": percentile([r["ms"] for r in sent], 0.50),
            "p99": percentile([r["ms"] for r in sent], 0.99),
            "errors": len(failed),
            "statuses": sorted({str(r["status"]) for r in failed}),
            "kinds": by_kind,
        },
    }


def people(counts: dict[str, int]) -> str:
    names = {"resident": "residents", "chair": "RT chairs", "officer": "officers"}
    return ", ".join(
        f"{counts.get(kind, 0)} {names.get(kind, kind + 's')}"
        for kind in ["resident", "chair", "officer", "visitor"]
    )


def report_page_costs(pages: dict[str, dict]) -> None:
    """Where the workers' CPU went during the real traffic, page by page (``cpu_meter``)."""
    total_cpu = sum(entry["cpu"] for entry in pages.values())
    total_requests = sum(entry["requests"] for entry in pages.values())
    if not total_cpu:
        return
    print(
        f"\nThe workers' CPU during the real traffic, by page: {total_cpu:.1f} s over "
        f"{total_requests} requests ({1000 * total_cpu / total_requests:.1f} ms a request)\n"
    )
    print("| page | requests | CPU ms a request | wall ms a request | share of the CPU |")
    print("|---|---:|---:|---:|---:|")
    rest = {"requests": 0, "cpu": 0.0, "wall": 0.0, "pages": 0}
    for name, entry in sorted(pages.items(), key=lambda item: -item[1]["cpu"]):
        if entry["cpu"] < 0.005 * total_cpu:
            for key in ("requests", "cpu", "wall"):
                rest[key] += entry[key]
            rest["pages"] += 1
            continue
        print(
            f"| {name} | {entry['requests']} | {1000 * entry['cpu'] / entry['requests']:.1f} "
            f"| {1000 * entry['wall'] / entry['requests']:.1f} | {entry['cpu'] / total_cpu:.1%} |"
        )
    if rest["pages"]:
        print(
            f"| {rest['pages']} others | {rest['requests']} "
            f"| {1000 * rest['cpu'] / rest['requests']:.1f} "
            f"| {1000 * rest['wall'] / rest['requests']:.1f} | {rest['cpu'] / total_cpu:.1%} |"
        )


def report_traffic(traffic: dict, bare: dict, arguments) -> list[str]:
    """The headline: the real-traffic mix against the bare view, and its targets."""
    reads, writes = traffic["reads"], traffic["writes"]
    seconds = arguments.traffic_seconds
    total_rps = reads["rps"] + writes["per_second"]
    ratio = total_rps / bare["rps"]
    p99 = max(reads["p99"], writes["p99"])
    errors = reads["errors"] + writes["errors"]
    print(
        f"\nReal traffic, {seconds} s: {people(traffic['plan']['people'])} over the city, "
        f"{arguments.connections} connections, writes at {arguments.writes_per_second:g} a "
        f"second\n"
    )
    print("| measure | req/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| bare view | {bare['rps']:.1f} | {bare['p50']:.1f} | {bare['p99']:.1f} "
        f"| {bare['errors']} |"
    )
    print(
        f"| reads (GET, {reads['requests']} requests) | {reads['rps']:.1f} | {reads['p50']:.1f} "
        f"| {reads['p99']:.1f} | {reads['errors']} |"
    )
    print(
        f"| writes (POST, {writes['sent']} sent) | {writes['per_second']:.2f} "
        f"| {writes['p50']:.1f} | {writes['p99']:.1f} | {writes['errors']} |"
    )
    print(f"| real-traffic mix | {total_rps:.1f} ({ratio:.1%} of bare) | | {p99:.1f} | {errors} |")
    print()
    for kind, entry in sorted(writes["kinds"].items()):
        print(
            f"{kind}: {entry['sent']} sent, {entry['failed']} failed, "
            f"{entry['in database']} new in the database"
        )
    if writes["statuses"]:
        print(f"write answers counted as errors: {', '.join(writes['statuses'])}")
    report_page_costs(traffic["pages"])
    targets = [
        (f"mix at least {MIN_RATIO:.0%} of the bare view", ratio >= MIN_RATIO),
        (f"p99 under {MAX_P99_MS} ms", p99 < MAX_P99_MS),
        ("no errors", errors == 0),
        (
            f"{arguments.writes_per_second:g} writes a second",
            writes["per_second"] >= 0.95 * arguments.writes_per_second,
        ),
    ]
    print()
    for name, met in targets:
        print(f"target {name}: {'met' if met else 'not met'}")
    return [f"real traffic: {name}" for name, met in targets if not met]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspect", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="Measure only the pages whose name contains this.")
    parser.add_argument("--rebuild", action="store_true", help="Build both databases again.")
    parser.add_argument(
        "--redis",
        metavar="URL",
        default="",
        help="REDIS_URL for the server (sessions and caches in Redis, as in production with "
        "several app servers); without it, sessions are in the database and each worker "
        "caches in its own memory.",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Build and measure a city of this size (seed_city --scale) in a database of its "
        "own, rtkeren_city_<scale>; 1 (the default) is the full city in rtkeren_city.",
    )
    parser.add_argument(
        "--traffic-seconds",
        type=int,
        default=60,
        help="How long the real-traffic mode runs.",
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=2,
        help="Votes, comments, check-ins and logins sent as POSTs during the real traffic.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--traffic-only", action="store_true", help="Measure the real traffic, not every page."
    )
    mode.add_argument(
        "--no-traffic", action="store_true", help="Measure every page, not the real traffic."
    )
    arguments = parser.parse_args()
    if arguments.inspect:
        return inspect()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    if arguments.redis:
        ENVIRONMENT["REDIS_URL"] = arguments.redis

    if not 0 < arguments.scale <= 1:
        sys.exit("--scale must be more than 0 and at most 1")
    seed = ["seed_city"] + ([] if arguments.scale == 1 else ["--scale", f"{arguments.scale:g}"])
    city_url = build(city_database(arguments.scale), seed, rebuild=arguments.rebuild)
    demo_url = build("rtkeren_bench_demo", ["seed_demo"], rebuild=arguments.rebuild)
    pages = [p for p in PAGES if p.name == "bare view" or (arguments.only or "") in p.name]
    if arguments.traffic_only:
        pages = PAGES[:1]
    figures, traffic = {}, None
    with (
        tempfile.TemporaryDirectory(prefix="rtkeren-bench-static-") as static_root,
        tempfile.TemporaryDirectory(prefix="rtkeren-bench-cpu-") as cpu_log,
    ):
        ENVIRONMENT["RTKEREN_BENCH_CPU_LOG"] = cpu_log
        collect_static(static_root)
        demo = inspect_database(demo_url, static_root)["pages"]
        city = inspect_database(city_url, static_root)
        for name, page in {**demo, **city["pages"]}.items():
            if page["status"] != 200:
                sys.exit(f"{name}: {page['url']} answers {page['status']}")
        server = start_server(city_url, arguments.workers, static_root)
        try:
            for page in pages:
                persona = page.persona
                cookie = city["cookies"][persona]
                url = city["pages"][page.name]["url"]
                warm(url, cookie, arguments.workers)
                figures[page.name] = load(
                    url, cookie, seconds=arguments.seconds, connections=arguments.connections
                )
                print(f"measured {page.name}", file=sys.stderr, flush=True)
                # The bare view first, then the real traffic (the headline), then every page.
                if page.name == "bare view" and not arguments.no_traffic:
                    traffic = real_traffic(city_url, static_root, arguments)
                    print("measured the real traffic", file=sys.stderr, flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    failures = []
    if traffic is not None:
        failures += report_traffic(traffic, figures["bare view"], arguments)
    if len(pages) > 1:
        failures += report(pages, figures, demo, city["pages"], arguments)
    print()
    print("\n".join(failures) if failures else "Every target met.")


def report(pages, figures, demo, city, arguments) -> None:
    bare = figures["bare view"]["rps"]
    print(
        f"\n{arguments.workers} gunicorn workers, {arguments.connections} connections, "
        f"{arguments.seconds} s per page, {os.cpu_count()} CPUs, "
        f"{'Redis ' + arguments.redis if arguments.redis else 'no Redis'}, "
        "every page rendered\n"
    )
    header = (
        f"| {'page':<26} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'vs bare':>7} "
        f"| {'queries demo':>12} | {'queries city':>12} | {'targets':<7} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell) + 0) for cell in header.split("|")[1:-1]) + "|")
    failures = []
    for page in pages:
        figure = figures[page.name]
        ratio = figure["rps"] / bare
        queries_demo, queries_city = demo[page.name]["queries"], city[page.name]["queries"]
        missed = []
        if page.name != "bare view":
            if ratio < MIN_PAGE_RATIO:
                missed.append("req/s")
            if figure["p99"] > MAX_P99_MS:
                missed.append("p99")
            if queries_city > MAX_QUERIES or queries_city != queries_demo:
                missed.append("queries")
            if figure["errors"]:
                missed.append(f"{figure['errors']} errors")
        failures += [f"{page.name}: {miss}" for miss in missed]
        print(
            f"| {page.name:<26} | {figure['rps']:>7.1f} | {figure['p50']:>7.1f} "
            f"| {figure['p99']:>7.1f} | {ratio:>6.1%} | {queries_demo:>12} | {queries_city:>12} "
            f"| {'missed' if missed else 'met':<7} |"
        )
    return failures


if __name__ == "__main__":
    main()
