"""Uploaded files (photos, receipts) are never served from a public folder: each is fetched
through a view of its app that first applies the rules of the page showing it, then answers
here. In development and tests the portal streams the file itself; in production it hands the
sending to the proxy with ``X-Accel-Redirect`` to an ``internal`` location
(``MEDIA_ACCEL_REDIRECT_PREFIX``), so no file is reachable without passing the view."""

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.generic import View

from rtkeren.views.mixins import ScopedObjectMixin

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
