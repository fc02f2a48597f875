from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissioningConfig(AppConfig):
    """Co-commissioning: the potentials register and community forums."""

    name = "commissioning"
    verbose_name = _("Co-commissioning")

    def ready(self):
        from rtkeren.registry import search_providers

        from . import search

        search_providers.register("potentials", order=20)(search.potential_hits)
        search_providers.register("forums", order=30)(search.forum_hits)

        from rtkeren.registry import origin_checks, origin_sources, rt_report_sections

        from . import origins, reports

        rt_report_sections.register("commissioning", order=10)(reports.rt_section)
        origin_sources.register("commissioning.potentials", order=10)(origins.open_potentials)
        origin_sources.register("commissioning.priorities", order=20)(origins.held_priorities)
        origin_checks.register("commissioning")(origins.may_be_origin)

        from rtkeren.models import Stage
        from rtkeren.registry import participation_kinds

        from .services import KIND_FORUM_ATTENDED, KIND_POTENTIAL_ENDORSED, KIND_POTENTIAL_RECORDED

        participation_kinds.register(
            KIND_POTENTIAL_RECORDED, stage=Stage.COMMISSIONING, label=_("Recorded a potential")
        )
        participation_kinds.register(
            KIND_POTENTIAL_ENDORSED, stage=Stage.COMMISSIONING, label=_("Endorsed a potential")
        )
        participation_kinds.register(
            KIND_FORUM_ATTENDED, stage=Stage.COMMISSIONING, label=_("Attended a forum")
        )

        from rtkeren.registry import participation_subjects

        from .models import Forum, Potential

        participation_subjects.register(Potential, field="title")
        participation_subjects.register(Forum, field="title")

        from rtkeren.registry import ledger_sources

        from . import ledger

        ledger_sources.register("commissioning", order=20)(ledger.expected_rows)

        from . import history

        history.register()

        from rtkeren.registry import calendar_events

        from .calendars import feed_forums

        calendar_events.register("commissioning.forums", order=10)(feed_forums)

        from rtkeren.registry import personal_data

        from . import personal_data as own_data

        personal_data.register("commissioning", order=10)(own_data.sections)

        from rtkeren.registry import reminder_providers

        from . import reminders

        reminder_providers.register("commissioning.forums", order=10)(reminders.forums_tomorrow)

        # What needs a person's attention on the home page, and the app's exports.
        from . import attention, exports  # noqa: F401
