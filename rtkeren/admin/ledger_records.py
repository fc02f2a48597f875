"""Admin pages of records that stand for a resident's participation (an endorsement, an
attendance, an implementer role): shown, never written there. Their stage's services write them
together with their participation ledger row; an admin form would write one without the other."""


class LedgerRecordReadOnly:
    """For an admin page or inline: no adding, changing or deleting."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
