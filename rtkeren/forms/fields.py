"""Form fields every app shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from rtkeren.models import RT, RW, Kelurahan

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


#: The places a form may offer, by the kind written before the colon of a choice.
PLACE_MODELS = {"kelurahan": Kelurahan, "rw": RW, "rt": RT}


def place_choice(place: Kelurahan | RW | RT, label: str | None = None) -> tuple[str, str]:
    """The (value, label) under which a form offers ``place``: ``kind:id``, and by default "Whole
    Kelurahan X", "RW 003, Kelurahan X" or the RT's full name."""
    kind = next(kind for kind, model in PLACE_MODELS.items() if isinstance(place, model))
    if label is None:
        if kind == "kelurahan":
            label = _("Whole Kelurahan %(name)s") % {"name": place.name}
        elif kind == "rw":
            label = f"{place}, {place.kelurahan}"
        else:
            label = place.full_name
    return f"{kind}:{place.pk}", label


class PlaceChoiceField(forms.ChoiceField):
    """A kelurahan, an RW or an RT among the choices the form offers (``place_choice``), cleaned
    to the place itself: any other value, even of a place that exists, is refused."""

    default_error_messages = {"invalid_choice": _("Choose a place from the list.")}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        kind, _colon, pk = value.partition(":")
        model = PLACE_MODELS.get(kind)
        queryset = model.objects.all() if model else None
        if model is RT:
            queryset = queryset.select_related("rw__kelurahan")
        elif model is RW:
            queryset = queryset.select_related("kelurahan")
        place = queryset.filter(pk=pk).first() if model and pk.isdecimal() else None
        if place is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return place
