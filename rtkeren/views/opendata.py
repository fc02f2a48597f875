"""Open data: the tables of ``rtkeren.opendata`` for anyone to download, per kelurahan or for
the whole city, as CSV or JSON (docs/open-data.md)."""

import csv

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from rtkeren.models import Kelurahan
from rtkeren.opendata import (
    LICENCE,
    LICENCE_URL,
    all_datasets,
    cell,
    dataset_named,
    kelurahan_for_code,
    published_language,
)

SOURCE = "Portal RT Keren, Kota Blitar"


@require_GET
def index(request):
    kelurahan_list = Kelurahan.objects.order_by("name").only("code", "name")
    return render(
        request,
        "rtkeren/open_data.html",
        {
            "datasets": all_datasets(),
            "kelurahan_list": kelurahan_list,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )


def _scope(request) -> Kelurahan | None:
    code = request.GET.get("kelurahan", "")
    if not code:
        return None
    kelurahan = kelurahan_for_code(code)
    if kelurahan is None:
        raise Http404
    return kelurahan


@require_GET
@cache_control(public=True, max_age=300)
def download(request, name: str, file_format: str):
    with published_language():
        return _download(request, name, file_format)


def _download(request, name: str, file_format: str):
    dataset = dataset_named(name)
    if dataset is None or file_format not in ("csv", "json"):
        raise Http404
    kelurahan = _scope(request)
    scope = kelurahan.code if kelurahan else "kota-blitar"
    rows = ([cell(value) for value in row] for row in dataset.rows(kelurahan))
    filename = f"rtkeren-{dataset.name}-{scope}.{file_format}"
    if file_format == "json":
        response = JsonResponse(
            {
                "dataset": dataset.name,
                "title": str(dataset.title),
                "source": SOURCE,
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
                "kelurahan": kelurahan.code if kelurahan else None,
                "generated_at": timezone.localtime().isoformat(timespec="seconds"),
                "columns": list(dataset.columns),
                "rows": [dict(zip(dataset.columns, row, strict=True)) for row in rows],
            },
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(dataset.columns)
        writer.writerows(rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Licence"] = LICENCE
    return response


urlpatterns = [
    path("", index, name="open-data"),
    path("<slug:name>.<str:file_format>", download, name="open-data-download"),
]
