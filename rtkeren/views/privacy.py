"""Data Saya (a resident's own data and rights), the privacy notice, and deletion requests."""

import datetime
import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView, View

from rtkeren.forms.privacy import ConsentForm, CorrectionForm, DeletionRequestForm
from rtkeren.mixins import ScopedObjectMixin
from rtkeren.models import PHONE_CHANNELS
from rtkeren.permissions import PermissionRequiredMixin
from rtkeren.selectors import privacy as selectors
from rtkeren.services import privacy as services


class PrivacyNoticeView(TemplateView):
    template_name = "rtkeren/privacy_notice.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Staff accounts without a register entry have no "Data Saya" to link to.
        has_own_data = user.is_authenticated and selectors.has_own_data(user)
        return super().get_context_data(has_own_data=has_own_data, **kwargs)


@method_decorator(never_cache, name="dispatch")
class OwnResidentMixin(LoginRequiredMixin):
    """Pages about the logged-in person's own register entry; without one there is nothing."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.resident = selectors.own_resident(request.user)
            if self.resident is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class DataSayaView(OwnResidentMixin, TemplateView):
    template_name = "rtkeren/data_saya.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        user = self.request.user
        resident = self.resident
        participations = Paginator(
            selectors.own_participations(resident), self.paginate_by
        ).get_page(self.request.GET.get("page"))
        participations.object_list = selectors.named_participations(participations.object_list)
        requests = list(resident.deletion_requests.all())
        return super().get_context_data(
            resident=resident,
            own_nik=resident.reveal_nik(),
            consents=selectors.consent_states(resident),
            consent_history=resident.consents.all(),
            page_obj=participations,
            notification_count=selectors.own_notification_count(user),
            assignments=selectors.own_role_assignments(user),
            deletion_requests=requests,
            deletion_open=any(r.status == r.Status.OPEN for r in requests),
            correction_form=CorrectionForm(),
            deletion_form=DeletionRequestForm(),
            **kwargs,
        )


def _local(value):
    """A datetime in the portal's time zone (Asia/Jakarta); any other value as it is."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _shown(value) -> str:
    """A value of one's own data as the printable page writes it."""
    value = _local(value)
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.datetime):
        return dateformat.format(value, "j F Y H:i")
    if isinstance(value, datetime.date):
        return dateformat.format(value, "j F Y")
    return str(value)


@method_decorator(never_cache, name="dispatch")
class OwnDataView(LoginRequiredMixin, View):
    """Unduh data saya: everything the portal holds about the logged-in person, as a page to
    print and as a JSON file. Always about ``request.user``, so there is no id to change; an
    account without a register entry gets its account data. Each download is audited."""

    http_method_names = ["get"]
    form = services.OWN_DATA_PAGE

    def get(self, request, *args, **kwargs):
        found = selectors.own_data(request.user)
        services.own_data_download_record(
            user=request.user, form=self.form, sections=found.sections, kelurahan=found.kelurahan
        )
        return self.respond(found.sections)

    def respond(self, sections):
        shown = [
            {
                "key": section.key,
                "title": section.title,
                "rows": [
                    [
                        (label, _shown(value), isinstance(value, selectors.OwnNik))
                        for label, value in row.items()
                    ]
                    for row in section.rows
                ],
            }
            for section in sections
        ]
        return render(
            self.request,
            "rtkeren/data_saya_download.html",
            {
                "sections": shown,
                "printed_on": timezone.localdate(),
                "back_url": reverse("data-saya")
                if selectors.has_own_data(self.request.user)
                else "",
                "back_label": _("Back to My data"),
            },
        )


class OwnDataFileView(OwnDataView):
    form = services.OWN_DATA_FILE

    def respond(self, sections):
        today = timezone.localdate()
        document = {
            "portal": "RT Keren",
            "generated_at": timezone.localtime(),
            "sections": {
                section.key: {
                    "title": section.title,
                    "rows": [
                        {label: _local(value) for label, value in row.items()}
                        for row in section.rows
                    ],
                }
                for section in sections
            },
        }
        response = HttpResponse(
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="data-saya-{today:%Y-%m-%d}.json"'
        return response


class OwnResidentPostView(OwnResidentMixin, View):
    """A POST from Data Saya: run the action, say how it went, go back to Data Saya."""

    http_method_names = ["post"]
    form_class = None

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("data-saya")
        try:
            messages.success(request, self.act(form.cleaned_data))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("data-saya")


class ConsentView(OwnResidentPostView):
    form_class = ConsentForm

    def act(self, data):
        arguments = {"resident": self.resident, "purpose": data["purpose"], "by": self.request.user}
        if data["action"] == ConsentForm.GIVE:
            services.consent_give(**arguments)
            return _("Your consent has been recorded.")
        services.consent_withdraw(**arguments)
        if data["purpose"] in PHONE_CHANNELS:
            return _(
                "Your consent has been withdrawn: messages not sent yet that way are cancelled."
            )
        return _("Your consent has been withdrawn and the data it covered removed.")


class CorrectionView(OwnResidentPostView):
    form_class = CorrectionForm

    def act(self, data):
        services.correction_request(resident=self.resident, text=data["text"], by=self.request.user)
        return _("Your request has been sent to your RT chair.")


class DeletionRequestCreateView(OwnResidentPostView):
    form_class = DeletionRequestForm

    def act(self, data):
        services.deletion_request_create(
            resident=self.resident, reason=data["reason"], by=self.request.user
        )
        return _("Your deletion request has been sent to the kelurahan.")


@method_decorator(never_cache, name="dispatch")
class DeletionRequestListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "rtkeren.list_deletion_requests"
    template_name = "rtkeren/deletionrequest_list.html"
    context_object_name = "deletion_requests"
    paginate_by = 25

    def get_queryset(self):
        return selectors.deletion_requests_for(self.request.user)


class DeletionRequestCompleteView(ScopedObjectMixin, View):
    permission_required = "rtkeren.complete_deletion_request"
    http_method_names = ["post"]

    def get_queryset(self):
        return selectors.deletion_requests_for(self.request.user)

    def get_permission_object(self):
        return self.get_object().resident

    def post(self, request, *args, **kwargs):
        try:
            services.deletion_request_complete(request=self.get_object(), by=request.user)
            messages.success(request, _("The resident's data has been anonymised."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("deletion-request-list")


urlpatterns = [
    path("", DataSayaView.as_view(), name="data-saya"),
    path("unduh/", OwnDataView.as_view(), name="own-data"),
    path("unduh/json/", OwnDataFileView.as_view(), name="own-data-file"),
    path("persetujuan/", ConsentView.as_view(), name="consent-change"),
    path("koreksi/", CorrectionView.as_view(), name="correction-request"),
    path("hapus/", DeletionRequestCreateView.as_view(), name="deletion-request-create"),
    path("permintaan-hapus/", DeletionRequestListView.as_view(), name="deletion-request-list"),
    path(
        "permintaan-hapus/<int:pk>/selesai/",
        DeletionRequestCompleteView.as_view(),
        name="deletion-request-complete",
    ),
]
