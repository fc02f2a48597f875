"""Co-assessment's open data: every RT's scorecard of the current period, with the counts of
residents under five, and the rates they would give away, left empty."""

import json

import factory
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import scorecard
from rtkeren.models import Stage
from rtkeren.services.ledger import participation_record
from tests import factories as core

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
