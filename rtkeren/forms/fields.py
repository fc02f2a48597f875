"""Form fields every app shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# What a 64-bit integer column holds, on SQLite as on PostgreSQL.
_SMALLEST, _LARGEST = -(2**63), 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id no integer column can hold before the database sees it: SQLite raises
    OverflowError on such a number in the ``IN (...)`` the parent class queries with (Django
    guards single lookups, not lists), which would answer a posted form with a 500."""

    def clean(self, value):
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        field = meta.pk if key == "pk" else meta.get_field(key)
        if isinstance(value, list | tuple) and isinstance(field, models.IntegerField):
            for item in value:
                try:
                    number = int(item)
                except (TypeError, ValueError):
                    continue  # the parent class says what is wrong with it
                if not _SMALLEST <= number <= _LARGEST:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    )
        return super().clean(value)
