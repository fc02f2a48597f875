from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Co-assessment: joint evaluation, follow-ups and the co-production scorecard."""

    name = "assessment"
    verbose_name = _("Co-assessment")

    def ready(self):
        from rtkeren.registry import search_providers

        from . import search

        search_providers.register("follow_ups", order=40)(search.follow_up_hits)

        from rtkeren.registry import (
            activity_links,
            public_sections,
            report_sections,
            rt_report_sections,
        )
        from rtkeren.transitions import transition_listeners

        from . import opendata, public, reports  # noqa: F401  (open data registers)
        from .links import evaluation_link
        from .services import evaluations_invite

        transition_listeners.register("assessment.invite_evaluators")(evaluations_invite)
        activity_links.register("assessment.evaluation", order=30)(evaluation_link)
        report_sections.register("assessment", order=30)(reports.activity_section)
        rt_report_sections.register("assessment", order=30)(reports.rt_section)
        public_sections.register("assessment-scorecard", order=30)(public.scorecard_section)
        public_sections.register("assessment", order=31)(public.kelurahan_section)

        from rtkeren.models import Stage
        from rtkeren.registry import participation_kinds

        from .services import KIND_EVALUATION_FORUM_ATTENDED, KIND_EVALUATION_SUBMITTED

        participation_kinds.register(
            KIND_EVALUATION_SUBMITTED, stage=Stage.ASSESSMENT, label=_("Evaluated an activity")
        )
        participation_kinds.register(
            KIND_EVALUATION_FORUM_ATTENDED,
            stage=Stage.ASSESSMENT,
            label=_("Attended an evaluation forum"),
        )

        from rtkeren.registry import participation_subjects

        from .models import EvaluationRound

        participation_subjects.register(EvaluationRound, field="title")

        from rtkeren.registry import ledger_sources

        from . import ledger

        ledger_sources.register("assessment", order=50)(ledger.expected_rows)

        from rtkeren.registry import period_closing

        from .services import scorecard_freeze

        period_closing.register("assessment.scorecard_freeze", order=50)(
            lambda period: scorecard_freeze(period=period)
        )

        from rtkeren.registry import personal_data

        from . import personal_data as own_data

        personal_data.register("assessment", order=40)(own_data.sections)

        from rtkeren.registry import reminder_providers

        from . import reminders

        reminder_providers.register("assessment.evaluations", order=40)(reminders.windows_closing)

        # What needs a person's attention on the home page, and the app's exports.
        from . import attention, exports  # noqa: F401
