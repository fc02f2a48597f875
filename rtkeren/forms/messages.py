"""The filter of the outgoing messages page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.models import OutboundMessage


class OutboundMessageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *OutboundMessage.Status.choices],
    )

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
