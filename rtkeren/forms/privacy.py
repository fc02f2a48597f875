from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.models import Consent
from rtkeren.services.privacy import CORRECTION_MAX_LENGTH


class ConsentForm(forms.Form):
    GIVE = "give"
    WITHDRAW = "withdraw"

    purpose = forms.ChoiceField(choices=Consent.Purpose.choices)
    action = forms.ChoiceField(choices=[(GIVE, _("Give")), (WITHDRAW, _("Withdraw"))])


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("What should be corrected?"),
        max_length=CORRECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your RT chair receives this and corrects the register."),
    )


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
