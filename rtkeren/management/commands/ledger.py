from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rtkeren.registry import derived_checks
from rtkeren.services.base import base_differences, base_repair
from rtkeren.services.ledger_sync import ledger_differences, ledger_repair


class Command(BaseCommand):
    help = (
        "Compare the participation ledger with the rows the stage records call for, and the "
        "scorecard base of the open periods with its recomputation from the register, and the "
        "figures the apps store (the proposals' fit) with theirs: "
        "'check' prints the differences (exit code 1 when there are any), "
        "'repair' mends them in one transaction and prints what it changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "repair"])

    def handle(self, *args, action: str, **options):
        if action == "check":
            differences = ledger_differences()
            base = base_differences()
            derived = [(check(), name) for name, check in derived_checks.items()]
            derived_lines = [line for (lines, _success), _name in derived for line in lines]
            for line in differences.lines() + base.lines() + derived_lines:
                self.stdout.write(line)
            if differences:
                self.stdout.write(self._summary(differences, "differ"))
            if base:
                self.stdout.write(self._base_summary(base, "differ"))
            if differences or base or derived_lines:
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("The ledger equals its recomputation."))
            self.stdout.write(self.style.SUCCESS("The scorecard base equals its recomputation."))
            for (_lines, success), _name in derived:
                self.stdout.write(self.style.SUCCESS(success))
            return
        try:
            with transaction.atomic():
                repaired = ledger_repair()
                base = base_repair()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for line in repaired.lines() + base.lines():
            self.stdout.write(line)
        if repaired:
            self.stdout.write(self.style.SUCCESS(self._summary(repaired, "repaired")))
        if base:
            self.stdout.write(self.style.SUCCESS(self._base_summary(base, "repaired")))
        if not (repaired or base):
            self.stdout.write(
                self.style.SUCCESS(
                    "Nothing to repair: the ledger and the scorecard base equal their "
                    "recomputation."
                )
            )

    @staticmethod
    def _summary(differences, verb: str) -> str:
        return (
            f"{len(differences.missing)} missing, {len(differences.extra)} extra, "
            f"{len(differences.changed)} changed rows {verb}."
        )

    @staticmethod
    def _base_summary(differences, verb: str) -> str:
        return (
            f"{len(differences.missing)} missing, {len(differences.extra)} extra, "
            f"{len(differences.changed)} changed base entries {verb}."
        )
