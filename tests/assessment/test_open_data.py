"""Co-assessment's open data: every RT's scorecard of the current period, with the counts of
residents under five, and the rates they would give away, left empty; the follow-ups of the
published activities, their owner as a role and their text with names and numbers blanked."""

import json

import factory
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import scorecard
from assessment.models import FollowUp
from rtkeren.models import ActivityStatus, Stage
from rtkeren.opendata import all_datasets
from rtkeren.services.ledger import participation_record
from tests import factories as core
from tests.assessment.factories import FollowUpFactory

pytestmark = pytest.mark.django_db

KIND_IN = {
    Stage.COMMISSIONING: "forum_attended",
    Stage.DELIVERY: "attended",
}


def adults(rt, count):
    return [
        core.ResidentFactory(
            rt=rt, birth_date=factory.Faker("date_of_birth", minimum_age=20, maximum_age=80)
        )
        for _ in range(count)
    ]


def take_part(residents, stage, period):
    for resident in residents:
        subject = core.ActivityFactory(rt=resident.rt, period=period)
        if stage == Stage.DELIVERY:
            participation_record(
                resident=resident, kind=KIND_IN[stage], subject=subject, activity=subject
            )
        else:
            participation_record(
                resident=resident, kind=KIND_IN[stage], subject=subject, period=period
            )


def scorecards(client, kelurahan=None):
    address = reverse("open-data-download", args=["scorecards", "json"])
    if kelurahan is not None:
        address += f"?kelurahan={kelurahan.code}"
    response = client.get(address)
    assert response.status_code == 200
    return json.loads(response.content)


def test_each_rt_with_small_counts_left_empty(client, rt, other_rt, foreign_rt, period):
    home = adults(rt, 10)
    take_part(home[:6], Stage.COMMISSIONING, period)
    take_part(home[:3], Stage.DELIVERY, period)
    take_part(adults(other_rt, 4)[:2], Stage.COMMISSIONING, period)
    adults(foreign_rt, 7)

    document = scorecards(client, rt.rw.kelurahan)

    rows = {(row["rw"], row["rt"]): row for row in document["rows"]}
    assert set(rows) == {(rt.rw.number, rt.number), (other_rt.rw.number, other_rt.number)}
    home_row = rows[(rt.rw.number, rt.number)]
    card = next(
        card
        for card in scorecard.compare_all_rts(period=period, kelurahan=rt.rw.kelurahan)
        if card.key[1] == rt
    )
    # The same figures as the scorecard pages show, recomputed from the ledger.
    assert home_row["residents"] == card.base == 10
    assert home_row["commissioning_participants"] == 6
    assert home_row["commissioning_rate"] == card.result(Stage.COMMISSIONING).rate == 60.0
    assert home_row["commissioning_threshold"] == card.result(Stage.COMMISSIONING).threshold
    # Three took part in delivery: too few to publish, and so is their rate.
    assert (home_row["delivery_participants"], home_row["delivery_rate"]) == (None, None)
    assert (home_row["designing_participants"], home_row["designing_rate"]) == (0, 0.0)
    # Four residents in the other RT: neither the base nor any rate is published.
    other_row = rows[(other_rt.rw.number, other_rt.number)]
    assert other_row["residents"] is None
    assert other_row["commissioning_participants"] is None
    assert other_row["commissioning_rate"] is None
    assert other_row["kelurahan_code"] == rt.rw.kelurahan.code


def test_the_city_file_holds_every_rt_of_every_kelurahan(client, rt, foreign_rt, period):
    adults(rt, 5)
    adults(foreign_rt, 5)
    codes = {row["kelurahan_code"] for row in scorecards(client)["rows"]}
    assert codes == {rt.rw.kelurahan.code, foreign_rt.rw.kelurahan.code}


@pytest.mark.parametrize("one_kelurahan", [True, False])
def test_queries_do_not_grow_with_rts(client, kelurahan, period, one_kelurahan):
    """Counted with the scorecard's cache empty: a kelurahan's figures are read in one pass
    whatever its number of RTs (the city file reads each kelurahan's)."""

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            scorecards(client, kelurahan if one_kelurahan else None)
        return len(queries)

    first = core.RTFactory(rw__kelurahan=kelurahan)
    adults(first, 5)
    one = count()
    for _ in range(6):
        adults(core.RTFactory(rw__kelurahan=kelurahan), 5)
    assert count() == one


FOLLOW_UP_COLUMNS = [
    "follow_up_id",
    "activity_id",
    "kelurahan_code",
    "kelurahan",
    "rw",
    "rt",
    "year",
    "activity",
    "obstacle",
    "action",
    "owner_role",
    "due_on",
    "status",
    "resolution",
]


