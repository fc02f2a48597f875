"""Admin pages that only read.

Some records are written by a service (a consent, a deletion request, an import, the scorecard
base) or on their parent's admin page, where the checks that guard them run (an RT's budget
share on its activity's page, a ceiling on its period's page, an interest on its resident's
page). Each still has a page of its own, so that the admin can find and read every record of
the portal, but nobody adds, changes or deletes one there.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied


class ReadOnlyAdmin(admin.ModelAdmin):
    """For everyone, the administrator included: read, never write.

    A record is not deleted on its own page either (no delete page, action or link), but it
    goes with its parent when the parent is deleted on the parent's page: Django asks this
    page's ``has_delete_permission`` for that, and a refusal there would refuse the parent's
    deletion too."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied
