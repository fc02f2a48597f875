"""Audit pages: NIK reveals, exports, and the breach reach of one account."""

import re

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView

from rtkeren.forms.audit import BreachReachForm, ExportAuditFilterForm, NikRevealFilterForm
from rtkeren.models import User
from rtkeren.permissions import PermissionRequiredMixin, can
from rtkeren.selectors import audit as selectors

PAGE_SIZE = 25
# Four digits or more: a whole NIK, or the part of one that the birth date completes.
_DIGIT_RUN = re.compile(r"\d(?:[\s.-]?\d){3,}")


def _without_nik(text: str) -> str:
    """A reason typed by an officer may hold the very NIK it was about: not one of its digits
    is shown, since any of them helps rebuild it."""
    return _DIGIT_RUN.sub(str(_("[number hidden]")), text)


@method_decorator(never_cache, name="dispatch")
class AuditListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "rtkeren.view_audit"
    paginate_by = PAGE_SIZE
    form_class = None
    select = None

    def get_queryset(self):
        self.filter_form = self.form_class(
            self.request.GET or None,
            kelurahan=selectors.audit_kelurahan_for(self.request.user),
        )
        return self.select(user=self.request.user, **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, audit_page=self.audit_page, **kwargs
        )


class NikRevealAuditView(AuditListView):
    template_name = "rtkeren/audit_nik_reveals.html"
    context_object_name = "reveals"
    form_class = NikRevealFilterForm
    audit_page = "reveals"
    select = staticmethod(selectors.nik_reveal_list)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for reveal in context["reveals"]:
            reveal.reason_shown = _without_nik(reveal.reason)
        return context


class ExportAuditView(AuditListView):
    template_name = "rtkeren/audit_exports.html"
    context_object_name = "audits"
    form_class = ExportAuditFilterForm
    audit_page = "exports"
    select = staticmethod(selectors.export_audit_list)


@method_decorator(never_cache, name="dispatch")
class BreachReachView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """``?username=``: the residents that account could read. An account the user may not check
    gets the same answer as one that does not exist, so usernames cannot be probed."""

    permission_required = "rtkeren.view_breach_reach"
    template_name = "rtkeren/audit_breach_reach.html"

    def get_permission_object(self):
        return None

    def get_context_data(self, **kwargs):
        form = BreachReachForm(self.request.GET or None)
        account = None
        page_obj = None
        if form.is_valid():
            account = self._account(form.cleaned_data["username"])
            if account is None:
                form.add_error(
                    "username", _("There is no account with this username that you may check.")
                )
            else:
                page_obj = Paginator(selectors.breach_reach(account), PAGE_SIZE).get_page(
                    self.request.GET.get("page")
                )
        return super().get_context_data(
            form=form,
            audit_page="reach",
            account=account,
            page_obj=page_obj,
            residents=page_obj.object_list if page_obj else [],
            **kwargs,
        )

    def _account(self, username: str) -> User | None:
        account = User.objects.filter(username=username.strip()).first()
        if account is None or not can(self.request.user, "rtkeren.view_breach_reach", account):
            return None
        return account


urlpatterns = [
    path("nik/", NikRevealAuditView.as_view(), name="audit-nik-reveals"),
    path("ekspor/", ExportAuditView.as_view(), name="audit-exports"),
    path("jangkauan/", BreachReachView.as_view(), name="audit-breach-reach"),
]
