"""The RT chair's check of a registrant's KTP: the NIK typed from the card is compared with the
stored one, and the answer is only whether they match."""

from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from rtkeren.forms.verification import NikCheckForm
from rtkeren.mixins import ScopedObjectMixin
from rtkeren.ratelimits import rate_limited, subject_limit_exceeded, too_many_requests
from rtkeren.selectors import accounts as selectors
from rtkeren.services.residents import nik_check


def nik_check_field_id(resident) -> str:
    """Field ids of its own for each registration's form: the list shows many of them."""
    return f"id_%s_{resident.pk}"


def with_nik_check_forms(residents):
    """Give each registration on a page its own empty check form."""
    for resident in residents:
        resident.nik_check_form = NikCheckForm(auto_id=nik_check_field_id(resident))
    return residents


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("nik"), name="post")
@method_decorator(rate_limited("nik_check"), name="post")
class VerificationNikCheckView(ScopedObjectMixin, View):
    """GET: the form for one registration. POST: match or no match, recorded. An htmx request
    gets the form's fragment only; without JavaScript the whole page comes back."""

    permission_required = "rtkeren.verify_resident"
    context_object_name = "resident"
    page_template = "rtkeren/verification_nik_check.html"
    fragment_template = "rtkeren/includes/verification_nik_check.html"

    def get_queryset(self):
        return selectors.awaiting_verification(self.request.user)

    def new_form(self, data=None):
        return NikCheckForm(data, auto_id=nik_check_field_id(self.get_object()))

    def render_result(self, form, *, matched=None):
        template = (
            self.fragment_template
            if self.request.headers.get("HX-Request") == "true"
            else self.page_template
        )
        context = {"resident": self.get_object(), "nik_form": form, "matched": matched}
        return render(self.request, template, context)

    def get(self, request, *args, **kwargs):
        return self.render_result(self.new_form())

    def post(self, request, *args, **kwargs):
        resident = self.get_object()
        if subject_limit_exceeded(request, "nik_check_registrant", f"resident:{resident.pk}"):
            return too_many_requests(request)
        form = self.new_form(request.POST)
        if not form.is_valid():
            form.data = {}
            return self.render_result(form)
        matched = nik_check(checker=request.user, resident=resident, nik=form.cleaned_data["nik"])
        # Not even the typed NIK goes back into the page.
        return self.render_result(self.new_form(), matched=matched)
