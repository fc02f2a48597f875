"""Filters of the audit pages. They travel in the address (GET), so none of them holds a NIK."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.exports import all_exports


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=None, required=False, empty_label=_("All kelurahan")
    )

    def __init__(self, *args, kelurahan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = kelurahan

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters, even when another one is wrong (the form shows that one's error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class NikRevealFilterForm(AuditFilterForm):
    officer = forms.CharField(
        label=_("Officer"),
        required=False,
        max_length=150,
        help_text=_("Username, or part of the name."),
    )
    resident_name = forms.CharField(label=_("Resident's name"), required=False, max_length=150)
    field_order = ["since", "until", "officer", "resident_name", "kelurahan"]


class ExportAuditFilterForm(AuditFilterForm):
    account = forms.CharField(
        label=_("User"),
        required=False,
        max_length=150,
        help_text=_("Username, or part of the name."),
    )
    export = forms.ChoiceField(label=_("Export"), required=False)
    field_order = ["since", "until", "account", "export", "kelurahan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["export"].choices = [("", _("All exports"))] + [
            (export.name, export.title) for export in all_exports()
        ]


class BreachReachForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
