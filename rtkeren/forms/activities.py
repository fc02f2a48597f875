"""Forms of the activity pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.models import ActivityStatus, Period


class ActivityFilterForm(forms.Form):
    """The list's filters, read from the query string; an unknown value just filters nothing."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *ActivityStatus.choices],
        required=False,
    )
    period = forms.ModelChoiceField(
        label=_("Period"),
        queryset=Period.objects.all(),
        required=False,
        empty_label=_("All periods"),
    )


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown publicly with the activity."),
    )
