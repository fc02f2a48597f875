"""Choice labels looked up once per field, for the models whose labels every list row shows."""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS_ATTRIBUTE = "_labels_by_value"


def _labels(field) -> dict:
    try:
        return getattr(field, _LABELS_ATTRIBUTE)
    except AttributeError:
        labels = dict(make_hashable(field.flatchoices))
        setattr(field, _LABELS_ATTRIBUTE, labels)
        return labels


class ChoiceLabels:
    """``get_FOO_display()`` as Django's, from a map of each field's choices built once per
    process. Django flattens and hashes the field's choices anew on every call (about ten times
    the cost of the look-up), and a list page asks for a status, a kind or a nature on every row.
    The labels stay lazy in the map: each call gives them in the language then active."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
