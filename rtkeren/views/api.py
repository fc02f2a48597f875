"""The portal's API, version 1 (django-ninja; its OpenAPI description at /api/v1/openapi.json).

- Public and read-only: the open data tables (``rtkeren.opendata``), paged, for the city or one
  kelurahan, with no personal data. Limited per client address, cacheable for five minutes.
- For officers, logged in: the exports of their own kelurahan as JSON (the same rows as the
  spreadsheets, audited the same way).

See docs/api.md.
"""

import datetime
import math

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from rtkeren import exports as export_registry
from rtkeren.opendata import (
    LICENCE,
    LICENCE_URL,
    all_datasets,
    cell,
    dataset_named,
    kelurahan_for_code,
    published_language,
)
from rtkeren.ratelimits import limit_exceeded
from rtkeren.services.exports import export_rows_take

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 500
PUBLIC_CACHE = "public, max-age=300"

api = NinjaAPI(
    title="RT Keren API",
    version="1",
    description=(
        "Open data of the RT Keren programme of Kota Blitar (CC BY 4.0, no personal data), "
        "and the exports of their own kelurahan for officers."
    ),
    urls_namespace="api-v1",
    docs_url=None,  # the interactive page would load scripts from a CDN
)


class DatasetInfo(Schema):
    name: str
    title: str
    description: str
    columns: list[str]
    licence: str
    url: str


class DatasetPage(Schema):
    dataset: str
    licence: str
    licence_url: str
    kelurahan: str | None
    count: int
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None
    columns: list[str]
    rows: list[dict]


class PageFilter(Schema):
    kelurahan: str | None = None
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT


class ExportInfo(Schema):
    name: str
    title: str
    kelurahan: str | None
    url: str


class ExportRows(Schema):
    export: str
    title: str
    kelurahan: str | None
    count: int
    columns: list[str]
    rows: list[list]


def _limited(request: HttpRequest, group: str) -> None:
    if limit_exceeded(request, group):
        raise HttpError(429, _("Too many requests. Wait a moment and try again."))


def _json_cell(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


@api.get("/datasets", response=list[DatasetInfo], summary="The open data tables")
def datasets(request, response: HttpResponse):
    _limited(request, "api")
    response["Cache-Control"] = PUBLIC_CACHE
    with published_language():
        return _dataset_infos(request)


def _dataset_infos(request) -> list[DatasetInfo]:
    return [
        DatasetInfo(
            name=dataset.name,
            title=str(dataset.title),
            description=str(dataset.description),
            columns=list(dataset.columns),
            licence=LICENCE,
            url=request.build_absolute_uri(reverse("api-v1:dataset", args=[dataset.name])),
        )
        for dataset in all_datasets()
    ]


@api.get(
    "/datasets/{name}",
    response=DatasetPage,
    url_name="dataset",
    summary="A page of one open data table, for the city or one kelurahan",
)
def dataset(request, response: HttpResponse, name: str, filters: Query[PageFilter]):
    _limited(request, "api")
    with published_language():
        return _dataset_page(request, response, name, filters)


def _dataset_page(request, response: HttpResponse, name: str, filters: PageFilter):
    found = dataset_named(name)
    if found is None:
        raise Http404
    kelurahan = None
    if filters.kelurahan:
        kelurahan = kelurahan_for_code(filters.kelurahan)
        if kelurahan is None:
            raise Http404
    if filters.page < 1 or not 1 <= filters.page_size <= PAGE_SIZE_MAX:
        raise HttpError(
            400,
            _("The page starts at 1 and holds 1 to %(max)d rows.") % {"max": PAGE_SIZE_MAX},
        )
    rows = list(found.rows(kelurahan))
    pages = max(1, math.ceil(len(rows) / filters.page_size))
    start = (filters.page - 1) * filters.page_size
    shown = rows[start : start + filters.page_size]

    def page_url(number):
        if not 1 <= number <= pages:
            return None
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    response["Cache-Control"] = PUBLIC_CACHE
    return DatasetPage(
        dataset=found.name,
        licence=LICENCE,
        licence_url=LICENCE_URL,
        kelurahan=kelurahan.code if kelurahan else None,
        count=len(rows),
        page=filters.page,
        pages=pages,
        page_size=filters.page_size,
        next=page_url(filters.page + 1),
        previous=page_url(filters.page - 1),
        columns=list(found.columns),
        rows=[dict(zip(found.columns, map(cell, row), strict=True)) for row in shown],
    )


@api.get(
    "/exports",
    response=list[ExportInfo],
    auth=django_auth,
    summary="The exports the logged-in officer may take, per kelurahan",
)
def export_list(request, response: HttpResponse):
    response["Cache-Control"] = "private, no-store"
    user = request.user
    return [
        ExportInfo(
            name=export.name,
            title=str(export.title),
            kelurahan=scope.kelurahan.code if scope.kelurahan else None,
            url=request.build_absolute_uri(reverse("api-v1:export", args=[export.name]))
            + (f"?kelurahan={scope.kelurahan.pk}" if scope.kelurahan else ""),
        )
        for scope in export_registry.scopes_for(user)
        for export in export_registry.exports_for(user, scope)
    ]


@api.get(
    "/exports/{name}",
    response=ExportRows,
    auth=django_auth,
    url_name="export",
    summary="One export's rows as JSON, for a kelurahan the officer works for (audited)",
)
def export_rows(request, response: HttpResponse, name: str, kelurahan: int | None = None):
    _limited(request, "api_export")
    response["Cache-Control"] = "private, no-store"
    export = export_registry.export_named(name)
    if export is None:
        raise Http404
    scope = export_registry.scope_asked(request.user, kelurahan)
    if scope is None:
        raise Http404
    try:
        columns, rows = export_rows_take(user=request.user, export=export, scope=scope)
    except PermissionDenied as denied:
        raise HttpError(403, str(denied)) from denied
    return ExportRows(
        export=export.name,
        title=str(export.title),
        kelurahan=scope.kelurahan.code if scope.kelurahan else None,
        count=len(rows),
        columns=columns,
        rows=[[_json_cell(value) for value in row] for row in rows],
    )
