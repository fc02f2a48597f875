from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rtkeren import registry


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

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to load demo data anyway."
            )
        registry.autodiscover()
        for name, seed in registry.demo_data.items():
            with transaction.atomic():
                summary = seed(stdout=self.stdout)
            self.stdout.write(f"{name}: {summary or 'ok'}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
