from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.services import scorecard_freeze
from rtkeren.models import Period


class Command(BaseCommand):
    help = (
        "'freeze --year Y' stores the scorecard of every scope for the closed period of year Y "
        "when it has none (a period closed before scorecards were stored when closing). The "
        "figures are those of today's records; a period that has its rows keeps them."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["freeze"])
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, action: str, year: int, **options):
        period = Period.objects.filter(year=year).first()
        if period is None:
            raise CommandError(f"There is no period for {year}.")
        try:
            stored = scorecard_freeze(period=period)
        except ValidationError as error:
            raise CommandError(
                f"{period.year}: {' '.join(error.messages)} Close it in the admin first."
            ) from error
        if not stored:
            self.stdout.write(f"{period.year} already has its frozen scorecards; nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"{period.year}: {stored} scorecards frozen."))
