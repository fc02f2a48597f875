"""Forms for logging in, registering, one-time codes, verification and the profile."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from rtkeren.forms.fields import ModelMultipleChoiceField
from rtkeren.models import RT, Interest, Kelurahan, Resident, ResidentInterest
from rtkeren.phone import normalize_phone

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


def _passwords_match(form, first: str, second: str) -> None:
    if form.cleaned_data.get(first) != form.cleaned_data.get(second):
        form.add_error(second, _("The two passwords are not the same."))


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or phone number"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocapitalize": "none", "autocomplete": "username"}
        ),
    )
    error_messages = {
        "invalid_login": _(
            "The username or phone number and the password do not match. Check them and try again."
        ),
        "inactive": _("This account is switched off. Ask your RT chair or the kelurahan."),
    }


class KelurahanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(kelurahan)s (Kecamatan %(kecamatan)s)") % {
            "kelurahan": obj.name,
            "kecamatan": obj.kecamatan.name,
        }


class RegistrationForm(forms.Form):
    """Field checks only; what depends on the register is left to ``registration_submit``."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and . _ - only, e.g. siti.aminah. You log in with it."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "username"}),
    )
    name = forms.CharField(
        label=_("Full name as on your KTP"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("The 16 digits on your KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kelurahan = KelurahanChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.select_related("kecamatan").order_by("name", "code"),
        empty_label=_("Choose your kelurahan"),
    )
    rw_number = forms.IntegerField(
        label=_("RW number"), min_value=1, max_value=999, widget=forms.NumberInput
    )
    rt_number = forms.IntegerField(
        label=_("RT number"), min_value=1, max_value=999, widget=forms.NumberInput
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=24,
        required=False,
        help_text=_("You can also log in with it, e.g. 0812-3456-7890."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits, not easy to guess."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        _passwords_match(self, "password", "password_confirm")
        kelurahan = cleaned.get("kelurahan")
        rw_number, rt_number = cleaned.get("rw_number"), cleaned.get("rt_number")
        if kelurahan and rw_number and rt_number:
            rt = (
                RT.objects.with_places()
                .filter(rw__kelurahan=kelurahan, rw__number=rw_number, number=rt_number)
                .first()
            )
            if rt is None:
                self.add_error(
                    "rt_number",
                    _(
                        "RT %(rt)03d / RW %(rw)03d is not in Kelurahan %(kelurahan)s. Check the "
                        "numbers with your RT chair."
                    )
                    % {"rt": rt_number, "rw": rw_number, "kelurahan": kelurahan.name},
                )
            cleaned["rt"] = rt
        return cleaned


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=Resident._meta.get_field("rejection_reason").max_length,
        help_text=_("The person is told this reason. Say what they can fix."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PasswordCodeForm(forms.Form):
    login = forms.CharField(
        label=_("Username or phone number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Code from your RT chair or your phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "one-time-code"}
        ),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_confirm = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        _passwords_match(self, "new_password", "new_password_confirm")
        return cleaned


class PasswordCodePhoneForm(forms.Form):
    """The verified phone number of an account and the way a code should reach it."""

    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=30,
        help_text=_("The number your RT chair recorded, e.g. 0812-3456-7890."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    channel = forms.ChoiceField(
        label=_("Send the code by"),
        choices=[("whatsapp", "WhatsApp"), ("sms", "SMS")],
        initial="whatsapp",
        widget=forms.RadioSelect,
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class PasswordCodeSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or username"), max_length=100, required=False)


INTEREST_FIELDS = {
    "interests": ResidentInterest.Kind.INTEREST,
    "talents": ResidentInterest.Kind.TALENT,
    "skills": ResidentInterest.Kind.SKILL,
}


class ProfileForm(forms.Form):
    """The account's e-mail and language; the phone and interests too once it is verified."""

    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("For resetting your password, and for your notifications if you wish."),
    )
    email_notifications = forms.BooleanField(
        label=_("Notifications by e-mail"),
        required=False,
        help_text=_("Also send my portal notifications to my e-mail address."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    interests = ModelMultipleChoiceField(
        label=_("Interests (minat)"),
        queryset=Interest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    talents = ModelMultipleChoiceField(
        label=_("Talents (bakat)"),
        queryset=Interest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = ModelMultipleChoiceField(
        label=_("Skills (keterampilan)"),
        queryset=Interest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Needed only to change your e-mail address or phone number."),
    )

    def __init__(self, *args, resident_fields: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not resident_fields:
            for name in ("phone", *INTEREST_FIELDS):
                del self.fields[name]
            return
        # One list of interests for the three fields: one query, not three.
        interests = list(Interest.objects.order_by("name"))
        for name in INTEREST_FIELDS:
            field = self.fields[name]
            field.queryset = Interest.objects.order_by("name")
            field.choices = [(interest.pk, interest.name) for interest in interests]

    def chosen_interests(self) -> dict[str, list[Interest]] | None:
        if "interests" not in self.fields:
            return None
        return {kind: list(self.cleaned_data[name]) for name, kind in INTEREST_FIELDS.items()}
