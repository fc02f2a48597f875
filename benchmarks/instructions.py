"""The instructions a read of each page of the real traffic costs, counted by valgrind.

    .venv/bin/python benchmarks/instructions.py [--views home,designing:proposal-list] [--reads 100]
        [--tree PATH ...]

Times measured on a shared machine vary by a third between runs minutes apart; the instructions
a process runs (callgrind's count) are the same for the same code, data and requests whatever
else the machine is doing. A change of a few per cent on one page shows here, where no timing
could tell it from the spread.

Plans the real traffic as ``make bench`` does (``traffic.py``: the same people, pages and
order) on ``rtkeren_city`` (run ``make bench`` once), with the production settings, sessions
and caches in Redis (``--redis``). Then, for each view (its URL name; ``all``: the traffic's
reads as they come, every page mixed), a process runs under callgrind with the counting off:
it asks the view's first ``--reads`` reads once (filling the caches and preparing the query
shapes a process keeps), then, the counting on (``callgrind_control``), asks the same reads
again. What it prints is the instructions a read of that second round, in millions, and the
answers' statuses. A view named ``page:`` and a page of ``make bench``'s table (``"page:public
page"``) is that page's one URL instead, asked as its account: the per-page table's cost.

``--tree`` measures other checkouts of the project too (a ``git worktree`` at an older commit,
say, using this virtualenv), each against the same plan, one after the other: the figures of
two trees compare their code, change by change. Needs ``valgrind`` (``callgrind_control``
comes with it).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402

COLLECTED = re.compile(r"Collected : (\d+)")
#: A view named ``page:`` and one of ``bench.PAGES``' names is that page of ``make bench``'s
#: table, asked ``--reads`` times at its URL as its account (Django's test client): what one
#: page costs, where the traffic's reads of a view are of many objects.
PAGE = "page:"


def child(reads_file: str, view: str, count: int) -> None:
    """Under callgrind: the reads of ``view`` once, then (the counting turned on by the parent
    meanwhile) again; the statuses of both rounds on the last line."""
    import django

    django.setup()
    statuses: Counter = Counter()
    if view.startswith(PAGE):
        ask, chosen = _page_reads(view.removeprefix(PAGE), count, statuses)
    else:
        ask, chosen = _traffic_reads(reads_file, view, count, statuses)

    for fields in chosen:
        ask(fields)
    ready = Path(reads_file).with_name(f"ready-{os.getpid()}")
    ready.touch()
    while ready.exists():  # the parent turns the counting on, then removes it
        time.sleep(0.05)
    for fields in chosen:
        ask(fields)
    print(json.dumps({"reads": len(chosen), "statuses": statuses}))


def _traffic_reads(reads_file: str, view: str, count: int, statuses: Counter) -> tuple:
    """The first ``count`` of the traffic's reads of ``view`` (``all``: of every view), and
    a function asking one through the WSGI application."""
    import replay
    from django.core.wsgi import get_wsgi_application
    from django.urls import resolve

    application = get_wsgi_application()
    reads = [line.split("\t") for line in Path(reads_file).read_text().splitlines()]
    chosen = [
        fields
        for fields in reads
        if view == "all" or resolve(fields[1].partition("?")[0]).view_name == view
    ][:count]

    def ask(fields) -> None:
        answered = []
        body = application(replay._environ(fields), lambda status, *_: answered.append(status))
        for _chunk in body:
            pass
        body.close()
        statuses[answered[0][:3]] += 1

    return ask, chosen


def _page_reads(name: str, count: int, statuses: Counter) -> tuple:
    """``count`` reads of the benchmark's page ``name``, and a function asking one as the
    page's account through Django's test client."""
    from django.test import Client

    from rtkeren.models import User

    [page] = [page for page in bench.PAGES if page.name == name]
    url = bench.page_urls()[name]
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    if page.persona:
        client.force_login(User.objects.get(username=page.persona))

    def ask(_read) -> None:
        statuses[str(client.get(url).status_code)] += 1

    return ask, [url] * count


def counted(tree: Path, reads_file: str, view: str, count: int) -> dict:
    """The instructions of the second round of ``view``'s reads, asked by the code in ``tree``
    (this file and the benchmarks' settings from this checkout, the portal from ``tree``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "benchmarks"), str(tree)])}
    process = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            reads_file,
            view,
            str(count),
        ],
        cwd=tree,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready = Path(reads_file).with_name(f"ready-{process.pid}")
    while not ready.exists() and process.poll() is None:
        time.sleep(0.1)
    if process.poll() is None:
        subprocess.run(
            ["callgrind_control", "--instr=on", str(process.pid)],
            check=True,
            capture_output=True,
        )
        ready.unlink()
    out, err = process.communicate()
    found = COLLECTED.findall(err)
    if process.returncode or not found or not out.strip():
        sys.exit(f"{view} in {tree} failed:\n{err[-3000:]}")
    answered = json.loads(out.strip().splitlines()[-1])
    return {**answered, "instructions": int(found[-1])}


def measure(arguments) -> dict:
    import django

    django.setup()
    import traffic

    traffic.PORT[0] = bench.PORT
    trees = [bench.ROOT, *(Path(tree).resolve() for tree in arguments.tree)]
    views = arguments.views.split(",")
    results = {}
    with tempfile.TemporaryDirectory(prefix="rtkeren-instructions-") as folder:
        traffic.plan(Path(folder), 0)
        reads_file = str(Path(folder, "reads.tsv"))
        for view in views:
            for tree in trees:
                results[f"{view}\t{tree}"] = counted(tree, reads_file, view, arguments.reads)
    return results


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", default="all", help="URL names, comma-separated, or all.")
    parser.add_argument("--reads", type=int, default=100, help="Reads of each view.")
    parser.add_argument("--tree", action="append", default=[], help="Another checkout.")
    _arguments, result = bench.measured_inside_city(__file__, parser, measure)
    print("| page | checkout | reads | answers | millions of instructions a read |")
    print("|---|---|---:|---|---:|")
    for key, found in result.items():
        view, tree = key.split("\t")
        print(
            f"| {view} | {tree} | {found['reads']} | {found['statuses']} "
            f"| {found['instructions'] / found['reads'] / 1e6:.2f} |"
        )


if __name__ == "__main__":
    main()
