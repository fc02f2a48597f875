"""Open data: the published activities as CSV and JSON, for the city or one kelurahan, under
CC BY 4.0, with stable column names and nothing about a resident."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import ActivityStatus
from rtkeren.opendata import SMALL_CELL, all_datasets, suppressed
from tests import factories
from tests.delivery.factories import SpendingFactory

pytestmark = pytest.mark.django_db

ACTIVITY_COLUMNS = [
    "activity_id",
    "kelurahan_code",
    "kelurahan",
    "rw",
    "rt",
    "year",
    "title",
    "kind",
    "nature",
    "funding_source",
    "status",
    "planned_start",
    "planned_end",
    "budget_approved",
    "spending_realised",
]


def url(name="activities", file_format="json", kelurahan=None):
    address = reverse("open-data-download", args=[name, file_format])
    return f"{address}?kelurahan={kelurahan.code}" if kelurahan else address


@pytest.fixture
def activities(rt, foreign_rt, resident):
    approved = factories.ActivityFactory(
        rt=rt,
        status=ActivityStatus.APPROVED,
        title="Pelatihan membatik",
        author=resident.user,
        proposed_as=resident,
    )
    factories.BudgetLineFactory(activity=approved, quantity=20, unit_price=35_000)
    return {
        "approved": approved,
        "draft": factories.ActivityFactory(rt=rt, status=ActivityStatus.DRAFT, title="Draf"),
        "proposed": factories.ActivityFactory(
            rt=rt, status=ActivityStatus.PROPOSED, title="Usulan"
        ),
        "foreign": factories.ActivityFactory(
            rt=foreign_rt, status=ActivityStatus.DELIVERED, title="Kegiatan Pakunden"
        ),
    }


def test_the_column_names_are_the_contract():
    [activities] = [d for d in all_datasets() if d.name == "activities"]
    assert list(activities.columns) == ACTIVITY_COLUMNS


def test_json_for_the_city_has_the_published_activities_and_the_licence(client, activities):
    response = client.get(url())
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="rtkeren-activities-kota-blitar.json"'
    )
    document = json.loads(response.content)
    assert (document["licence"], document["licence_url"]) == (
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )
    assert document["columns"] == ACTIVITY_COLUMNS
    titles = {row["title"] for row in document["rows"]}
    assert titles == {"Pelatihan membatik", "Kegiatan Pakunden"}
    batik = next(row for row in document["rows"] if row["title"] == "Pelatihan membatik")
    assert (batik["rt"], batik["rw"], batik["budget_approved"], batik["status"]) == (
        2,
        7,
        700_000,
        "approved",
    )
    assert batik["spending_realised"] == 0


def test_csv_for_one_kelurahan(client, activities, kelurahan):
    response = client.get(url(file_format="csv", kelurahan=kelurahan))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert header == ACTIVITY_COLUMNS
    assert [row[header.index("title")] for row in rows] == ["Pelatihan membatik"]
    assert rows[0][header.index("kelurahan_code")] == kelurahan.code


def test_nothing_about_a_resident(client, activities, resident):
    text = client.get(url()).content.decode("utf-8")
    assert resident.name not in text
    assert resident.reveal_nik() not in text
    assert str(resident.birth_date) not in text


@pytest.mark.parametrize(
    "address",
    [
        "/data-terbuka/penduduk.json",
        "/data-terbuka/activities.xml",
        "/data-terbuka/activities.json?kelurahan=99.99.99.9999",
        "/data-terbuka/activities.json?kelurahan=abc",
    ],
)
def test_unknown_tables_formats_and_places_are_404(client, address):
    assert client.get(address).status_code == 404


def test_the_index_offers_every_table_for_the_city_and_each_kelurahan(client, kelurahan):
    response = client.get(reverse("open-data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert url() in page
    assert url(file_format="csv") in page
    assert f"?kelurahan={kelurahan.code}" in page
    assert "CC BY 4.0" in page


def test_queries_do_not_grow_with_rows(client, rt):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url()).status_code == 200
        return len(queries)

    factories.ActivityFactory(rt=rt, status=ActivityStatus.APPROVED)
    one = count()
    for _ in range(20):
        factories.BudgetLineFactory(
            activity=factories.ActivityFactory(rt=rt, status=ActivityStatus.IN_DELIVERY)
        )
    assert count() == one


@pytest.mark.parametrize(
    ("count", "published"),
    [(None, None), (0, 0), (1, None), (SMALL_CELL - 1, None), (SMALL_CELL, SMALL_CELL), (40, 40)],
)
def test_small_counts_of_people_are_left_out(count, published):
    assert suppressed(count) == published


@pytest.mark.parametrize("api", [False, True])
def test_tables_are_written_in_indonesian_whatever_the_readers_language(client, rt, api):
    """The answers are cached publicly: a reader's English must not reach the next reader."""
    activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.IN_DELIVERY)
    seller = factories.ResidentFactory(rt=rt, name="Siti Aminah")
    SpendingFactory(activity=activity, item=f"Konsumsi dari {seller.name}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if api:
        document = client.get("/api/v1/datasets/spending").json()
        titles = {entry["name"]: entry["title"] for entry in client.get("/api/v1/datasets").json()}
        assert titles["spending"] == "Rincian realisasi belanja"
    else:
        document = json.loads(client.get(url("spending")).content)
        assert document["title"] == "Rincian realisasi belanja"
    assert [row["item"] for row in document["rows"]] == ["Konsumsi dari [nama warga]"]
