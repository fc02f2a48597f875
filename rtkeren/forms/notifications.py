from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.models import PHONE_CHANNELS, Channel
from rtkeren.selectors.notifications import SWITCHABLE_KINDS
from rtkeren.services.preferences import STALE_FORM

#: "kind:channel", the value of each checkbox on the preferences page.
PAIR_CHOICES = [
    (f"{kind.value}:{channel.value}",) * 2 for kind in SWITCHABLE_KINDS for channel in Channel
]
PHONE_CHOICES = [(channel.value, channel.label) for channel in PHONE_CHANNELS]


class NotificationPreferencesForm(forms.Form):
    """The checkboxes of the preferences page; the page draws them itself (a group per kind)."""

    enabled = forms.MultipleChoiceField(
        choices=PAIR_CHOICES, required=False, error_messages={"invalid_choice": STALE_FORM}
    )
    consent_to = forms.MultipleChoiceField(
        choices=PHONE_CHOICES, required=False, error_messages={"invalid_choice": STALE_FORM}
    )
    digest = forms.BooleanField(label=_("Daily digest"), required=False)

    def pairs(self) -> set[tuple[str, str]]:
        return {tuple(value.split(":", 1)) for value in self.cleaned_data["enabled"]}


class ConsentWithdrawForm(forms.Form):
    withdraw = forms.ChoiceField(
        choices=PHONE_CHOICES, error_messages={"invalid_choice": STALE_FORM}
    )
