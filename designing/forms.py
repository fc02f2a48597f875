"""Forms of co-designing: validation only; the services decide and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rtkeren.forms.fields import ModelMultipleChoiceField, PlaceChoiceField
from rtkeren.models import Activity, ActivityStatus, Community, Interest, Period

from .models import MAX_VOTES_PER_RESIDENT
from .origins import Origin
from .services import MAX_BUDGET_LINES, MAX_QUANTITY, MAX_UNIT_PRICE, BudgetLineData, ProposalData


class ProposalForm(forms.Form):
    """The content of a proposal. On creation it also asks where and for which period."""

    scope = PlaceChoiceField(label=_("For"))
    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.none())
    community = forms.ModelChoiceField(
        label=_("Community (optional)"), queryset=Community.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=Activity.Kind.choices)
    nature = forms.ChoiceField(label=_("Physical or not"), choices=Activity.Nature.choices)
    bidang = forms.ChoiceField(label=_("Field (bidang)"), choices=Activity.Bidang.choices)
    origins = forms.MultipleChoiceField(
        label=_("Comes from (potentials and forum priorities)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    interests = ModelMultipleChoiceField(
        label=_("Interests and talents it serves"),
        queryset=Interest.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    target_participants = forms.CharField(
        label=_("Target participants"),
        max_length=255,
        required=False,
        help_text=_("For example: 20 young people of the RT."),
    )
    expected_outputs = forms.CharField(
        label=_("Expected outputs"),
        max_length=255,
        required=False,
        help_text=_("For example: 20 sheets of batik."),
    )
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=Activity.Funding.choices)
    planned_start = forms.DateField(
        label=_("Planned start"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    planned_end = forms.DateField(
        label=_("Planned end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        places: list[tuple[str, str]] | None = None,
        communities=None,
        origins: list[Origin] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.origin_map = {origin.key: origin for origin in origins}
        self.fields["origins"].choices = [(o.key, o.label) for o in origins]
        if not origins:
            del self.fields["origins"]
        if places is None:
            # Editing: the place and period stay as they are.
            for name in ("scope", "period", "community"):
                del self.fields[name]
            return
        self.fields["scope"].choices = places
        if len(places) == 1:
            self.fields["scope"].initial = places[0][0]
        self.fields["period"].queryset = Period.objects.filter(is_open=True).order_by("-year")
        current = self.fields["period"].queryset.current()
        if current is not None:
            self.fields["period"].initial = current.pk
        if communities is not None and communities.exists():
            self.fields["community"].queryset = communities
        else:
            del self.fields["community"]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Please give the proposal a title."))
        return title

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The end cannot be before the start."))
        return data

    def proposal_data(self, budget_lines: list[BudgetLineData]) -> ProposalData:
        data = self.cleaned_data
        return ProposalData(
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            nature=data["nature"],
            bidang=data["bidang"],
            funding_source=data["funding_source"],
            target_participants=data["target_participants"],
            expected_outputs=data["expected_outputs"],
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
            interests=list(data["interests"]),
            origins=[self.origin_map[key] for key in data.get("origins", [])],
            budget_lines=budget_lines,
        )


class RupiahField(forms.IntegerField):
    """Whole rupiah, also when typed the Indonesian way: "Rp35.000" or "35.000"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("Rp").removeprefix("rp").replace(".", "")
            value = value.replace(" ", "")
        return super().to_python(value)


class BudgetLineForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=200, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        error_messages={"invalid": _("Enter the quantity as a whole number.")},
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=30,
        required=False,
        help_text=_("For example: lembar, orang, paket."),
    )
    unit_price = RupiahField(
        label=_("Unit price (Rp)"),
        required=False,
        error_messages={"invalid": _("Enter the price in whole rupiah, digits only (e.g. 35000).")},
    )

    def clean(self):
        data = super().clean()
        filled = [data.get(name) not in (None, "") for name in self.fields]
        if not any(filled):
            data["blank"] = True
            return data
        data["blank"] = False
        if not data.get("item"):
            self.add_error("item", _("Say what is bought or paid for."))
        if not data.get("unit"):
            self.add_error("unit", _("Give the unit, e.g. lembar or orang."))
        quantity = data.get("quantity")
        if quantity is None:
            if "quantity" not in self.errors:
                self.add_error("quantity", _("Give the quantity."))
        elif not 1 <= quantity <= MAX_QUANTITY:
            self.add_error(
                "quantity",
                _("The quantity must be a whole number from 1 to %(max)s.")
                % {"max": f"{MAX_QUANTITY:,}".replace(",", ".")},
            )
        price = data.get("unit_price")
        if price is None:
            if "unit_price" not in self.errors:
                self.add_error("unit_price", _("Give the unit price in rupiah."))
        elif price <= 0:
            self.add_error("unit_price", _("The unit price must be more than Rp0."))
        elif price > MAX_UNIT_PRICE:
            self.add_error(
                "unit_price",
                _("A unit price above Rp1.000.000.000 is surely a typing mistake."),
            )
        return data


class BaseBudgetLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[BudgetLineData]:
        return [
            BudgetLineData(
                item=form.cleaned_data["item"],
                quantity=form.cleaned_data["quantity"],
                unit=form.cleaned_data["unit"],
                unit_price=form.cleaned_data["unit_price"],
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("blank")
        ]

    def typed_rows(self) -> list[dict]:
        """Each row as it stands (as typed, right or wrong), to show the form again with a row
        more or less without checking it yet."""
        return [{name: form[name].value() for name in form.fields} for form in self.forms]

    def typed_total(self) -> int:
        """What the rows add up to so far: quantity times unit price of each row where both
        read as whole numbers above zero (the others are not finished yet)."""
        total = 0
        for form in self.forms:
            try:
                quantity = form.fields["quantity"].to_python(form["quantity"].value())
                price = form.fields["unit_price"].to_python(form["unit_price"].value())
            except ValidationError:
                continue
            if quantity and price and quantity > 0 and price > 0:
                total += quantity * price
        return total


#: Shown as given: one row per line (the view passes one empty row for a new proposal); rows
#: are added and removed with the form's buttons.
BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm,
    formset=BaseBudgetLineFormSet,
    extra=0,
    max_num=MAX_BUDGET_LINES,
    validate_max=True,
    absolute_max=MAX_BUDGET_LINES + 10,
)


class ProposalFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Drafts and submitted")),
            (ActivityStatus.DRAFT, ActivityStatus.DRAFT.label),
            (ActivityStatus.PROPOSED, ActivityStatus.PROPOSED.label),
            (ActivityStatus.APPROVED, ActivityStatus.APPROVED.label),
            (ActivityStatus.REJECTED, ActivityStatus.REJECTED.label),
        ],
    )
    period = forms.ModelChoiceField(
        label=_("Period"),
        queryset=Period.objects.all(),
        required=False,
        empty_label=_("All periods"),
    )
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("fit", _("Fit with residents' interests")),
            ("discussed", _("Most discussed")),
        ],
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please write something before sending.")},
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    page = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class HideCommentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        max_length=255,
        error_messages={"required": _("Please give a reason; it is shown in its place.")},
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Public reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for a rejection; shown to everyone with the proposal."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give a reason; it is shown publicly."))
        return data


class SharesForm(forms.Form):
    """How much each RT of the kelurahan pays of a kelurahan-wide proposal from its RT Keren
    allocation: one amount per RT (``rt-<id>``), empty or zero for none."""

    def __init__(self, *args, rts, **kwargs):
        super().__init__(*args, **kwargs)
        self.rts = list(rts)
        for rt in self.rts:
            self.fields[f"rt-{rt.pk}"] = forms.IntegerField(
                label=str(rt),
                min_value=0,
                max_value=MAX_UNIT_PRICE,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
            )

    def amounts(self) -> dict[int, int]:
        return {rt.pk: self.cleaned_data.get(f"rt-{rt.pk}") or 0 for rt in self.rts}

    def rows(self):
        """Each RT with its field, for the table."""
        return [(rt, self[f"rt-{rt.pk}"]) for rt in self.rts]


class BudgetPlanFilterForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Period"),
        queryset=Period.objects.order_by("-year"),
        required=False,
        empty_label=None,
    )


class RoundChangeForm(forms.Form):
    """What may change in a round before it opens."""

    title = forms.CharField(label=_("Title"), max_length=150)
    opens_at = forms.DateTimeField(
        label=_("Opens at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    votes_per_resident = forms.IntegerField(
        label=_("Votes per resident"), min_value=1, max_value=MAX_VOTES_PER_RESIDENT, initial=3
    )

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The round must close after it opens."))
        return data


class RoundCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the residents on the round's page and in their notification."),
    )


class RoundForm(RoundChangeForm):
    field_order = [
        "scope",
        "period",
        "title",
        "opens_at",
        "closes_at",
        "votes_per_resident",
        "proposals",
    ]
    scope = PlaceChoiceField(label=_("Who votes"))
    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.none())
    proposals = ModelMultipleChoiceField(
        label=_("Proposals in the round"),
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one proposal.")},
    )

    def __init__(self, *args, places, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = places
        self.fields["period"].queryset = Period.objects.filter(is_open=True).order_by("-year")
        current = self.fields["period"].queryset.current()
        if current is not None:
            self.fields["period"].initial = current.pk
        self.fields["proposals"].queryset = proposals
        self.fields["proposals"].label_from_instance = _proposal_label


def _proposal_label(activity: Activity) -> str:
    place = str(activity.rt) if activity.rt_id else _("whole kelurahan")
    return f"{activity.title} ({place})"
