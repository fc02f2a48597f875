import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from rtkeren.scheduler import jobs_run


class Command(BaseCommand):
    help = (
        "Run the periodic jobs every minute: the reminders, the daily digest, and sending the "
        "outgoing messages that are due (retries, the morning after the quiet hours). With "
        "--once, run them once and exit (for a systemd timer or cron every minute), with exit "
        "code 1 if a job failed (the others still ran)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the jobs once and exit.")
        parser.add_argument(
            "--interval", type=int, default=60, help="Seconds between runs (default 60)."
        )

    def handle(self, *args, once: bool, interval: int, **options):
        try:
            while True:
                started = time.monotonic()
                if not once:
                    # Between runs, as between requests: a connection past CONN_MAX_AGE, or
                    # one the database dropped, is replaced.
                    close_old_connections()
                done = jobs_run(timezone.now())
                if options["verbosity"] > 1:
                    self.stdout.write(
                        ", ".join(
                            f"{name}: {'failed' if count is None else count}"
                            for name, count in done.items()
                        )
                    )
                if once:
                    if None in done.values():
                        raise SystemExit(1)  # the failure is logged; a timer shows it failed
                    return
                time.sleep(max(0.0, interval - (time.monotonic() - started)))
        except KeyboardInterrupt:
            return
