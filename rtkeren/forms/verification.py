"""The RT chair's check of a registrant's KTP."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren import nik as nik_codec


class NikCheckForm(forms.Form):
    """The NIK as typed from the KTP. It is never put back into the page."""

    nik = forms.CharField(
        label=_("NIK on the KTP"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_(
            "Type the 16 digits from the registrant's KTP: you are told only whether they match."
        ),
    )

    def clean_nik(self):
        nik = nik_codec.normalize_nik(self.cleaned_data["nik"])
        nik_codec.parse_nik(nik)
        return nik
