"""The attendance list every stage ticks (forums, meetings, evaluation forums): a checkbox per
resident on the page, and the residents the page showed."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AttendanceForm(forms.Form):
    """A checkbox per resident on the page (ticked for those recorded as present), and, in a
    hidden field, the residents the page showed: a resident left unticked is taken off the list,
    and no one else, not even one the list would show on that page by the time it is saved.

    A stage adds fields to each row with ``row_fields`` (``rows`` holds, per resident, the
    resident, its checkbox and those fields) and says who was present with ``was_present``."""

    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.residents = list(residents)
        self.rows = []
        for resident in self.residents:
            name = f"present_{resident.pk}"
            self.fields[name] = forms.BooleanField(
                label=resident.name,
                required=False,
                initial=self.was_present(resident),
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.rows.append((resident, self[name], *self.row_fields(resident)))
        self.fields["shown"].initial = ",".join(str(resident.pk) for resident in self.residents)

    def was_present(self, resident) -> bool:
        return bool(getattr(resident, "present_here", False))

    def row_fields(self, resident) -> list:
        return []

    def clean_shown(self) -> set[int]:
        try:
            shown = {int(pk) for pk in self.cleaned_data["shown"].split(",") if pk}
        except ValueError as error:
            raise forms.ValidationError(_("The list of residents was damaged.")) from error
        # Only residents this page offered count; the service checks them again.
        return shown & {resident.pk for resident in self.residents}

    @property
    def ticked_count(self) -> int:
        """How many residents of the page are ticked as the page shows them."""
        return sum(1 for row in self.rows if row[1].value())

    def present(self):
        """The ids of the residents ticked."""
        return {r.pk for r in self.residents if self.cleaned_data.get(f"present_{r.pk}")}

    def absent(self) -> set[int]:
        """The ids of the residents the page showed and left unticked."""
        return self.cleaned_data["shown"] - set(self.present())


class NameFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
