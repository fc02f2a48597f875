"""Accounts: log in, register, the profile, one-time codes, and the RT chair's verification.

Mounted under /accounts/ before ``django.contrib.auth.urls``, whose views (logout, password
change and reset) keep their names and use the templates in templates/registration/; the
password reset request itself is replaced here, to hand the e-mail to the worker.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, LogoutView, PasswordResetView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, ListView

from rtkeren.forms.accounts import (
    LoginForm,
    PasswordCodeForm,
    PasswordCodePhoneForm,
    PasswordCodeSearchForm,
    ProfileForm,
    RegistrationForm,
    RejectionForm,
)
from rtkeren.mixins import ScopedObjectMixin, ServiceFormMixin, form_add_service_errors
from rtkeren.models import Resident, ResidentInterest
from rtkeren.paginate import CountedPageMixin
from rtkeren.permissions import PermissionRequiredMixin
from rtkeren.ratelimits import (
    client_ip,
    email_key,
    limit_exceeded,
    phone_key,
    rate_limited,
    too_many_requests,
)
from rtkeren.selectors import accounts as selectors
from rtkeren.services import accounts as services
from rtkeren.views.verification import VerificationNikCheckView, with_nik_check_forms

BACKEND = "rtkeren.auth_backends.UsernameOrPhoneBackend"


class AccountLogoutView(LogoutView):
    """Log out, and have the browser forget what it kept of this account: the pages the service
    worker kept for use offline, and its other storage (a shared or lent phone)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


@method_decorator(rate_limited("login"), name="post")
class AccountLoginView(LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def login_locked_out(request, original_response=None, credentials=None):
    """What django-axes answers while an account is locked after failed logins."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(
        request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


@method_decorator(sensitive_post_parameters("nik", "password", "password_confirm"), name="post")
@method_decorator(rate_limited("register"), name="post")
class RegistrationView(ServiceFormMixin, FormView):
    template_name = "rtkeren/account_register.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            messages.info(request, _("You already have an account."))
            return redirect("account-profile")
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        user = services.registration_submit(
            username=data["username"],
            name=data["name"],
            nik=data["nik"],
            birth_date=data["birth_date"],
            rt=data["rt"],
            phone=data["phone"],
            password=data["password"],
        )
        login(self.request, user, backend=BACKEND)
        messages.success(self.request, services.REGISTRATION_ACCEPTED)
        return redirect("account-profile")


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("current_password"), name="post")
class ProfileView(LoginRequiredMixin, FormView):
    """What a person keeps about themself. Until the RT chair confirms the account it shows
    nothing from the register: a claimed entry must look exactly like a new one."""

    template_name = "rtkeren/account_profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("account-profile")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        user = request.user
        self.resident = None
        self.confirmed = False
        if user.is_authenticated:
            self.resident = (
                Resident.objects.filter(user=user)
                .with_places()
                .prefetch_related("interest_links")
                .first()
            )
            self.confirmed = self.resident is not None and services.is_confirmed(
                user, self.resident
            )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "resident_fields": self.confirmed}

    def get_initial(self):
        user = self.request.user
        initial = {
            "email": user.email,
            "email_notifications": user.email_notifications,
            "language": user.language,
        }
        if self.confirmed:
            initial["phone"] = self.resident.phone
            links = self.resident.interest_links.all()
            kinds = {
                "interests": ResidentInterest.Kind.INTEREST,
                "talents": ResidentInterest.Kind.TALENT,
                "skills": ResidentInterest.Kind.SKILL,
            }
            for name, kind in kinds.items():
                initial[name] = [link.interest_id for link in links if link.kind == kind]
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            resident=self.resident,
            confirmed=self.confirmed,
            own_nik=self.resident.reveal_nik() if self.resident else "",
            calendar_feed_url=selectors.calendar_feed_url(self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.profile_update(
                user=self.request.user,
                email=data["email"],
                language=data["language"],
                email_notifications=data["email_notifications"],
                phone=data["phone"] if self.confirmed else None,
                interests=form.chosen_interests(),
                current_password=data["current_password"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your profile has been saved."))
        return super().form_valid(form)


class AccountPasswordResetView(PasswordResetView):
    """Django's password reset page, whose e-mail is looked up and sent by the worker."""

    def form_valid(self, form):
        # Counted only here: a form without a valid address sends nothing and costs nothing.
        if limit_exceeded(self.request, "password_reset", account_key=email_key):
            return too_many_requests(self.request)
        services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


#: The number a code was just asked for, so that the redeem form need not ask for it again.
CODE_PHONE_SESSION_KEY = "password_code_phone"
CODE_PHONE_TOO_MANY = gettext_lazy(
    "Too many codes were asked for this phone number or from this connection, so no code was "
    "sent. Wait an hour, then try again, or ask your RT chair for a code."
)


def code_on_its_way() -> str:
    """What anyone who asked for a code to a phone is told, known number or not."""
    return _(
        "If this number belongs to an account, a code is on its way to it. It is valid for "
        "%(minutes)d minutes: enter it below with a new password."
    ) % {"minutes": int(services.PASSWORD_CODE_PHONE_VALIDITY.total_seconds() // 60)}


@method_decorator(sensitive_post_parameters("code", "new_password", "new_password_confirm"), "post")
@method_decorator(rate_limited("password_code"), name="post")
class PasswordCodeRedeemView(ServiceFormMixin, FormView):
    template_name = "rtkeren/account_code_redeem.html"
    form_class = PasswordCodeForm

    def get_initial(self):
        return {"login": self.request.session.get(CODE_PHONE_SESSION_KEY, "")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            valid_hours=int(services.PASSWORD_CODE_VALIDITY.total_seconds() // 3600),
            phone_valid_minutes=int(services.PASSWORD_CODE_PHONE_VALIDITY.total_seconds() // 60),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        services.password_code_redeem(
            login=data["login"],
            code=data["code"],
            new_password=data["new_password"],
            source=client_ip(self.request),
        )
        self.request.session.pop(CODE_PHONE_SESSION_KEY, None)
        messages.success(self.request, _("Your new password is saved. Log in with it now."))
        return redirect("login")


@method_decorator(sensitive_post_parameters("phone"), name="post")
class PasswordCodePhoneView(FormView):
    """A code to the phone number an account's RT chair verified, by WhatsApp or SMS. The
    answer is the same whether the number is known or not; the worker looks it up."""

    template_name = "rtkeren/account_code_phone.html"
    form_class = PasswordCodePhoneForm

    def form_valid(self, form):
        # Counted only here: a form without a valid number sends nothing and costs nothing.
        if limit_exceeded(self.request, "password_code_phone", account_key=phone_key):
            return too_many_requests(
                self.request,
                message=str(CODE_PHONE_TOO_MANY),
                retry_after=3600,
            )
        phone = form.cleaned_data["phone"]
        services.password_code_phone_request(
            phone=phone, channel=form.cleaned_data["channel"], source=client_ip(self.request)
        )
        self.request.session[CODE_PHONE_SESSION_KEY] = phone
        messages.info(self.request, code_on_its_way())
        return redirect("account-code-redeem")


class PasswordCodeListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """Verified residents with an account, for the chair to give one a one-time code."""

    permission_required = "rtkeren.list_password_code_residents"
    template_name = "rtkeren/account_code_list.html"
    context_object_name = "residents"
    paginate_by = 25

    def get_queryset(self):
        self.search_form = PasswordCodeSearchForm(self.request.GET or None)
        query = self.search_form.cleaned_data["q"] if self.search_form.is_valid() else ""
        return selectors.password_code_candidates(self.request.user, query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(search_form=self.search_form, **kwargs)


@method_decorator(never_cache, name="dispatch")
class PasswordCodeIssueView(ScopedObjectMixin, View):
    """POST only. The answer shows the code once and is never cached; it is not stored in clear."""

    permission_required = "rtkeren.issue_password_code"
    http_method_names = ["post"]

    def get_queryset(self):
        # Every resident with an account in scope, so that one who may not get a code is told
        # why (by the service) rather than met with a bare "not found".
        return selectors.password_code_residents(self.request.user)

    def post(self, request, *args, **kwargs):
        resident = self.get_object()
        try:
            code = services.password_code_issue(resident=resident, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("account-code-list")
        return render(
            request,
            "rtkeren/account_code_issued.html",
            {
                "resident": resident,
                "code": services.format_code(code),
                "valid_hours": int(services.PASSWORD_CODE_VALIDITY.total_seconds() // 3600),
            },
        )


@method_decorator(never_cache, name="dispatch")
class VerificationListView(LoginRequiredMixin, PermissionRequiredMixin, CountedPageMixin, ListView):
    permission_required = "rtkeren.list_registrations"
    template_name = "rtkeren/verification_list.html"
    context_object_name = "residents"
    paginate_by = 25

    def get_queryset(self):
        return selectors.awaiting_verification_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_nik_check_forms(context["residents"])
        return context


class VerificationMixin(ScopedObjectMixin):
    """A registration the user decides: outside their RT or kelurahan it does not exist (404)."""

    permission_required = "rtkeren.verify_resident"
    context_object_name = "resident"

    def get_queryset(self):
        return selectors.awaiting_verification(self.request.user)


class VerificationVerifyView(VerificationMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        resident = self.get_object()
        try:
            services.resident_verify(resident=resident, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s has been verified.") % {"name": resident.name})
            if resident.phone_shared:
                messages.warning(
                    request,
                    _(
                        "The phone number given at registration was not copied to the register: "
                        "another account uses it."
                    ),
                )
        return HttpResponseRedirect(reverse("verification-list"))


class VerificationRejectView(ServiceFormMixin, VerificationMixin, FormView):
    template_name = "rtkeren/verification_reject.html"
    form_class = RejectionForm

    def perform(self, form):
        services.resident_reject(
            resident=self.object, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            self.request,
            _("The registration of %(name)s has been rejected.") % {"name": self.object.name},
        )
        return redirect("verification-list")


urlpatterns = [
    path("login/", AccountLoginView.as_view(), name="login"),
    path("logout/", AccountLogoutView.as_view(), name="logout"),
    path("daftar/", RegistrationView.as_view(), name="account-register"),
    # Same path and name as django.contrib.auth.urls, which is mounted after these.
    path("password_reset/", AccountPasswordResetView.as_view(), name="password_reset"),
    path("profil/", ProfileView.as_view(), name="account-profile"),
    path("kode/", PasswordCodeRedeemView.as_view(), name="account-code-redeem"),
    path("kode/hp/", PasswordCodePhoneView.as_view(), name="account-code-phone"),
    path("kode/warga/", PasswordCodeListView.as_view(), name="account-code-list"),
    path("kode/warga/<int:pk>/", PasswordCodeIssueView.as_view(), name="account-code-issue"),
    path("verifikasi/", VerificationListView.as_view(), name="verification-list"),
    path(
        "verifikasi/<int:pk>/setujui/",
        VerificationVerifyView.as_view(),
        name="verification-verify",
    ),
    path(
        "verifikasi/<int:pk>/tolak/", VerificationRejectView.as_view(), name="verification-reject"
    ),
    path(
        "verifikasi/<int:pk>/cek-nik/",
        VerificationNikCheckView.as_view(),
        name="verification-nik-check",
    ),
]
