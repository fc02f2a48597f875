"""Forms of co-commissioning: validation only; the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rtkeren.forms.attendance import AttendanceForm as BaseAttendanceForm
from rtkeren.forms.fields import ModelMultipleChoiceField, PlaceChoiceField, place_choice
from rtkeren.models import Interest
from rtkeren.photos import MAX_BYTES, photo_check

from .models import Category, Element, Forum, Potential


class PhotoInput(forms.ClearableFileInput):
    def __init__(self, attrs=None):
        super().__init__({"accept": "image/jpeg,image/png,image/webp", **(attrs or {})})


class PotentialForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=Potential._meta.get_field("title").max_length,
        help_text=_("In a few words, e.g. “Sanggar tari anak di RT 002”."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    place = PlaceChoiceField(label=_("Where"))
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is there, who is involved, and what could grow from it."),
    )
    interests = ModelMultipleChoiceField(
        label=_("Related interests"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=PhotoInput,
        help_text=_("JPEG, PNG or WebP, at most %(size)s MB.") % {"size": MAX_BYTES // 2**20},
    )

    def __init__(self, *args, kelurahan=(), rts=(), initial_rt=None, fixed_place=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_place is not None:
            # A recorded potential stays where it is: moving it would change whose it is.
            del self.fields["place"]
        else:
            self.fields["place"].choices = [place_choice(k) for k in kelurahan] + [
                place_choice(rt) for rt in rts
            ]
            if initial_rt and not self.is_bound:
                self.initial.setdefault("place", f"rt:{initial_rt}")

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            photo_check(photo)
        return photo


class PotentialUpdateForm(PotentialForm):
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, fixed_place=True, **kwargs)
        self.fields["photo"].widget = PhotoInput()
        self.fields["photo"].label = _("New photo (optional)")


class PotentialFilterForm(forms.Form):
    ORDER_CHOICES = [("newest", _("Newest first")), ("endorsed", _("Most endorsed first"))]
    ENDORSEMENT_CHOICES = [
        ("", _("Any number of endorsements")),
        ("1", _("At least 1 endorsement")),
        ("3", _("At least 3 endorsements")),
        ("5", _("At least 5 endorsements")),
        ("10", _("At least 10 endorsements")),
    ]

    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=None, required=False, empty_label=_("All kelurahan")
    )
    rt = forms.ModelChoiceField(
        label=_("RT"), queryset=None, required=False, empty_label=_("All RTs")
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories"))] + Category.choices
    )
    endorsements = forms.TypedChoiceField(
        label=_("Endorsements"),
        required=False,
        choices=ENDORSEMENT_CHOICES,
        coerce=int,
        empty_value=None,
    )
    order = forms.ChoiceField(label=_("Sort"), required=False, choices=ORDER_CHOICES)

    def __init__(self, *args, kelurahan, rts, **kwargs):
        """``kelurahan``: those the reader chooses among, None for one who reads one alone (the
        field is then left out)."""
        super().__init__(*args, **kwargs)
        if kelurahan is None:
            del self.fields["kelurahan"]
        else:
            self.fields["kelurahan"].queryset = kelurahan
        self.fields["rt"].queryset = rts
        self.fields["rt"].label_from_instance = lambda rt: rt.full_name


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Keep this potential"),
        queryset=None,
        help_text=_("Endorsements move to the potential kept; this one then points to it."),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets
        self.fields["into"].label_from_instance = lambda p: f"{p.title} ({p.place_name})"


class ForumForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=Forum._meta.get_field("title").max_length,
        help_text=_("E.g. “Musyawarah penggalian potensi RT 002”."),
    )
    scope = PlaceChoiceField(label=_("Forum of"))
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    starts_at = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Ends at (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=Forum._meta.get_field("place").max_length)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}))
    invited = forms.MultipleChoiceField(
        label=_("Elements of society invited"),
        choices=Element.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A forum that hears everyone invites every element of society."),
        error_messages={"required": _("Invite at least one element of society.")},
    )

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        if places is None:
            # A forum keeps its place; moving it would change whom it belongs to.
            del self.fields["scope"]
        else:
            self.fields["scope"].choices = places

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return date

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The forum must end after it starts."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=Forum._meta.get_field("cancel_reason").max_length,
        help_text=_("Residents receive it with the notice that the forum is cancelled."),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes (berita acara)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was discussed, in order, and who spoke for which element."),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One decision per line."),
    )


class AttendanceFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    rt = forms.ModelChoiceField(
        label=_("RT"), queryset=None, required=False, empty_label=_("All RTs")
    )
    attending = forms.BooleanField(label=_("Only those present"), required=False)

    def __init__(self, *args, rts, **kwargs):
        super().__init__(*args, **kwargs)
        if rts.exists():
            self.fields["rt"].queryset = rts
        else:
            del self.fields["rt"]


class AttendanceForm(BaseAttendanceForm):
    """The core's attendance list with, on each row, the element of society the resident
    represents."""

    def was_present(self, resident) -> bool:
        return resident.element_here is not None

    def row_fields(self, resident) -> list:
        name = f"element_{resident.pk}"
        self.fields[name] = forms.ChoiceField(
            label=_("Represents"),
            choices=Element.choices,
            required=False,
            initial=resident.element_here or resident.element_before or Element.GENERAL,
            widget=forms.Select(
                attrs={
                    "class": "form-select form-select-sm",
                    "aria-label": _("Element %(name)s represents") % {"name": resident.name},
                }
            ),
        )
        return [self[name]]

    def present(self) -> dict[int, str]:
        """The residents ticked, each with the element they represent."""
        return {
            resident.pk: self.cleaned_data[f"element_{resident.pk}"] or Element.GENERAL
            for resident in self.residents
            if self.cleaned_data.get(f"present_{resident.pk}")
        }


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Guest's name"), max_length=150, required=False)
    origin = forms.CharField(label=_("Institution or origin"), max_length=150, required=False)
    element = forms.ChoiceField(
        label=_("Represents"), choices=Element.choices, initial=Element.COMMUNITY_LEADERS
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("origin") and not cleaned.get("name"):
            self.add_error("name", _("Write the guest's name."))
        return cleaned


GuestFormSet = forms.formset_factory(GuestForm, extra=3, max_num=40, absolute_max=60)


class GuestRemoveForm(forms.Form):
    remove = forms.MultipleChoiceField(
        label=_("Take off the list"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, guests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [
            (str(guest.pk), f"{guest.guest_name} ({guest.get_element_display()})")
            for guest in guests
        ]


class PriorityForm(forms.Form):
    potential = forms.ModelChoiceField(
        label=_("Potential"),
        queryset=None,
        required=False,
        empty_label=_("(not from a potential)"),
    )
    title = forms.CharField(
        label=_("Priority"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to use the potential's title."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, potentials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["potential"].queryset = potentials
        self.fields["potential"].label_from_instance = lambda p: f"{p.title} ({p.place_name})"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("note") and not (cleaned.get("title") or cleaned.get("potential")):
            self.add_error("title", _("Give this priority a title or choose a potential."))
        return cleaned

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("potential") or data.get("title") or data.get("note"))


class BasePriorityFormSet(forms.BaseFormSet):
    """Rows in rank order: the first row is priority 1. Empty rows are left out."""

    def __init__(self, *args, potentials, **kwargs):
        self.potentials = potentials
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"potentials": self.potentials}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            potentials=self.potentials,
        )


PriorityFormSet = forms.formset_factory(
    PriorityForm,
    formset=BasePriorityFormSet,
    extra=3,
    max_num=30,
    absolute_max=40,
    can_order=True,
)
