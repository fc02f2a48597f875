"""The upload form of the resident import: which kelurahan, which file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.services import imports as service


class ImportUploadForm(forms.Form):
    kelurahan = forms.ModelChoiceField(label=_("Kelurahan"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV, at most 5 MB and 20.000 residents."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, kelurahan_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = kelurahan_choices
        if len(kelurahan_choices) == 1:
            self.fields["kelurahan"].initial = kelurahan_choices[0]
            self.fields["kelurahan"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        service.import_format_of(upload.name)
        if upload.size > service.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files.")
                % {"size": service.MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


class ImportConfirmForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput(), max_length=64)
