"""The form for recording that a resident moved away, moved to another RT, or died."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.forms.accounts import DATE_INPUT_FORMATS
from rtkeren.models import RT, ResidentStatusChange
from rtkeren.services.residents import NOTE_MAX_LENGTH


class DestinationRtField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class ResidentStatusChangeForm(forms.Form):
    """Field checks only; the date against the birth date and the state of the resident are
    checked by the service, which the view calls."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=ResidentStatusChange.Kind.choices,
        widget=forms.RadioSelect,
    )
    to_rt = DestinationRtField(
        label=_("New RT (only for a move within the city)"),
        queryset=RT.objects.none(),
        required=False,
        empty_label=_("Choose the RT"),
    )
    happened_on = forms.DateField(
        label=_("Date"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Reason or note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: moved to Surabaya for work; or the cause told by the family."),
    )

    def __init__(self, *args, resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_rt"].queryset = RT.objects.exclude(pk=resident.rt_id).select_related(
            "rw__kelurahan"
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == ResidentStatusChange.Kind.MOVED_WITHIN:
            if not cleaned.get("to_rt") and "to_rt" not in self.errors:
                self.add_error("to_rt", _("Choose the RT the resident moved to."))
        else:
            cleaned["to_rt"] = None
        return cleaned
