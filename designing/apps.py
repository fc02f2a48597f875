from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesigningConfig(AppConfig):
    """Co-designing: proposals, discussion, review, voting rounds and the interest fit."""

    name = "designing"
    verbose_name = _("Co-designing")

    def ready(self):
        from rtkeren.registry import activity_links, origin_links, public_sections, report_sections
        from rtkeren.transitions import transition_effects, transition_guards

        from . import opendata, public, reports, services  # noqa: F401  (open data registers)
        from .guards import no_round_still_open
        from .links import proposal_link, propose_from

        transition_guards.register("designing.open_round")(no_round_still_open)
        transition_effects.register("designing.ballot")(services.proposal_off_ballot)
        activity_links.register("designing.proposal", order=10)(proposal_link)
        origin_links.register("designing.propose", order=10)(propose_from)
        report_sections.register("designing", order=10)(reports.activity_section)
        public_sections.register("designing", order=10)(public.kelurahan_section)

        from rtkeren.models import Stage
        from rtkeren.registry import participation_kinds

        from .services import KIND_COMMENTED, KIND_VOTED

        participation_kinds.register(
            KIND_COMMENTED, stage=Stage.DESIGNING, label=_("Commented on a proposal")
        )
        participation_kinds.register(KIND_VOTED, stage=Stage.DESIGNING, label=_("Voted in a round"))

        from rtkeren.registry import participation_subjects

        from .models import VotingRound

        participation_subjects.register(VotingRound, field="title")

        from rtkeren.registry import ledger_sources

        from . import ledger

        ledger_sources.register("designing", order=30)(ledger.expected_rows)

        from rtkeren.registry import derived_checks, resident_changes

        from . import fit

        resident_changes.register("designing.fit")(fit.residents_changed)
        derived_checks.register("designing.fit")(fit.fit_check)

        from . import history

        history.register()

        from rtkeren.registry import personal_data

        from . import personal_data as own_data

        personal_data.register("designing", order=20)(own_data.sections)

        from rtkeren.registry import reminder_providers

        from . import reminders

        reminder_providers.register("designing.rounds_opened", order=20)(reminders.rounds_opened)
        reminder_providers.register("designing.rounds_closing", order=21)(
            reminders.rounds_closing_today
        )

        # What needs a person's attention on the home page, and the app's exports.
        from . import attention, exports  # noqa: F401
