"""``ChoiceLabels``: the same label as Django's ``get_FOO_display()`` for every choice of every
field of the models that use it, in both languages, and the value itself when it is no choice."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from rtkeren.models import ChoiceLabels

MODELS = [model for model in apps.get_models() if issubclass(model, ChoiceLabels)]


def test_the_list_pages_models_use_it():
    names = {model._meta.label for model in MODELS}
    assert {
        "rtkeren.Activity",
        "commissioning.Potential",
        "commissioning.Forum",
        "delivery.Output",
        "assessment.FollowUp",
        "rtkeren.Resident",
    } <= names


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_labels_are_djangos(model, language):
    fields = [field for field in model._meta.concrete_fields if field.choices]
    assert fields
    with translation.override(language):
        for field in fields:
            values = [value for value, _label in field.flatchoices] + ["no-such-choice", None]
            for value in values:
                instance = model(**{field.attname: value})
                ours = getattr(instance, f"get_{field.name}_display")()
                assert ours == models.Model._get_FIELD_display(instance, field), (field, value)
                assert type(ours) is type(models.Model._get_FIELD_display(instance, field))
