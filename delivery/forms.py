"""Forms of co-delivery: input validation only; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommitteeNote, Implementer, Output


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends at"), required=False, widget=TimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    facilitator = forms.CharField(label=_("Facilitator or trainer"), max_length=150, required=False)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return cleaned


class ImplementerForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("Resident"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=Implementer.Role.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].error_messages["invalid_choice"] = _(
            "Choose an active resident of the activity's RT or kelurahan."
        )


class OutputForm(forms.Form):
    name = forms.CharField(label=_("Product"), max_length=150)
    target_quantity = forms.IntegerField(
        label=_("Target quantity"),
        min_value=1,
        error_messages={"min_value": _("The target must be at least 1.")},
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, help_text=_("e.g. lembar, buah, kg"))


class OutputProgressForm(forms.Form):
    finished_quantity = forms.IntegerField(label=_("Finished quantity"))
    status = forms.ChoiceField(label=_("Status"), choices=Output.Status.choices)
    obstacle = forms.ChoiceField(
        label=_("Obstacle, if the work stalls"),
        choices=[("", _("No obstacle")), *Output.Obstacle.choices],
        required=False,
    )
    obstacle_note = forms.CharField(
        label=_("About the obstacle"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, output: Output, **kwargs):
        super().__init__(*args, **kwargs)
        self.output = output

    def clean_finished_quantity(self):
        value = self.cleaned_data["finished_quantity"]
        if value < 0:
            raise forms.ValidationError(_("The finished quantity cannot be below zero."))
        if value > self.output.target_quantity:
            raise forms.ValidationError(
                _("The finished quantity cannot be more than the target (%(target)s).")
                % {"target": self.output.target_quantity}
            )
        return value


class CommitteeNoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitteeNote.Kind.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What"), max_length=200)
    assignee = forms.ModelChoiceField(label=_("Who"), queryset=None)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].error_messages["invalid_choice"] = _(
            "Choose someone who implements or manages this activity."
        )


class PhotoForm(forms.Form):
    # A plain file field: the photo module checks the content and says what is wrong.
    image = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption (optional)"), max_length=200, required=False)


class SpendingForm(forms.Form):
    spent_on = forms.DateField(label=_("Date"), widget=DateInput())
    item = forms.CharField(label=_("Item"), max_length=200)
    amount = forms.IntegerField(
        label=_("Amount (Rp)"),
        min_value=1,
        error_messages={"min_value": _("Enter an amount of at least Rp1.")},
    )
    receipt = forms.FileField(label=_("Receipt photo"))
    over_budget_reason = forms.CharField(
        label=_("Reason, if this goes over the budget"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
