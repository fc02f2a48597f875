import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from rtkeren import city, registry
from rtkeren.scopecache import scope_changed_everywhere


class Command(BaseCommand):
    help = (
        "Build a city-scale data set (150.000 residents over three periods, every stage's "
        "records and the participation ledger) in bulk, for the benchmarks. Meant for a "
        "database of its own; refuses to run twice, and with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply every count by this (0.001 builds one RT of 150 residents).",
        )
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="Leave out the demo data (and its accounts, which the benchmark logs in as).",
        )
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, scale: float, no_demo: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to build the city anyway."
            )
        if not 0 < scale <= 1:
            raise CommandError("--scale must be more than 0 and at most 1.")
        if city.city_exists():
            raise CommandError("This database already holds the city data: use an empty one.")
        started = time.perf_counter()
        if not no_demo:
            call_command("seed_demo", force=True, stdout=self.stdout)
        demo_seconds = time.perf_counter() - started
        registry.discover_city()
        with transaction.atomic():
            timings = city.build(scale=scale, stdout=self.stdout)
            # Written in bulk, past the services: every scope's cached figures are stale.
            scope_changed_everywhere()
        if connection.vendor == "postgresql":
            analyze_started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            timings.append(("analyze", time.perf_counter() - analyze_started))
        total = time.perf_counter() - started
        parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings)
        self.stdout.write(f"times: demo {demo_seconds:.0f} s, {parts}")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                size = cursor.fetchone()[0]
            self.stdout.write(f"database size: {size}")
        self.stdout.write(self.style.SUCCESS(f"City data ready in {total:.0f} s."))
