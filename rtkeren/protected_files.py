"""Uploaded files (photos, receipts) are never served from a public folder: each is fetched
through a view of its app that first applies the rules of the page showing it, then answers
here. In development and tests the portal streams the file itself; in production it hands the
sending to the proxy with ``X-Accel-Redirect`` to an ``internal`` location
(``MEDIA_ACCEL_REDIRECT_PREFIX``), so no file is reachable without passing the view."""

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.generic import View

from rtkeren.mixins import ScopedObjectMixin

#: Shown in the page; any other type (or a picture type browsers may run scripts in, such as
#: SVG) is offered as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def protected_file_response(field_file: FieldFile | None) -> HttpResponse:
    """The answer for one stored file the caller has already allowed; 404 when the field is
    empty or the file is gone."""
    if not field_file:
        raise Http404
    name = field_file.name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.MEDIA_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        try:
            handle = field_file.storage.open(name, "rb")
        except OSError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=content_type not in INLINE_TYPES, filename=PurePosixPath(name).name
    )
    # A receipt or a resident's photo is the user's business: no shared cache keeps it.
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ProtectedFileView(ScopedObjectMixin, View):
    """The file in ``file_field`` of one object from ``get_queryset`` (the user's reach: 404
    outside it), once ``permission_required`` holds for that object (403 otherwise)."""

    file_field: str

    def get(self, request, *args, **kwargs):
        return protected_file_response(getattr(self.get_object(), self.file_field))


class _LinkedFile:
    """A stored file as the admin's file input shows it, with the address of its view."""

    def __init__(self, field_file: FieldFile, url: str):
        self.name, self.url = field_file.name, url

    def __str__(self):
        return self.name


class ProtectedFileAdminWidget(AdminFileWidget):
    """The admin's file input, linking the current file through its view: the storage's own
    address is served by nobody."""

    def __init__(self, *args, file_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.file_url = file_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _LinkedFile(value, self.file_url)
        return context


class ProtectedFilesAdminForm(forms.ModelForm):
    """An admin form whose file fields link to their views: ``protected_files`` maps a field
    to the URL name that serves it, taking the object's pk."""

    protected_files: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_name, url_name in self.protected_files.items():
            field = self.fields.get(field_name)
            if field is None:
                continue
            url = reverse(url_name, args=[self.instance.pk]) if self.instance.pk else ""
            field.widget = ProtectedFileAdminWidget(attrs=field.widget.attrs, file_url=url)
