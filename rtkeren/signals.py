"""Who must be told when a record changes by any path (services, the admin, a shell).

A person's role assignments and the register entry they act as are shared across their
requests through the cache (``rtkeren.scopes.current_assignments``,
``rtkeren.selectors.residents.acting_resident``); every save or delete of an assignment or an
entry changes the version of the person it belonged to and of the one it belongs to now, so that
a role taken away, or an entry moved, unverified or unlinked, counts from the next request on.
"""

from rtkeren.models import Resident, RoleAssignment
from rtkeren.scopecache import person_changed


def assignment_loaded(sender, instance: RoleAssignment, **kwargs) -> None:
    # An assignment moved to another account (in the admin) leaves the first one's cache too.
    instance._loaded_user_id = instance.user_id


def assignment_changed(sender, instance: RoleAssignment, **kwargs) -> None:
    person_changed(instance.user_id, getattr(instance, "_loaded_user_id", None))


def resident_loaded(sender, instance: Resident, **kwargs) -> None:
    # Read from the instance's own fields: a deferred account would cost a query per entry.
    instance._loaded_user_id = instance.__dict__.get("user_id")


def resident_changed(sender, instance: Resident, **kwargs) -> None:
    person_changed(instance.user_id, getattr(instance, "_loaded_user_id", None))
