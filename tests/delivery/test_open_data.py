"""Co-delivery's open data: the training outputs of the activities in or past delivery, and the
spending lines of the published activities, their free text with residents' names and numbers
blanked; never a receipt, who recorded a line, or an obstacle's note."""

import csv
import io
import json

import pytest
from django.urls import reverse

from delivery.models import Output
from rtkeren.models import ActivityStatus
from rtkeren.opendata import all_datasets
from tests import factories as core
from tests.delivery.factories import OutputFactory, SpendingFactory

pytestmark = pytest.mark.django_db

OUTPUT_COLUMNS = [
    "activity_id",
    "kelurahan_code",
    "kelurahan",
    "rw",
    "rt",
    "year",
    "activity",
    "product",
    "unit",
    "target_quantity",
    "finished_quantity",
    "status",
    "obstacle",
]
SPENDING_COLUMNS = [
    "activity_id",
    "kelurahan_code",
    "kelurahan",
    "rw",
    "rt",
    "year",
    "activity",
    "funding_source",
    "nature",
    "spent_on",
    "item",
    "amount",
]


def table(client, name, kelurahan=None):
    address = reverse("open-data-download", args=[name, "json"])
    if kelurahan is not None:
        address += f"?kelurahan={kelurahan.code}"
    response = client.get(address)
    assert response.status_code == 200
    return json.loads(response.content)


def activity(rt, status, title, **fields):
    return core.ActivityFactory(rt=rt, status=status, title=title, **fields)


def test_the_column_names_are_the_contract():
    columns = {dataset.name: list(dataset.columns) for dataset in all_datasets()}
    assert columns["outputs"] == OUTPUT_COLUMNS
    assert columns["spending"] == SPENDING_COLUMNS
    names = [dataset.name for dataset in all_datasets()]
    assert names.index("scorecards") < names.index("outputs") < names.index("spending")


def test_outputs_of_trainings_in_or_past_delivery(client, rt, period):
    training = activity(rt, ActivityStatus.IN_DELIVERY, "Pelatihan membatik", period=period)
    OutputFactory(
        activity=training,
        name="Kain batik tulis",
        unit="lembar",
        target_quantity=20,
        finished_quantity=8,
        status=Output.Status.IN_PROGRESS,
        obstacle=Output.Obstacle.MATERIALS,
        obstacle_note="Malam batik habis di toko Pak Darmo",
    )
    evaluated = activity(rt, ActivityStatus.EVALUATED, "Pelatihan menjahit", period=period)
    OutputFactory(activity=evaluated, name="Masker kain", status=Output.Status.NOT_STARTED)
    # Approved but not yet in delivery: its outputs are a plan, not a result.
    OutputFactory(activity=activity(rt, ActivityStatus.APPROVED, "Belum mulai"), name="Rencana")
    OutputFactory(activity=activity(rt, ActivityStatus.CANCELLED, "Batal"), name="Dibatalkan")

    document = table(client, "outputs")

    assert document["columns"] == OUTPUT_COLUMNS
    rows = {row["product"]: row for row in document["rows"]}
    assert set(rows) == {"Kain batik tulis", "Masker kain"}
    batik = rows["Kain batik tulis"]
    assert batik == {
        "activity_id": training.pk,
        "kelurahan_code": rt.rw.kelurahan.code,
        "kelurahan": rt.rw.kelurahan.name,
        "rw": rt.rw.number,
        "rt": rt.number,
        "year": period.year,
        "activity": "Pelatihan membatik",
        "product": "Kain batik tulis",
        "unit": "lembar",
        "target_quantity": 20,
        "finished_quantity": 8,
        "status": "in_progress",
        "obstacle": "materials",
    }
    assert rows["Masker kain"]["obstacle"] == ""
    assert "Darmo" not in json.dumps(document, ensure_ascii=False)


