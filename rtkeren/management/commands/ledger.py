from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rtkeren.services.ledger_sync import ledger_differences, ledger_repair


class Command(BaseCommand):
    help = (
        "Compare the participation ledger with the rows the stage records call for: "
        "'check' prints the differences (exit code 1 when there are any), "
        "'repair' mends them in one transaction and prints what it changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "repair"])

    def handle(self, *args, action: str, **options):
        if action == "check":
            differences = ledger_differences()
            for line in differences.lines():
                self.stdout.write(line)
            if differences:
                self.stdout.write(self._summary(differences, "differ"))
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("The ledger equals its recomputation."))
            return
        try:
            repaired = ledger_repair()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for line in repaired.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(self._summary(repaired, "repaired"))
            if repaired
            else self.style.SUCCESS("Nothing to repair: the ledger equals its recomputation.")
        )

    @staticmethod
    def _summary(differences, verb: str) -> str:
        return (
            f"{len(differences.missing)} missing, {len(differences.extra)} extra, "
            f"{len(differences.changed)} changed rows {verb}."
        )
