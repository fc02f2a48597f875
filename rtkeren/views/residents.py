"""The resident register: list, detail (with the audited NIK reveal) and history."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView

from rtkeren import nik as nik_codec
from rtkeren.forms.residents import ResidentStatusChangeForm
from rtkeren.mixins import ScopedObjectMixin, ServiceFormMixin
from rtkeren.models import Resident, ResidentStatusChange
from rtkeren.permissions import PermissionRequiredMixin, can
from rtkeren.ratelimits import rate_limited
from rtkeren.selectors import residents as selectors
from rtkeren.services.residents import nik_reveal, resident_move, resident_record_death


class RtChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class ResidentFilterForm(forms.Form):
    """Filters travel in the address (GET), so they must never hold a NIK."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    rt = RtChoiceField(label=_("RT"), queryset=None, required=False, empty_label=_("All RTs"))
    verification = forms.ChoiceField(
        label=_("Verification"),
        required=False,
        choices=[("", _("All"))] + Resident.Verification.choices,
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Resident.Status.choices
    )

    def __init__(self, *args, rts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rt"].queryset = rts


class NikSearchForm(forms.Form):
    """Sent by POST: a NIK in the address would stay in browser history and server logs."""

    nik = forms.CharField(
        label=_("NIK"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("All 16 digits. Only an exact NIK is found."),
    )

    def clean_nik(self):
        nik = nik_codec.normalize_nik(self.cleaned_data["nik"])
        if not selectors.looks_like_nik(nik):
            raise forms.ValidationError(_("Type all 16 digits of the NIK."))
        return nik


class NikRevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=255)


@method_decorator(never_cache, name="dispatch")
@method_decorator(rate_limited("nik_search"), name="post")
class ResidentListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "rtkeren.list_residents"
    template_name = "rtkeren/resident_list.html"
    context_object_name = "residents"
    paginate_by = 25
    nik_form = None
    searched_nik = ""

    def get(self, request, *args, **kwargs):
        if selectors.looks_like_nik(request.GET.get("q", "")):
            messages.error(request, _("To search by NIK, use the NIK search field."))
            return redirect("resident-list")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not can(request.user, "rtkeren.search_nik"):
            raise PermissionDenied
        self.nik_form = NikSearchForm(request.POST)
        if self.nik_form.is_valid():
            self.searched_nik = self.nik_form.cleaned_data["nik"]
        # Not even a mistyped NIK goes back into the page.
        self.nik_form.data = {}
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        self.filter_form = ResidentFilterForm(
            self.request.GET or None, rts=selectors.resident_rts_for(user)
        )
        filters = {}
        if self.filter_form.is_bound:
            # Valid filters apply even when another one is wrong; the form shows that one's error.
            self.filter_form.is_valid()
            filters = self.filter_form.cleaned_data
        if self.searched_nik:
            return selectors.resident_list(user=user, nik=self.searched_nik)
        return selectors.resident_list(
            user=user,
            rt=filters.get("rt"),
            verification=filters.get("verification", ""),
            status=filters.get("status", ""),
            name=filters.get("q", ""),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            nik_form=(self.nik_form or NikSearchForm())
            if can(self.request.user, "rtkeren.search_nik")
            else None,
            searched_nik=bool(self.searched_nik),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class ResidentPageMixin(ScopedObjectMixin):
    """One resident from the user's reach: out of reach is a 404, in reach without the
    permission a 403. Personal data: never cached."""

    context_object_name = "resident"

    def get_queryset(self):
        return selectors.resident_detail_queryset(self.request.user)


class ResidentDetailView(ResidentPageMixin, DetailView):
    permission_required = "rtkeren.view_resident"
    template_name = "rtkeren/resident_detail.html"

    def get_context_data(self, **kwargs):
        resident = self.object
        user = self.request.user
        is_self = resident.user_id == user.pk
        return super().get_context_data(
            is_self=is_self,
            own_nik=resident.reveal_nik() if is_self else "",
            can_reveal=can(user, "rtkeren.reveal_nik", resident),
            can_see_birth_date=can(user, "rtkeren.view_birth_date", resident),
            can_view_history=can(user, "rtkeren.view_history", resident),
            can_record_status=resident.status == Resident.Status.ACTIVE
            and resident.is_verified
            and can(user, "rtkeren.record_resident_status", resident),
            reveal_form=NikRevealForm(),
            **kwargs,
        )


class ResidentNikRevealView(ResidentDetailView):
    """Shows the full NIK once, in the response to the POST; a reload shows it masked again."""

    http_method_names = ["post"]
    permission_required = "rtkeren.reveal_nik"

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = NikRevealForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        nik = nik_reveal(officer=request.user, resident=self.object, reason=reason)
        return self.render_to_response(self.get_context_data(revealed_nik=nik))


class ResidentHistoryView(ResidentPageMixin, DetailView):
    permission_required = "rtkeren.view_history"
    template_name = "rtkeren/resident_history.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        records = selectors.resident_history_records(self.object)
        page = Paginator(records, self.paginate_by).get_page(self.request.GET.get("page"))
        # One query for the page and the record just before it, which the oldest diff needs.
        start = max(page.start_index() - 1, 0)
        shown = page.end_index() - start
        rows = list(records[start : page.end_index() + 1])
        return super().get_context_data(
            page_obj=page,
            entries=selectors.resident_history(
                records=rows[:shown],
                base=rows[shown] if len(rows) > shown else None,
                show_birth_date=can(self.request.user, "rtkeren.view_birth_date", self.object),
            ),
            **kwargs,
        )


class ResidentStatusChangeView(ServiceFormMixin, ResidentPageMixin, FormView):
    """Record a move away, a move to another RT of the city, or a death."""

    template_name = "rtkeren/resident_status_change.html"
    form_class = ResidentStatusChangeForm
    permission_required = "rtkeren.record_resident_status"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "resident": self.get_object()}

    def perform(self, form):
        resident = self.get_object()
        data = form.cleaned_data
        if data["kind"] == ResidentStatusChange.Kind.DIED:
            resident = resident_record_death(
                by=self.request.user,
                resident=resident,
                happened_on=data["happened_on"],
                note=data["note"],
            )
        else:
            resident = resident_move(
                by=self.request.user,
                resident=resident,
                happened_on=data["happened_on"],
                note=data["note"],
                to_rt=data["to_rt"],
            )
        messages.success(
            self.request,
            _("Recorded for %(name)s: %(what)s.")
            % {
                "name": resident.name,
                "what": ResidentStatusChange.Kind(data["kind"]).label.lower(),
            },
        )
        # After a move out of the chair's RT the page may be out of their reach: the list is not.
        if can(self.request.user, "rtkeren.view_resident", resident):
            return redirect("resident-detail", resident.pk)
        return redirect("resident-list")


urlpatterns = [
    path("", ResidentListView.as_view(), name="resident-list"),
    path("<int:pk>/", ResidentDetailView.as_view(), name="resident-detail"),
    path("<int:pk>/riwayat/", ResidentHistoryView.as_view(), name="resident-history"),
    path("<int:pk>/nik/", ResidentNikRevealView.as_view(), name="resident-nik-reveal"),
    path(
        "<int:pk>/pindah-meninggal/",
        ResidentStatusChangeView.as_view(),
        name="resident-status-change",
    ),
]
