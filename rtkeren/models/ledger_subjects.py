"""The relation every subject of the participation ledger declares.

A ledger row names what it stands for by a generic key (``Participation.content_type`` and
``object_id``), which the database does not tie to anything. Declaring
``ledger_rows = ledger_rows_relation()`` on each model whose records ``participation_record`` is
given as ``subject`` lets Django's deletion collector take the rows with the record, in the same
transaction, whatever deletes it: an admin page, a parent's cascade or a service. The admin's
delete confirmation lists them.
"""

from django.contrib.contenttypes.fields import GenericRelation


def ledger_rows_relation() -> GenericRelation:
    return GenericRelation("rtkeren.Participation")
