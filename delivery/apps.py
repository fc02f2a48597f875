from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    """Co-delivery: meetings, implementers, attendance, training outputs and spending."""

    name = "delivery"
    verbose_name = _("Co-delivery")

    def ready(self):
        from rtkeren.registry import (
            activity_links,
            public_sections,
            realised_spending,
            report_sections,
            rt_report_sections,
            unfinished_outputs,
        )
        from rtkeren.transitions import coordinator_checks, transition_guards

        from . import checks, public, reports, selectors
        from .links import delivery_link

        coordinator_checks.register("delivery.coordinator")(checks.is_coordinator)
        transition_guards.register("delivery.last_meeting")(checks.last_meeting_guard)
        transition_guards.register("delivery.unfinished_outputs")(checks.unfinished_outputs_guard)
        activity_links.register("delivery.activity", order=20)(delivery_link)
        report_sections.register("delivery", order=20)(reports.activity_section)
        rt_report_sections.register("delivery", order=20)(reports.rt_section)
        public_sections.register("delivery", order=20)(public.kelurahan_section)
        unfinished_outputs.register("delivery.outputs")(selectors.unfinished_outputs)
        realised_spending.register("delivery.spending")(selectors.spent_per_activity)

        from rtkeren.models import Stage
        from rtkeren.registry import participation_kinds

        from .services import KIND_ATTENDED, KIND_IMPLEMENTED

        participation_kinds.register(
            KIND_IMPLEMENTED, stage=Stage.DELIVERY, label=_("Implemented an activity")
        )
        participation_kinds.register(
            KIND_ATTENDED, stage=Stage.DELIVERY, label=_("Attended a meeting")
        )

        from rtkeren.registry import ledger_sources

        from . import ledger

        ledger_sources.register("delivery", order=40)(ledger.expected_rows)

        from . import history

        history.register()

        from rtkeren.registry import calendar_events

        from .calendars import feed_meetings

        calendar_events.register("delivery.meetings", order=20)(feed_meetings)

        from rtkeren.registry import personal_data

        from . import personal_data as own_data

        personal_data.register("delivery", order=30)(own_data.sections)

        from rtkeren.registry import reminder_providers

        from . import reminders

        reminder_providers.register("delivery.meetings", order=30)(reminders.meetings_tomorrow)

        # What needs a person's attention on the home page, the app's exports and open data.
        from . import attention, exports, opendata  # noqa: F401
