"""Forms of co-assessment: validation only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rtkeren.forms.fields import PlaceChoiceField, place_choice
from rtkeren.models import RT, Kelurahan, Period

from .models import Criterion, EvaluationRound, FollowUp

SCORE_LABELS = {
    1: _("1 – very poor"),
    2: _("2 – poor"),
    3: _("3 – fair"),
    4: _("4 – good"),
    5: _("5 – very good"),
}
SCORE_PREFIX = "score_"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EvaluationForm(forms.Form):
    """A score per criterion, obstacles and suggestions: the same form for both sides."""

    obstacles = forms.CharField(
        label=_("Obstacles (hambatan)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What got in the way? For example: materials ran out, the trainer was late."),
    )
    suggestions = forms.CharField(
        label=_("Suggestions (saran)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What should be done better next time?"),
    )

    def __init__(self, *args, criteria: list[Criterion], evaluation=None, **kwargs):
        if evaluation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "obstacles": evaluation.obstacles,
                    "suggestions": evaluation.suggestions,
                    **{
                        f"{SCORE_PREFIX}{score.criterion_id}": score.value
                        for score in evaluation.scores.all()
                    },
                },
            )
        super().__init__(*args, **kwargs)
        self.criteria = [criterion for criterion in criteria if criterion.is_active]
        score_fields = {
            f"{SCORE_PREFIX}{criterion.pk}": forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.question,
                choices=list(SCORE_LABELS.items()),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a score from 1 to 5."),
                    "invalid_choice": _("A score is a whole number from 1 to 5."),
                },
            )
            for criterion in self.criteria
        }
        self.fields = {**self.extra_fields(), **score_fields, **self.fields}

    def extra_fields(self) -> dict:
        return {}

    def scores(self) -> dict[int, int]:
        return {
            criterion.pk: self.cleaned_data[f"{SCORE_PREFIX}{criterion.pk}"]
            for criterion in self.criteria
        }


class OnBehalfForm(EvaluationForm):
    """The same form, with the participant whose evaluation it is."""

    def __init__(self, *args, residents, **kwargs):
        self.residents = residents
        super().__init__(*args, **kwargs)

    def extra_fields(self) -> dict:
        return {
            "resident": forms.ModelChoiceField(
                label=_("Resident"),
                queryset=self.residents,
                help_text=_("Residents who took part and have not evaluated yet."),
                error_messages={
                    "invalid_choice": _(
                        "Choose a resident who took part and has not evaluated yet."
                    )
                },
            )
        }


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["obstacle", "action", "owner", "due_on"]
        widgets = {
            "obstacle": forms.Textarea(attrs={"rows": 3}),
            "action": forms.Textarea(attrs={"rows": 3}),
            "due_on": DATE_INPUT,
        }

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class FollowUpUpdateForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["status", "resolution", "owner", "due_on"]
        widgets = {"resolution": forms.Textarea(attrs={"rows": 3}), "due_on": DATE_INPUT}
        help_texts = {"resolution": _("Needed to mark the follow-up done.")}

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


def place_name(place: Kelurahan | RT) -> str:
    if isinstance(place, Kelurahan):
        return _("Kelurahan %(name)s") % {"name": place}
    return place.full_name


class RoundForm(forms.ModelForm):
    place = PlaceChoiceField(label=_("For"))

    class Meta:
        model = EvaluationRound
        fields = ["title", "period", "covers_from", "covers_until", "forum_on", "forum_place"]
        widgets = {"covers_from": DATE_INPUT, "covers_until": DATE_INPUT, "forum_on": DATE_INPUT}
        help_texts = {
            "forum_on": _("Optional. Attendance at the evaluation forum counts as co-assessment.")
        }

    def __init__(self, *args, kelurahan, rts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [
            place_choice(place, place_name(place)) for place in [*kelurahan, *rts]
        ]
        self.fields["period"].queryset = Period.objects.order_by("-year")
        self.order_fields(["title", "place"])


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = [
            "threshold_commissioning",
            "threshold_designing",
            "threshold_delivery",
            "threshold_assessment",
        ]
