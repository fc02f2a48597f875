"""Who must be told when a record changes by any path (services, the admin, a shell).

A person's role assignments, the register entry they act as and their unread notifications are
shared across their requests through the cache (``rtkeren.scopes.current_assignments``,
``rtkeren.selectors.residents.acting_resident``,
``rtkeren.selectors.notifications.unread_notification_count``); every save or delete of an
assignment, an entry or a notification changes the version of the person it belonged to and of
the one it belongs to now (for a notification, the version of their notifications alone), so
that a role taken away, an entry moved, unverified or unlinked, or a notification sent or read,
counts from the next request on. (The notification services, which write in bulk without
signals, change the versions themselves.) A session's account is shared in the same way
(``rtkeren.auth_backends.session_account``): every save or delete of an account changes its
account version, so that an account deactivated or given a new password is read afresh, and its
other sessions end, on their next request.

The public pages are shared through the cache too (``rtkeren.scopecache.cached_for_public``):
every save or delete of a record they may show changes the public records' version.
"""

from functools import cache

from django.apps import apps

from rtkeren.models import Notification, Resident, RoleAssignment, User
from rtkeren.scopecache import ACCOUNT, NOTIFICATIONS, person_changed, public_changed


def assignment_loaded(sender, instance: RoleAssignment, **kwargs) -> None:
    # An assignment moved to another account (in the admin) leaves the first one's cache too.
    instance._loaded_user_id = instance.user_id


def assignment_changed(sender, instance: RoleAssignment, **kwargs) -> None:
    person_changed(instance.user_id, getattr(instance, "_loaded_user_id", None))


def notification_changed(sender, instance: Notification, **kwargs) -> None:
    # A notification saved or deleted one by one (the admin, a user's account deleted): the
    # recipient's unread count (rtkeren.selectors.notifications) is counted again.
    person_changed(instance.recipient_id, topic=NOTIFICATIONS)


def account_changed(sender, instance: User, **kwargs) -> None:
    # An account saved or deleted (a login, a new password, deactivated in the admin): the next
    # request of any of its sessions reads it again (rtkeren.auth_backends.session_account).
    person_changed(instance.pk, topic=ACCOUNT)


def resident_loaded(sender, instance: Resident, **kwargs) -> None:
    # Read from the instance's own fields: a deferred account would cost a query per entry.
    instance._loaded_user_id = instance.__dict__.get("user_id")


def resident_changed(sender, instance: Resident, **kwargs) -> None:
    person_changed(instance.user_id, getattr(instance, "_loaded_user_id", None))


#: The apps whose records the public pages show.
PUBLIC_APPS = frozenset({"rtkeren", "commissioning", "designing", "delivery", "assessment"})
#: Records no public page shows, written on the busiest paths (a vote, a comment, a check-in, a
#: login, a notification). What they change there, the scorecard, follows the kelurahan's
#: version, which the participation ledger's service changes. Every other record of those apps
#: (a new kind of record too) renews the public pages when it changes.
NOT_PUBLIC = frozenset(
    {
        "rtkeren.BaseEntry",
        "rtkeren.CalendarFeed",
        "rtkeren.DeliveryReport",
        "rtkeren.ExportAudit",
        "rtkeren.ImportJob",
        "rtkeren.NikCheck",
        "rtkeren.NikReveal",
        "rtkeren.Notification",
        "rtkeren.NotificationPreference",
        "rtkeren.OfflineSubmission",
        "rtkeren.OutboundMessage",
        "rtkeren.Participation",
        "rtkeren.PasswordCode",
        "rtkeren.ReminderSent",
        "rtkeren.ResidentInterest",
        "rtkeren.User",
        "commissioning.Attendance",
        "commissioning.Endorsement",
        "designing.Comment",
        "designing.ProposalFit",
        # Cast only while its round is open, whose counts no page shows; never changed after.
        "designing.Vote",
        "delivery.Attendance",
        "delivery.CommitteeNote",
        "delivery.Task",
        "assessment.Evaluation",
        "assessment.ForumAttendance",
        "assessment.Score",
    }
)


@cache
def shown_in_public(model) -> bool:
    """Whether a public page may show ``model``'s records (every change renews them)."""
    meta = model._meta
    return (
        meta.app_label in PUBLIC_APPS
        and meta.label not in NOT_PUBLIC
        # A history row is written with the record it follows, which renews the pages itself.
        and not meta.model_name.startswith("historical")
    )


def public_record_changed(sender, action: str | None = None, **kwargs) -> None:
    """On any save, delete or many-to-many change (``sender`` is then the link table)."""
    if action is not None and not action.startswith("post_"):
        return
    if shown_in_public(sender):
        public_changed()


@cache
def public_tables() -> frozenset[str]:
    """The tables of the records a public page may show (link tables included)."""
    return frozenset(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if shown_in_public(model)
    )


@cache
def private_tables() -> frozenset[str]:
    """The tables of every other record (accounts, sessions, the participation ledger...)."""
    every = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return frozenset(every - public_tables())
