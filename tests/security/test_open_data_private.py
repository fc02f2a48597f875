"""Open data and the public API hold nothing about a person: every table, for the city and for
each kelurahan, as CSV, JSON and API pages, searched with the crawler's NIK detector and for
every resident's name, phone number and birth date (religion has no column: no table counts by
it), also when a committee typed them into a spending line,
a product or a follow-up; no column is about a person; and every count of people is either
empty or at least five."""

import json
import re

import pytest
from django.urls import reverse

from assessment.models import FollowUp
from rtkeren.models import ActivityStatus, Kelurahan, Period, Resident
from rtkeren.opendata import SMALL_CELL, all_datasets
from tests import factories
from tests.assessment.factories import FollowUpFactory
from tests.delivery.factories import OutputFactory, SpendingFactory
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

PERSONAL_COLUMN = re.compile(r"name$|^nama|nik|phone|birth|lahir|religion|agama|address|alamat")
# Columns that count people: under SMALL_CELL they must be empty (0 is no one to single out).
PEOPLE_COUNTS = re.compile(r"participants$|^residents$|^voters$|^votes$")


@pytest.fixture
def world(seeded):
    return build_world()


def addresses(datasets=None):
    scopes = [""] + [
        f"?kelurahan={code}" for code in Kelurahan.objects.values_list("code", flat=True)
    ]
    for dataset in datasets or all_datasets():
        for scope in scopes:
            for file_format in ("csv", "json"):
                yield reverse("open-data-download", args=[dataset.name, file_format]) + scope
            yield reverse("api-v1:dataset", args=[dataset.name]) + (
                scope + "&page_size=500" if scope else "?page_size=500"
            )


def test_no_column_is_about_a_person():
    for dataset in all_datasets():
        personal = [column for column in dataset.columns if PERSONAL_COLUMN.search(column)]
        assert personal == [], dataset.name


def test_no_table_shows_a_nik_a_name_a_phone_number_or_a_birth_date(client, world):
    residents = list(Resident.objects.values_list("name", "phone", "birth_date"))
    names = {name for name, _phone, _born in residents if name and len(name) > 5}
    phones = {phone for _name, phone, _born in residents if phone}
    phones |= {"0" + phone[3:] for phone in phones if phone.startswith("+62")}
    # Birth dates in the programme's years would match the activities' own dates.
    years = set(Period.objects.values_list("year", flat=True))
    births = {
        text
        for _name, _phone, born in residents
        if born and born.year not in years
        for text in (born.isoformat(), born.strftime("%d-%m-%Y"), born.strftime("%d/%m/%Y"))
    }
    assert births
    checked = 0
    for address in addresses():
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.content
        assert not world.full_niks_in(body), address
        text = body.decode("utf-8")
        assert not [name for name in names if name in text], address
        assert not [phone for phone in phones if phone in text], address
        assert not [born for born in births if born in text], address
        checked += 1
    assert checked == len(all_datasets()) * 3 * (1 + Kelurahan.objects.count())


def test_every_count_of_people_is_empty_or_at_least_five(client, world):
    counted = 0
    for dataset in all_datasets():
        document = json.loads(
            client.get(reverse("open-data-download", args=[dataset.name, "json"])).content
        )
        for row in document["rows"]:
            for column, value in row.items():
                if PEOPLE_COUNTS.search(column) and value is not None:
                    assert value == 0 or value >= SMALL_CELL, (dataset.name, column, row)
                    counted += 1
    # The demo has voting rounds and scorecards: the check saw counts.
    assert counted > 0


def test_a_name_a_phone_number_and_a_nik_typed_into_free_text_are_in_no_table(client, world):
    resident = (
        Resident.objects.filter(phone__startswith="+62", name__contains=" ").order_by("pk").first()
    )
    phone = "0" + resident.phone[3:]
    nik = resident.reveal_nik()
    typed = f"Penanda-uji dari {resident.name}, telp {phone}, NIK {nik}"
    activity = factories.ActivityFactory(rt=resident.rt, status=ActivityStatus.IN_DELIVERY)
    SpendingFactory(activity=activity, item=typed)
    OutputFactory(activity=activity, name=typed[:150], unit="lembar")
    FollowUpFactory(
        activity=activity,
        obstacle=typed,
        action=typed,
        status=FollowUp.Status.DONE,
        resolution=typed,
    )
    tables = [d for d in all_datasets() if d.name in ("outputs", "spending", "follow_ups")]
    assert len(tables) == 3

    checked = 0
    for address in addresses(tables):
        if "kelurahan=" in address and resident.rt.rw.kelurahan.code not in address:
            continue
        body = client.get(address).content
        text = body.decode("utf-8")
        # The line is published, its personal part blanked.
        assert "Penanda-uji dari [" in text, address
        assert resident.name not in text, address
        assert phone not in text, address
        assert resident.phone not in text, address
        assert nik not in text, address
        assert not world.full_niks_in(body), address
        checked += 1
    assert checked == 3 * 3 * 2
