"""The periodic jobs ``manage.py scheduler`` runs every minute, in order.

Each job is ``(now) -> int`` (how much it did) and does nothing twice when run again: a run
after a restart, or two runs in the same minute, send nobody anything twice.
"""

import datetime
import logging
from collections.abc import Callable

from django.utils import timezone

from rtkeren.services.digests import digests_queue
from rtkeren.services.messages import outbound_messages_dispatch
from rtkeren.services.reminders import reminders_send

logger = logging.getLogger(__name__)

# The reminders and the digests first: what they queue for now goes out in the same run.
JOBS: list[tuple[str, Callable[[datetime.datetime], int]]] = [
    ("reminders", reminders_send),
    ("daily digest", digests_queue),
    ("outbound messages", outbound_messages_dispatch),
]


def jobs_run(now: datetime.datetime | None = None) -> dict[str, int | None]:
    """Run every job once; a job that fails is logged (None in the answer) and the others
    still run. Returns what each job did, by name."""
    done: dict[str, int | None] = {}
    for name, job in JOBS:
        try:
            done[name] = job(now or timezone.now())
        except Exception:
            logger.exception("Scheduled job %r failed", name)
            done[name] = None
    return done