def follow_ups(client, kelurahan=None, file_format="json"):
    address = reverse("open-data-download", args=["follow_ups", file_format])
    if kelurahan is not None:
        address += f"?kelurahan={kelurahan.code}"
    response = client.get(address)
    assert response.status_code == 200
    return json.loads(response.content) if file_format == "json" else response.content.decode()


def test_the_follow_up_columns_are_the_contract():
    [dataset] = [dataset for dataset in all_datasets() if dataset.name == "follow_ups"]
    assert list(dataset.columns) == FOLLOW_UP_COLUMNS
    assert [dataset.name for dataset in all_datasets()][-1] == "follow_ups"


def test_follow_ups_of_published_activities_with_the_owner_as_a_role(client, rt, period, officer):
    officer.first_name, officer.last_name = "Sulistyowati", "Rahayuningsih"
    officer.save()
    evaluated = core.ActivityFactory(
        rt=rt, period=period, status=ActivityStatus.EVALUATED, title="Pelatihan membatik"
    )
    done = FollowUpFactory(
        activity=evaluated,
        owner=officer,
        obstacle="Pelatih sering terlambat.",
        action="Kontrak tertulis dengan pelatih.",
        status=FollowUp.Status.DONE,
        resolution="Kontrak ditandatangani.",
    )
    no_role = FollowUpFactory(activity=evaluated)
    FollowUpFactory(
        activity=core.ActivityFactory(rt=rt, status=ActivityStatus.CANCELLED), action="Batal"
    )

    document = follow_ups(client)

    rows = {row["follow_up_id"]: row for row in document["rows"]}
    assert set(rows) == {done.pk, no_role.pk}
    assert rows[done.pk] == {
        "follow_up_id": done.pk,
        "activity_id": evaluated.pk,
        "kelurahan_code": rt.rw.kelurahan.code,
        "kelurahan": rt.rw.kelurahan.name,
        "rw": rt.rw.number,
        "rt": rt.number,
        "year": period.year,
        "activity": "Pelatihan membatik",
        "obstacle": "Pelatih sering terlambat.",
        "action": "Kontrak tertulis dengan pelatih.",
        "owner_role": "officer",
        "due_on": done.due_on.isoformat(),
        "status": "done",
        "resolution": "Kontrak ditandatangani.",
    }
    assert rows[no_role.pk]["owner_role"] is None
    text = json.dumps(document, ensure_ascii=False)
    for hidden in ("Sulistyowati", "Rahayuningsih", officer.username):
        assert hidden not in text


def test_names_phone_numbers_and_niks_in_a_follow_up_are_blanked(client, rt):
    core.ResidentFactory(rt=rt, name="Bambang Wicaksono")
    FollowUpFactory(
        activity=core.ActivityFactory(rt=rt, status=ActivityStatus.DELIVERED),
        obstacle="Kain dari Pak Bambang Wicaksono terlambat",
        action="Hubungi 0812-3456-7890 lagi",
        status=FollowUp.Status.DONE,
        resolution="NIK 3572024101800001 dicatat",
    )

    [row] = follow_ups(client)["rows"]

    assert row["obstacle"].startswith("Kain dari Pak [")
    assert row["action"].startswith("Hubungi [")
    assert row["resolution"].startswith("NIK [")
    text = json.dumps(row, ensure_ascii=False)
    for hidden in ("Bambang", "Wicaksono", "0812", "3572024101800001"):
        assert hidden not in text


def test_one_kelurahans_follow_ups_in_a_stable_order(client, rt, other_rt, foreign_rt, period):
    made = []
    for place in (other_rt, rt, foreign_rt, rt):
        published = core.ActivityFactory(rt=place, period=period, status=ActivityStatus.DELIVERED)
        made.append(FollowUpFactory(activity=published))
    here = rt.rw.kelurahan

    rows = follow_ups(client, here)["rows"]

    expected = sorted(
        (follow_up for follow_up in made if follow_up.activity.kelurahan == here),
        key=lambda f: (f.activity.rt.rw.number, f.activity.rt.number, f.activity_id, f.pk),
    )
    assert [row["follow_up_id"] for row in rows] == [follow_up.pk for follow_up in expected]
    assert follow_ups(client, file_format="csv").splitlines()[0] == ",".join(FOLLOW_UP_COLUMNS)


def test_follow_up_queries_do_not_grow_with_rows(client, rt, officer, django_assert_num_queries):
    """The follow-ups with their owners' roles, then the residents' names in their text."""
    address = reverse("open-data-download", args=["follow_ups", "json"])

    def add():
        FollowUpFactory(
            activity=core.ActivityFactory(rt=rt, status=ActivityStatus.DELIVERED), owner=officer
        )

    add()
    with django_assert_num_queries(2):
        assert len(json.loads(client.get(address).content)["rows"]) == 1
    for _ in range(12):
        add()
    with django_assert_num_queries(2):
        assert len(json.loads(client.get(address).content)["rows"]) == 13
