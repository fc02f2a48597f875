from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RtKerenConfig(AppConfig):
    """The shared core: people, places, activities and the mechanisms every stage writes to."""

    name = "rtkeren"
    verbose_name = _("RT Keren core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from rtkeren import orm

        orm.install()
        from django.contrib.auth.signals import user_logged_in

        from rtkeren.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="rtkeren-session-started")
        from rtkeren.scopecache import forget_request_read_ahead, person_cache_fill

        user_logged_in.connect(person_cache_fill, dispatch_uid="rtkeren-person-cache-fill")
        from django.core.signals import request_finished, request_started

        # What a request read ahead is believed by nothing after it in the same thread.
        request_started.connect(
            forget_request_read_ahead, dispatch_uid="rtkeren-forget-request-read-ahead"
        )
        request_finished.connect(
            forget_request_read_ahead, dispatch_uid="rtkeren-forget-request-read-ahead-after"
        )

        from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

        from rtkeren import signals
        from rtkeren.models import Notification, Resident, RoleAssignment, User

        post_init.connect(signals.assignment_loaded, sender=RoleAssignment, dispatch_uid="ra-init")
        post_init.connect(signals.resident_loaded, sender=Resident, dispatch_uid="resident-init")
        for signal in (post_save, post_delete):
            signal.connect(
                signals.assignment_changed, sender=RoleAssignment, dispatch_uid="ra-changed"
            )
            signal.connect(
                signals.resident_changed, sender=Resident, dispatch_uid="resident-changed"
            )
            signal.connect(signals.account_changed, sender=User, dispatch_uid="account-changed")
            signal.connect(
                signals.notification_changed,
                sender=Notification,
                dispatch_uid="notification-changed",
            )
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(signals.public_record_changed, dispatch_uid="public-record-changed")

        from rtkeren.models import Stage
        from rtkeren.registry import participation_kinds
        from rtkeren.services.activities import KIND_ACTIVITY_PROPOSED

        participation_kinds.register(
            KIND_ACTIVITY_PROPOSED, stage=Stage.DESIGNING, label=_("Proposed an activity")
        )

        from rtkeren import checks  # noqa: F401  (registers the system checks)
        from rtkeren import ledger_sources as core_rows
        from rtkeren.registry import ledger_sources

        ledger_sources.register("core", order=10)(core_rows.expected_rows)

        # What needs a person's attention on the home page, and the core's exports.
        from rtkeren import attention, exports, opendata  # noqa: F401
        from rtkeren.registry import search_providers
        from rtkeren.search import activity_hits

        search_providers.register("activities", order=10)(activity_hits)
