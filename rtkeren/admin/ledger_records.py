"""Admin pages of records that stand for a resident's participation (an endorsement, an
attendance, an implementer role, a comment, an evaluation) and of the records ledger rows are
about.

A stage's services write such a record together with its participation ledger row; an admin form
would write one without the other. So the admin never adds them, never changes what decides their
row (who, in what, on which side, hidden or shown) and never deletes them on their own page:
taking part back goes through the portal's services. Deleting a record the ledger rows name as
their subject (an activity, a potential, a forum, a meeting, a round, an evaluation) takes its
rows with it, in the same transaction, through the relation every subject model declares
(``rtkeren.models.ledger_subjects``); ``LedgerSubjectAdmin`` lets the admin's delete page take them
and the records that carry participation in the same cascade.
"""

from rtkeren.models import Participation


class LedgerRecordAdmin:
    """For an admin page of a record that carries participation: not added or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LedgerRecordReadOnly(LedgerRecordAdmin):
    """For an admin page or inline: no adding, changing or deleting."""

    def has_change_permission(self, request, obj=None):
        return False


class LedgerSubjectAdmin:
    """For the admin page of a record that ledger rows, or records carrying participation, go
    with when it is deleted. Those rows and records cannot be deleted on their own pages, which
    would otherwise make Django refuse the whole deletion; here they go with their parent, and
    their ledger rows with them, so the confirmation page lists them and lets the deletion go
    ahead."""

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        going_with_parent = {
            str(model._meta.verbose_name)
            for model, model_admin in self.admin_site._registry.items()
            if model is Participation or isinstance(model_admin, LedgerRecordAdmin)
        }
        perms_needed = {name for name in perms_needed if str(name) not in going_with_parent}
        return deleted, model_count, perms_needed, protected
