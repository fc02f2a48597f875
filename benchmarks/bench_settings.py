"""Production settings, plus the bare view every page is compared with (``bench_urls``).

Used only by ``benchmarks/bench.py``, which puts this folder on the Python path: the bare view
is no route of the portal itself.
"""

from rtkeren.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

# Outermost, so that a request's CPU includes every middleware (cpu_meter.py; off unless
# RTKEREN_BENCH_CPU_LOG is set).
MIDDLEWARE = ["cpu_meter.CpuMeter", *MIDDLEWARE]  # noqa: F405
