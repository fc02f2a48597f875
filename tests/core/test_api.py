"""The API, version 1: the open data tables paged for anyone, an OpenAPI description that
validates, rate limits, and the officers' exports of their own kelurahan only."""

import json

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from rtkeren.models import ActivityStatus, ExportAudit
from tests import factories
from tests.assessment.factories import FollowUpFactory
from tests.delivery.factories import OutputFactory, SpendingFactory

pytestmark = pytest.mark.django_db


def get_json(client, address, status=200):
    response = client.get(address)
    assert response.status_code == status, response.content[:300]
    return response, json.loads(response.content)


def test_the_openapi_description_validates_and_names_every_route(client):
    _response, description = get_json(client, "/api/v1/openapi.json")
    validate(description)
    assert description["info"]["version"] == "1"
    assert set(description["paths"]) == {
        "/api/v1/datasets",
        "/api/v1/datasets/{name}",
        "/api/v1/exports",
        "/api/v1/exports/{name}",
    }


def test_the_tables_are_listed_for_anyone(client):
    response, tables = get_json(client, "/api/v1/datasets")
    assert [table["name"] for table in tables] == [
        "activities",
        "votes",
        "scorecards",
        "budgets",
        "outputs",
        "spending",
        "follow_ups",
    ]
    assert {table["licence"] for table in tables} == {"CC BY 4.0"}
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_table_comes_in_pages(client, rt, foreign_rt):
    for number in range(5):
        factories.ActivityFactory(rt=rt, status=ActivityStatus.APPROVED, title=f"Kegiatan {number}")
    factories.ActivityFactory(rt=foreign_rt, status=ActivityStatus.APPROVED, title="Lain")
    factories.ActivityFactory(rt=rt, status=ActivityStatus.DRAFT, title="Draf")
    code = rt.rw.kelurahan.code

    _response, first = get_json(client, f"/api/v1/datasets/activities?kelurahan={code}&page_size=2")
    assert (first["count"], first["pages"], first["page"]) == (5, 3, 1)
    assert first["previous"] is None
    assert [row["title"] for row in first["rows"]] == ["Kegiatan 0", "Kegiatan 1"]
    _response, last = get_json(client, first["next"].replace("http://testserver", ""))
    _response, last = get_json(client, last["next"].replace("http://testserver", ""))
    assert [row["title"] for row in last["rows"]] == ["Kegiatan 4"]
    assert last["next"] is None
    _response, city = get_json(client, "/api/v1/datasets/activities")
    assert city["count"] == 6


@pytest.mark.parametrize("name", ["outputs", "spending", "follow_ups"])
def test_a_stage_apps_table_is_served_as_its_download_is(client, rt, name):
    """The tables the stage apps register come through the API with the same columns and rows
    as their JSON download."""
    for title in ("Pelatihan membatik", "Kerja bakti"):
        activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.DELIVERED, title=title)
        OutputFactory(activity=activity)
        SpendingFactory(activity=activity)
        FollowUpFactory(activity=activity)

    _response, page = get_json(client, f"/api/v1/datasets/{name}?page_size=1")
    download = json.loads(client.get(reverse("open-data-download", args=[name, "json"])).content)

    assert (page["dataset"], page["licence"], page["count"], page["pages"]) == (
        name,
        "CC BY 4.0",
        2,
        2,
    )
    assert page["columns"] == download["columns"]
    assert page["rows"] == download["rows"][:1]
    assert {row["activity"] for row in download["rows"]} == {"Pelatihan membatik", "Kerja bakti"}


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/api/v1/datasets/penduduk", 404),
        ("/api/v1/datasets/activities?kelurahan=99.99.99.9999", 404),
        ("/api/v1/datasets/activities?kelurahan=x", 404),
        ("/api/v1/datasets/activities?page=0", 400),
        ("/api/v1/datasets/activities?page_size=501", 400),
        ("/api/v1/datasets/activities?page=abc", 422),
    ],
)
def test_bad_requests_are_answered_not_500(client, address, status):
    assert client.get(address).status_code == status


def test_the_public_api_is_limited_per_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (None, "2/m")}
    answers = [client.get("/api/v1/datasets").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_an_officer_takes_an_export_of_their_own_kelurahan_audited(
    client, officer, kelurahan, rt, foreign_rt
):
    factories.ResidentFactory(rt=rt, name="Siti Aminah")
    factories.ResidentFactory(rt=foreign_rt, name="Dewi Lestari")
    client.force_login(officer)

    _response, offered = get_json(client, "/api/v1/exports")
    assert {entry["kelurahan"] for entry in offered} == {kelurahan.code}
    assert "warga" in {entry["name"] for entry in offered}
    response, export = get_json(client, f"/api/v1/exports/warga?kelurahan={kelurahan.pk}")
    assert response["Cache-Control"] == "private, no-store"
    names = {row[export["columns"].index("Nama")] for row in export["rows"]}
    assert "Siti Aminah" in names
    assert "Dewi Lestari" not in names
    audit = ExportAudit.objects.get()
    assert (audit.user, audit.export, audit.kelurahan, audit.row_count) == (
        officer,
        "warga",
        kelurahan,
        export["count"],
    )


def test_an_officer_cannot_take_another_kelurahans_export(client, officer, foreign_kelurahan):
    client.force_login(officer)
    assert client.get(f"/api/v1/exports/warga?kelurahan={foreign_kelurahan.pk}").status_code == 404
    assert not ExportAudit.objects.exists()


@pytest.mark.parametrize("persona", ["resident_user", "rt_chair"])
def test_residents_and_chairs_get_no_export(client, request, persona, kelurahan):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/api/v1/exports/warga?kelurahan={kelurahan.pk}").status_code in (
        403,
        404,
    )
    assert not ExportAudit.objects.exists()


def test_a_visitor_gets_no_export(client, kelurahan):
    assert client.get("/api/v1/exports").status_code == 401
    assert client.get(f"/api/v1/exports/warga?kelurahan={kelurahan.pk}").status_code == 401
    assert reverse("api-v1:dataset", args=["activities"]) == "/api/v1/datasets/activities"


@pytest.mark.parametrize("wanted", ["99999999999999999999", "0", "-1", "x"])
def test_an_impossible_kelurahan_id_is_404_not_an_error(client, admin_user, wanted):
    client.force_login(admin_user)
    assert client.get(f"/api/v1/exports/warga?kelurahan={wanted}").status_code in (404, 422)
    assert (
        client.get(f"{reverse('export-download', args=['warga'])}?kelurahan={wanted}").status_code
        == 404
    )
    assert not ExportAudit.objects.exists()
