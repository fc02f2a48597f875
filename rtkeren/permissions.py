"""One way to ask whether someone may do something in the portal, for views, templates and
services alike: the table each app writes in its ``rules.py``.

Not ``user.has_perm``: that asks every authentication backend, so a superuser passes every
question and staff pass any question named like one of their admin model permissions, while
the service behind the page asks the table and refuses. A page would then offer a form whose
submission answers 403. A superuser passes where the table lets an administrator pass
(``rtkeren.scopes.is_admin``), and nowhere else: a superuser is nobody's resident and casts no
vote. Django's model permissions serve the admin alone."""

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rules.contrib.views import PermissionRequiredMixin as RulesPermissionRequiredMixin


def can(user, permission: str, obj=None) -> bool:
    """Whether ``user`` may do ``permission`` (on ``obj``), by the portal's table."""
    return rules.has_perm(permission, user, obj)


def require(user, permission: str, obj=None) -> None:
    """Refuse (PermissionDenied, a 403 page) unless ``user`` may do ``permission``."""
    if not can(user, permission, obj):
        raise PermissionDenied(_("You may not do this here."))


class PermissionRequiredMixin(RulesPermissionRequiredMixin):
    """A view reached only by those the table lets do every ``permission_required`` on the
    view's permission object: the same question its service asks."""

    def has_permission(self) -> bool:
        obj = self.get_permission_object()
        user = self.request.user
        return all(can(user, permission, obj) for permission in self.get_permission_required())