def test_spending_lines_of_published_activities_without_receipt_or_recorder(
    client, rt, period, officer
):
    officer.first_name = "Sulistyowati"
    officer.save()
    approved = activity(rt, ActivityStatus.APPROVED, "Perbaikan saluran", period=period)
    line = SpendingFactory(
        activity=approved,
        item="Semen 10 sak",
        amount=650_000,
        receipt="pelaksanaan/nota/2026/03/nota-semen.jpg",
        recorded_by=officer,
        over_budget_reason="Harga semen naik",
    )
    SpendingFactory(activity=activity(rt, ActivityStatus.DRAFT, "Draf"), item="Tidak terbit")
    SpendingFactory(activity=activity(rt, ActivityStatus.CANCELLED, "Batal"), item="Batal juga")

    document = table(client, "spending")

    assert document["columns"] == SPENDING_COLUMNS
    [row] = document["rows"]
    assert row == {
        "activity_id": approved.pk,
        "kelurahan_code": rt.rw.kelurahan.code,
        "kelurahan": rt.rw.kelurahan.name,
        "rw": rt.rw.number,
        "rt": rt.number,
        "year": period.year,
        "activity": "Perbaikan saluran",
        "funding_source": approved.funding_source,
        "nature": approved.nature,
        "spent_on": line.spent_on.isoformat(),
        "item": "Semen 10 sak",
        "amount": 650_000,
    }
    text = json.dumps(document, ensure_ascii=False)
    for hidden in ("nota-semen", "Sulistyowati", officer.username, "Harga semen naik"):
        assert hidden not in text


def test_the_spending_total_is_the_activities_realised_spending(client, rt):
    for title in ("Satu", "Dua"):
        published = activity(rt, ActivityStatus.IN_DELIVERY, title)
        SpendingFactory(activity=published, amount=120_000)
        SpendingFactory(activity=published, amount=30_500)

    spent = {}
    for row in table(client, "spending")["rows"]:
        spent[row["activity_id"]] = spent.get(row["activity_id"], 0) + row["amount"]
    realised = {
        row["activity_id"]: row["spending_realised"] for row in table(client, "activities")["rows"]
    }
    assert spent == realised
    assert list(realised.values()) == [150_500, 150_500]


def test_names_phone_numbers_and_niks_in_the_text_are_blanked(client, rt):
    core.ResidentFactory(rt=rt, name="Siti Aminah")
    published = activity(rt, ActivityStatus.IN_DELIVERY, "Pelatihan menjahit")
    SpendingFactory(activity=published, item="Kain dari Bu Siti Aminah, hubungi 0812 3456 7890")
    OutputFactory(activity=published, name="Taplak pesanan 3572024101800001")

    spending = table(client, "spending")["rows"][0]["item"]
    product = table(client, "outputs")["rows"][0]["product"]

    assert spending.startswith("Kain dari Bu [")
    assert "Siti Aminah" not in spending
    assert "0812" not in spending
    assert product.startswith("Taplak pesanan [")
    assert "3572024101800001" not in product


def test_one_kelurahan_and_a_stable_order(client, rt, other_rt, foreign_rt, period):
    lines = []
    for place, title in ((other_rt, "B"), (rt, "A"), (rt, "C"), (foreign_rt, "Lain")):
        published = activity(place, ActivityStatus.DELIVERED, title, period=period)
        lines.append(SpendingFactory(activity=published, item=f"Belanja {title}"))
        OutputFactory(activity=published, name=f"Produk {title}")
    here = rt.rw.kelurahan

    spending = table(client, "spending", here)["rows"]
    outputs = table(client, "outputs", here)["rows"]

    ordered = sorted(
        (line for line in lines if line.activity.kelurahan == here),
        key=lambda line: (line.activity.rt.rw.number, line.activity.rt.number, line.activity.pk),
    )
    assert [row["item"] for row in spending] == [line.item for line in ordered]
    assert [row["activity_id"] for row in outputs] == [line.activity_id for line in ordered]
    assert {row["kelurahan_code"] for row in spending + outputs} == {here.code}
    assert table(client, "spending")["rows"] == table(client, "spending")["rows"]


def test_csv_has_the_header_and_a_row_per_line(client, rt):
    SpendingFactory(activity=activity(rt, ActivityStatus.IN_DELIVERY, "Kerja bakti"))
    response = client.get(reverse("open-data-download", args=["spending", "csv"]))
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert header == SPENDING_COLUMNS
    assert [row[header.index("activity")] for row in rows] == ["Kerja bakti"]


@pytest.mark.parametrize("name", ["outputs", "spending"])
def test_queries_do_not_grow_with_rows(client, rt, django_assert_num_queries, name):
    """The table's rows, then the residents' names found in their text: two queries."""

    def add():
        published = activity(rt, ActivityStatus.IN_DELIVERY, "Pelatihan")
        SpendingFactory(activity=published, item="Kain mori dari Toko Sumber Rejeki")
        OutputFactory(activity=published, name="Kain Batik", unit="Lembar")

    address = reverse("open-data-download", args=[name, "json"])
    add()
    with django_assert_num_queries(2):
        assert len(json.loads(client.get(address).content)["rows"]) == 1
    for _ in range(15):
        add()
    with django_assert_num_queries(2):
        assert len(json.loads(client.get(address).content)["rows"]) == 16
