from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rtkeren import registry
from rtkeren.scopecache import scope_changed_everywhere


class Command(BaseCommand):
    help = (
        "Load the demo data of every app. Running it again creates nothing twice. "
        "Refuses to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off.",
        )
        parser.add_argument(
            "--residents",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Also add N residents spread over all 21 kelurahan of Kota Blitar (30 RTs each). "
                "Every run adds N more."
            ),
        )

    def handle(self, *args, force: bool = False, residents: int = 0, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to load demo data anyway."
            )
        if residents < 0:
            raise CommandError("--residents must be zero or more.")
        registry.discover_demo()
        for name, seed in registry.demo_data.items():
            with transaction.atomic():
                summary = seed(stdout=self.stdout)
                # Written in bulk, past the services: every scope's cached figures are stale.
                scope_changed_everywhere()
            self.stdout.write(f"{name}: {summary or 'ok'}")
        if residents:
            from rtkeren.demo import residents_add

            with transaction.atomic():
                added, seconds = residents_add(count=residents)
                scope_changed_everywhere()
            self.stdout.write(f"residents: {added} added in {seconds:.1f} s")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
