"""Where the workers' CPU goes, by page: a middleware for ``bench_settings`` alone.

When ``RTKEREN_BENCH_CPU_LOG`` names a folder, every request appends one line to the file of its
worker process (``<pid>.tsv``): the wall-clock time it ended, its method, the name of the URL it
matched, and the CPU seconds and wall seconds it took, from the first middleware in until the
response leaves it. ``bench.py`` keeps the lines of the real traffic's minute and adds them up
per page (``page_costs``). A line costs a few microseconds; the file is line-buffered, so the
figures are there while the server still runs.
"""

import os
import time
from collections import defaultdict
from pathlib import Path


class CpuMeter:
    def __init__(self, get_response):
        self.get_response = get_response
        self.folder = os.environ.get("RTKEREN_BENCH_CPU_LOG", "")
        self.log = None

    def __call__(self, request):
        if not self.folder:
            return self.get_response(request)
        cpu, wall = time.process_time(), time.perf_counter()
        response = self.get_response(request)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        match = getattr(request, "resolver_match", None)
        name = match.view_name if match is not None else "(no route)"
        if self.log is None:
            # Opened in the worker, not in the master process that imported the settings.
            self.log = open(Path(self.folder, f"{os.getpid()}.tsv"), "a", buffering=1)  # noqa: SIM115
        self.log.write(f"{time.time():.3f}\t{request.method}\t{name}\t{cpu:.6f}\t{wall:.6f}\n")
        return response


def page_costs(folder: str, since: float, until: float) -> dict[str, dict]:
    """Per ``METHOD name``: requests, CPU and wall seconds of the lines ended in the window."""
    costs: dict[str, dict] = defaultdict(lambda: {"requests": 0, "cpu": 0.0, "wall": 0.0})
    for path in Path(folder).glob("*.tsv"):
        for line in path.read_text().splitlines():
            ended, method, name, cpu, wall = line.split("\t")
            if since <= float(ended) <= until:
                entry = costs[f"{method} {name}"]
                entry["requests"] += 1
                entry["cpu"] += float(cpu)
                entry["wall"] += float(wall)
    return dict(costs)
