"""The real traffic's reads, replayed in one process: the CPU of the app and of PostgreSQL page by
page, and how much of PostgreSQL's time is planning.

    .venv/bin/python benchmarks/replay.py [--requests 3000] [--warm 1500] [--explain 600]

Plans the real traffic as ``make bench`` does (``traffic.py``: the same people, pages and order)
on ``rtkeren_city`` (run ``make bench`` once), then asks its reads through Django's WSGI handler
in this process, with the production settings, sessions and caches in Redis (``--redis``). The
first ``--warm`` reads fill the caches; the next ``--requests`` are measured: the app's CPU
(``time.process_time``) and the CPU of the PostgreSQL server process of the connection (from
``/proc``, so PostgreSQL must run on this machine), in all and by page. No gunicorn, no wrk and
no writes: the figures compare code, not the machine's capacity.

With ``--profile VIEW``, the measured reads of that view (its URL name, as the table names it;
``all``: every read) run under cProfile, and the functions with the most time, their own and
in all, are printed (the times of that view then hold the profiler's own cost); ``--dump FILE``
writes the profile to a file too, for ``pstats`` to read (callers, callees).

With ``--explain N``, every SELECT of the next N reads is run again under ``EXPLAIN ANALYZE``,
and the planning and execution times PostgreSQL reports are added up, in all and for the most
costly SQL. ``DATABASE_PREPARED_STATEMENTS=false`` in the environment runs the replay without
the statements prepared on the server (``rtkeren.db.postgresql``).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402


def _environ(fields: list[str]) -> dict:
    method, path, _body, *headers = fields
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(bench.PORT),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    for header in headers:
        name, _, value = header.partition(": ")
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def measure(requests: int, warm: int, explain: int, profiled: str = "", dump: str = "") -> dict:
    import django

    # One connection for the whole replay, whose server process's CPU is read from /proc: the
    # production settings close it after a minute, and a replay runs longer.
    os.environ.setdefault("CONN_MAX_AGE", str(24 * 60 * 60))
    django.setup()
    import traffic
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.urls import resolve

    traffic.PORT[0] = bench.PORT
    with tempfile.TemporaryDirectory(prefix="rtkeren-replay-") as folder:
        traffic.plan(Path(folder), 0)
        lines = Path(folder, "reads.tsv").read_text().splitlines()
    reads = [line.split("\t") for line in lines]
    reads = (reads * (1 + (warm + requests + explain) // len(reads)))[: warm + requests + explain]
    application = get_wsgi_application()
    statuses: dict[str, int] = defaultdict(int)

    def ask(fields) -> None:
        answered = []
        body = application(_environ(fields), lambda status, *_args: answered.append(status))
        for _chunk in body:
            pass
        body.close()
        statuses[answered[0][:3]] += 1

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def database_cpu() -> float:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    for fields in reads[:warm]:
        ask(fields)
    statuses.clear()
    pages: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    profiler = cProfile.Profile()
    app_started, database_started = time.process_time(), database_cpu()
    for fields in reads[warm : warm + requests]:
        name = resolve(fields[1].partition("?")[0]).view_name
        app, database = time.process_time(), database_cpu()
        if profiled in (name, "all"):
            profiler.runcall(ask, fields)
        else:
            ask(fields)
        page = pages[name]
        page[0] += 1
        page[1] += time.process_time() - app
        page[2] += database_cpu() - database
    result = {
        "requests": requests,
        "statuses": dict(statuses),
        "app_ms": (time.process_time() - app_started) * 1000 / requests,
        "database_ms": (database_cpu() - database_started) * 1000 / requests,
        "pages": dict(pages),
        "shapes": _shapes(),
    }
    if profiled:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)
        result["profile"] = text.getvalue()
        if dump:
            profiler.dump_stats(dump)
    if explain:
        result["explain"] = _explain(ask, reads[warm + requests :], connection)
    return result


def _shapes() -> int:
    """The query shapes the process keeps prepared (``rtkeren.prepared``)."""
    from rtkeren import prepared

    return len(prepared._statements)


def _explain(ask, reads: list, connection) -> dict:
    selects = []

    def keep(execute, sql, params, many, context):
        if sql.startswith(("SELECT", "(SELECT")):
            selects.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        for fields in reads:
            ask(fields)
    costs: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    with connection.cursor() as cursor:
        for sql, params in selects:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            report = cursor.fetchone()[0][0]
            cost = costs[sql[:110]]
            cost[0] += 1
            cost[1] += report["Planning Time"]
            cost[2] += report["Execution Time"]
    top = sorted(costs.items(), key=lambda item: -(item[1][1] + item[1][2]))[:15]
    return {
        "reads": len(reads),
        "selects": len(selects),
        "planning_ms": sum(cost[1] for cost in costs.values()),
        "execution_ms": sum(cost[2] for cost in costs.values()),
        "top": top,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warm", type=int, default=1500)
    parser.add_argument("--explain", type=int, default=0, help="Reads whose SELECTs to explain.")
    parser.add_argument("--profile", default="", help="A view whose reads to profile.")
    parser.add_argument("--dump", default="", help="A file to write the profile to (pstats).")
    arguments, result = bench.measured_inside_city(
        __file__,
        parser,
        lambda given: measure(given.requests, given.warm, given.explain, given.profile, given.dump),
    )
    print(
        f"{result['requests']} reads of the real traffic after {arguments.warm}, in one process, "
        f"answers {result['statuses']}: the app {result['app_ms']:.2f} ms of CPU a request, "
        f"PostgreSQL {result['database_ms']:.2f} ms; {result['shapes']} query shapes prepared\n"
    )
    print(
        "| page | reads | app CPU ms a read | PostgreSQL CPU ms a read | share of the app's CPU |"
    )
    print("|---|---:|---:|---:|---:|")
    total = sum(page[1] for page in result["pages"].values())
    for name, (count, app, database) in sorted(result["pages"].items(), key=lambda i: -i[1][1]):
        print(
            f"| {name} | {count} | {app * 1000 / count:.2f} | {database * 1000 / count:.2f} "
            f"| {app / total:.1%} |"
        )
    if result.get("profile"):
        print(f"\n{result['profile']}")
    explained = result.get("explain")
    if explained:
        print(
            f"\n{explained['selects']} SELECTs of {explained['reads']} reads under EXPLAIN "
            f"ANALYZE: planning {explained['planning_ms']:.1f} ms, execution "
            f"{explained['execution_ms']:.1f} ms\n"
        )
        print("| runs | planning ms a run | execution ms a run | SQL |")
        print("|---:|---:|---:|---|")
        for sql, (count, planning, execution) in explained["top"]:
            print(f"| {count} | {planning / count:.3f} | {execution / count:.3f} | `{sql}` |")


if __name__ == "__main__":
    main()
