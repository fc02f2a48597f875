"""Who must be told when a record changes by any path (services, the admin, a shell).

A person's role assignments are shared across their requests through the cache
(``rtkeren.scopes.current_assignments``); every save or delete of an assignment changes the
version of the person it belonged to and of the one it belongs to now, so that a role taken
away counts from the next request on.
"""

from rtkeren.models import RoleAssignment
from rtkeren.scopecache import person_changed


def assignment_loaded(sender, instance: RoleAssignment, **kwargs) -> None:
    # An assignment moved to another account (in the admin) leaves the first one's cache too.
    instance._loaded_user_id = instance.user_id


def assignment_changed(sender, instance: RoleAssignment, **kwargs) -> None:
    person_changed(instance.user_id, getattr(instance, "_loaded_user_id", None))
