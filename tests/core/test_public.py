"""The public page of a kelurahan: open to anyone, never showing personal data, with a number
of queries that does not grow with the rows on it."""

import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from designing.models import VotingRound
from rtkeren.models import ActivityStatus, Period, Resident, User
from tests import factories
from tests.assessment.factories import FollowUpFactory
from tests.delivery.factories import OutputFactory
from tests.designing.factories import VoteFactory, VotingRoundFactory, closed

BLITAR, PAKUNDEN = factories.BLITAR, factories.PAKUNDEN
MASKED_NIK = re.compile(r"\*{6,}\d{2,4}")


def page_of(client, code, **params):
    return client.get(reverse("public-kelurahan", args=[code]), params)


@pytest.mark.django_db
def test_list_shows_the_21_kelurahan_by_kecamatan(client):
    response = client.get(reverse("public-kelurahan-list"))
    assert response.status_code == 200
    links = re.findall(r'href="/publik/(\d{2}\.\d{2}\.\d{2}\.\d{4})/"', response.content.decode())
    assert len(set(links)) == 21
    assert {BLITAR, PAKUNDEN} <= set(links)
    assert "Kecamatan Sananwetan" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_sees_the_page_and_logged_in_people_too(client, kelurahan, period, resident_user):
    assert page_of(client, BLITAR).status_code == 200
    client.force_login(resident_user)
    assert page_of(client, BLITAR).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["35.72.02.9999", "nonsense", "35.72.02"])
def test_unknown_code_is_404(client, period, code):
    assert page_of(client, code).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["1999", "abc", "²", "99999999999999999999"])
def test_unknown_year_is_404(client, kelurahan, period, year):
    assert page_of(client, BLITAR, tahun=year).status_code == 404


@pytest.mark.django_db
def test_no_period_at_all_is_404(client, kelurahan):
    assert page_of(client, BLITAR).status_code == 404


@pytest.mark.django_db
def test_published_activities_of_the_chosen_year_only(client, rt, period):
    last_year = factories.PeriodFactory(year=period.year - 1, is_open=False)
    shown = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.IN_DELIVERY)
    factories.BudgetLineFactory(activity=shown, quantity=2, unit_price=1_500_000)
    draft = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DRAFT)
    proposed = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.PROPOSED)
    old = factories.ActivityFactory(rt=rt, period=last_year, status=ActivityStatus.EVALUATED)
    other = factories.ActivityFactory(
        rt=factories.RTFactory(rw=factories.RWFactory(kelurahan=factories.kelurahan(PAKUNDEN))),
        period=period,
        status=ActivityStatus.APPROVED,
    )

    text = page_of(client, BLITAR).content.decode()
    assert shown.title in text
    assert "Rp3.000.000" in text
    for hidden in (draft, proposed, old, other):
        assert hidden.title not in text

    text = page_of(client, BLITAR, tahun=last_year.year).content.decode()
    assert old.title in text
    assert shown.title not in text


@pytest.mark.django_db
def test_public_link_in_footer_and_on_anonymous_home(client):
    text = client.get(reverse("home")).content.decode()
    assert text.count(f'href="{reverse("public-kelurahan-list")}"') == 2


def _fill(rt, period, how_many, voter_rt):
    """``how_many`` of each thing the page shows, in a closed round, with votes."""
    voting_round = VotingRoundFactory(rt=rt, period=period)
    for _ in range(how_many):
        activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.APPROVED)
        factories.BudgetLineFactory(activity=activity)
        voting_round.proposals.add(activity)
        VoteFactory(round=voting_round, activity=activity, resident__rt=voter_rt)
        delivered = factories.ActivityFactory(
            rt=rt, period=period, status=ActivityStatus.IN_DELIVERY
        )
        OutputFactory(activity=delivered, finished_quantity=5, status="in_progress")
        OutputFactory(activity=delivered)
        FollowUpFactory(activity=delivered)
    closed(voting_round)


def _queries(client):
    # The page rendered with its scorecard computed, not read from the scorecard's cache.
    cache.clear()
    with CaptureQueriesContext(transaction.get_connection()) as captured:
        assert page_of(client, BLITAR).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(client, rt, period):
    _fill(rt, period, 1, rt)
    few = _queries(client)
    _fill(rt, period, 6, rt)
    assert _queries(client) == few


@pytest.mark.django_db
def test_sections_are_never_older_than_the_data(client, rt, period):
    _fill(rt, period, 1, rt)
    before = page_of(client, BLITAR).content.decode()
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.IN_DELIVERY)
    OutputFactory(activity=activity, name="Tas anyaman pandan")
    after = page_of(client, BLITAR).content.decode()

    assert "Tas anyaman pandan" not in before
    assert "Tas anyaman pandan" in after


# The full demo data, loaded once for the module.


@pytest.fixture(scope="module")
def demo_pages(seeded, django_db_blocker):
    """The text of both demo kelurahan's pages, every year, and the personal data to look for."""
    client = Client()
    with django_db_blocker.unblock():
        pages = {
            (code, year): page_of(client, code, tahun=year)
            for code in (BLITAR, PAKUNDEN)
            for year in Period.objects.values_list("year", flat=True)
        }
        # The kelurahan's money, with the activities' spending lines and photos.
        pages |= {
            ("spending", code, year): client.get(
                reverse("public-spending", args=[code]), {"tahun": year}
            )
            for code in (BLITAR, PAKUNDEN)
            for year in Period.objects.values_list("year", flat=True)
        }
        residents = list(Resident.objects.all())
        people = {
            "niks": {resident.reveal_nik() for resident in residents},
            "names": {r.name for r in residents if len(r.name) >= 8},
            "minors": {r.name for r in residents if not r.is_adult() and len(r.name) >= 5},
            "users": {
                name for user in User.objects.all() if len(name := user.get_full_name()) >= 8
            },
        }
    return {key: (page.status_code, page.content.decode()) for key, page in pages.items()}, people


@pytest.mark.django_db
def test_demo_pages_show_no_personal_data(demo_pages):
    pages, people = demo_pages
    assert people["niks"]
    assert people["names"]
    for key, (status, text) in pages.items():
        assert status == 200, key
        assert not MASKED_NIK.search(text), key
        leaked = [nik for nik in people["niks"] if nik in text]
        leaked += [name for name in people["names"] | people["minors"] if name in text]
        leaked += [name for name in people["users"] if name in text]
        assert leaked == [], key


@pytest.mark.django_db
def test_demo_page_shows_closed_round_counts_and_hides_open_ones(demo_pages, seeded):
    from designing.demo import CLOSED_ROUND, OPEN_ROUND

    pages, _people = demo_pages
    year = VotingRound.objects.get(title=CLOSED_ROUND).period.year
    _status, text = pages[(BLITAR, year)]
    assert CLOSED_ROUND in text
    assert "14 suara" in text
    assert OPEN_ROUND not in text
    # The open round's proposals are not approved: none of their titles or counts appear.
    for title in VotingRound.objects.get(title=OPEN_ROUND).proposals.values_list(
        "title", flat=True
    ):
        assert title not in text
    assert "belum ditutup" in text
