"""The exports page and the download of one export for one scope (audited)."""

import tempfile

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from rtkeren import exports
from rtkeren.permissions import PermissionRequiredMixin
from rtkeren.services.exports import export_write


class ExportListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "rtkeren.list_exports"
    template_name = "rtkeren/export_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sections = [(scope, exports.exports_for(user, scope)) for scope in exports.scopes_for(user)]
        return super().get_context_data(
            sections=[(scope, found) for scope, found in sections if found], **kwargs
        )


@method_decorator(never_cache, name="dispatch")
class ExportDownloadView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """``?kelurahan=<id>`` picks one kelurahan within the user's reach (404 outside it); without
    it, the first scope the exports page offers: the whole city for those who see it, else the
    officer's (first) kelurahan."""

    def get_export(self) -> exports.Export:
        if not hasattr(self, "export"):
            self.export = exports.export_named(self.kwargs["name"])
            if self.export is None:
                raise Http404
        return self.export

    def get_scope(self) -> exports.ExportScope:
        if not hasattr(self, "scope"):
            self.scope = self._scope_from_request()
        return self.scope

    def _scope_from_request(self) -> exports.ExportScope:
        scope = exports.scope_asked(self.request.user, self.request.GET.get("kelurahan"))
        if scope is None:
            raise Http404
        return scope

    def get_permission_required(self):
        return (self.get_export().permission,)

    def get_permission_object(self):
        return self.get_scope().kelurahan

    def get(self, request, *args, **kwargs):
        export, scope = self.get_export(), self.get_scope()
        # A file on disk, not memory: a city-wide workbook may run to many megabytes. No
        # context manager: FileResponse closes (and so deletes) it once the last byte is sent.
        file = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            export_write(user=request.user, export=export, scope=scope, file=file)
        except BaseException:
            file.close()
            raise
        file.seek(0)
        place = f"-{scope.kelurahan.code}" if scope.kelurahan else ""
        filename = f"{export.name}{place}-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(
            file, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE
        )


urlpatterns = [
    path("", ExportListView.as_view(), name="export-list"),
    path("<slug:name>/", ExportDownloadView.as_view(), name="export-download"),
]
