"""Resident import for officers: template download, upload and check, confirmation."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView

from rtkeren import scopes
from rtkeren.exports import XLSX_CONTENT_TYPE
from rtkeren.forms.imports import ImportConfirmForm, ImportUploadForm
from rtkeren.mixins import ScopedObjectMixin
from rtkeren.models import ImportJob, Kelurahan, Role
from rtkeren.permissions import PermissionRequiredMixin
from rtkeren.ratelimits import upload_rate_limited
from rtkeren.services import imports as service

PERMISSION = "rtkeren.import_residents"
#: While the worker checks or imports a file, its page reloads itself this often.
REFRESH_SECONDS = 3


class ImportPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = PERMISSION


@method_decorator(never_cache, name="dispatch")
@method_decorator(upload_rate_limited, name="post")
class ImportStartView(ImportPermissionMixin, FormView):
    template_name = "rtkeren/import_start.html"
    form_class = ImportUploadForm

    def get_form_kwargs(self):
        kelurahan_ids = scopes.kelurahan_ids(self.request.user, Role.OFFICER)
        return {
            **super().get_form_kwargs(),
            "kelurahan_choices": Kelurahan.objects.filter(pk__in=kelurahan_ids),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=service.COLUMNS, opensid_columns=service.OPENSID_COLUMN_LABELS, **kwargs
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            job = service.import_job_create(
                officer=self.request.user,
                kelurahan=form.cleaned_data["kelurahan"],
                file_name=upload.name,
                content=upload.read(),
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        return redirect("resident-import-detail", pk=job.pk)


class ImportTemplateView(ImportPermissionMixin, View):
    def get(self, request, file_format):
        if file_format not in ImportJob.Format.values:
            raise Http404
        content = service.import_template(file_format=file_format)
        content_type = {
            ImportJob.Format.XLSX: XLSX_CONTENT_TYPE,
            ImportJob.Format.CSV: "text/csv; charset=utf-8",
        }[file_format]
        response = HttpResponse(content, content_type=content_type)
        file_name = f"templat-impor-warga.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response


class ImportJobMixin(ImportPermissionMixin, ScopedObjectMixin):
    """A job of the user's own: another officer's job is a 404."""

    context_object_name = "job"

    def get_queryset(self):
        return ImportJob.objects.filter(officer=self.request.user).select_related("kelurahan")


@method_decorator(never_cache, name="dispatch")
class ImportJobDetailView(ImportJobMixin, DetailView):
    template_name = "rtkeren/import_detail.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        job = self.object
        shown = self.request.GET.get("tampil", "")
        rows = job.plan.get("rows", [])
        if shown in service.Action.ALL:
            rows = [row for row in rows if row["action"] == shown]
        else:
            shown = ""
        counts = job.plan.get("counts", {})
        accepted = sum(counts.get(action, 0) for action in service.Action.WRITES)
        page = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            counts=counts,
            accepted=accepted,
            from_opensid=job.plan.get("source") == service.Source.OPENSID,
            held_back=service.import_job_held_back(job),
            shown=shown,
            actions=service.Action.ALL,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            is_stale=service.import_job_is_stale(job),
            refresh_seconds=REFRESH_SECONDS,
            confirm_form=ImportConfirmForm(initial={"fingerprint": job.fingerprint}),
            **kwargs,
        )


class ImportJobRunView(ImportJobMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        job = self.get_object()
        form = ImportConfirmForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("The confirmation is incomplete. Confirm again."))
            service.import_job_confirm(
                officer=request.user, job=job, fingerprint=form.cleaned_data["fingerprint"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("resident-import-detail", pk=job.pk)


urlpatterns = [
    path("", ImportStartView.as_view(), name="resident-import"),
    path(
        "templat.<str:file_format>",
        ImportTemplateView.as_view(),
        name="resident-import-template",
    ),
    path("<int:pk>/", ImportJobDetailView.as_view(), name="resident-import-detail"),
    path("<int:pk>/impor/", ImportJobRunView.as_view(), name="resident-import-run"),
]
