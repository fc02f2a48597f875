"""Who sees which scorecard, and that the pages' queries do not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.services.ledger import participation_record
from tests import factories as core

from .factories import delivered_activity, take_part

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin_user",
    "city_viewer",
    "officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "community_lead",
    "resident_user",
    "outsider",
    "foreign_officer",
]
CITY = {"admin_user": 200, "city_viewer": 200}
FOREIGN = {"outsider": 404, "foreign_officer": 404}
RT_READERS = {
    "admin_user",
    "city_viewer",
    "officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "pokmas_member",
    "resident_user",
}
COMPARES_RTS = {"admin_user", "city_viewer", "officer", "facilitator"}


def _get(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    return client.get(url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_city_scorecard(client, request, persona, period):
    response = _get(client, request, persona, reverse("assessment:scorecard-city"))
    assert response.status_code == CITY.get(persona, 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_kelurahan_scorecard(client, request, persona, kelurahan, rt, other_rt, period):
    response = _get(
        client, request, persona, reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk])
    )
    assert response.status_code == FOREIGN.get(persona, 200)
    if response.status_code == 200:
        compared = client.get(response.request["PATH_INFO"] + "?view=compare")
        assert bool(compared.context["comparison"]) == (persona in COMPARES_RTS)
        assert compared.context["view"] == ("compare" if persona in COMPARES_RTS else "card")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_rt_scorecard(client, request, persona, rt, period):
    response = _get(client, request, persona, reverse("assessment:scorecard-rt", args=[rt.pk]))
    assert response.status_code == FOREIGN.get(persona, 200 if persona in RT_READERS else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_thresholds_page(client, request, persona, period):
    url = reverse("assessment:scorecard-thresholds", args=[period.pk])
    assert _get(client, request, persona, url).status_code == (
        200 if persona == "admin_user" else 403
    )


def test_an_officer_changing_the_id_to_another_kelurahan_gets_404(
    client, officer, foreign_kelurahan, foreign_rt, period
):
    client.force_login(officer)
    for url in (
        reverse("assessment:scorecard-kelurahan", args=[foreign_kelurahan.pk]),
        reverse("assessment:scorecard-rt", args=[foreign_rt.pk]),
        reverse("assessment:scorecard-kelurahan", args=[foreign_kelurahan.pk]) + "?export=xlsx",
    ):
        assert client.get(url).status_code == 404


def test_the_home_link_leads_to_the_closest_scorecard(
    client, resident_user, city_viewer, kelurahan, period
):
    client.force_login(resident_user)
    assert client.get(reverse("assessment:scorecard-home")).url == reverse(
        "assessment:scorecard-kelurahan", args=[kelurahan.pk]
    )
    client.force_login(city_viewer)
    assert client.get(reverse("assessment:scorecard-home")).url == reverse(
        "assessment:scorecard-city"
    )


def test_the_page_says_it_in_words_and_shows_charts_without_style(
    client, officer, kelurahan, rt, period
):
    core.ResidentFactory(rt=rt)
    client.force_login(officer)
    content = client.get(
        reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk])
    ).content.decode()

    assert "dari empat tahap ko-produksi terpenuhi" in content
    assert "<caption" in content
    assert "style=" not in content
    for view in ("compare", "periods"):
        content = client.get(
            reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]) + f"?view={view}"
        ).content.decode()
        assert "<caption" in content
        assert "bar-w-" in content
        assert "style=" not in content


def _grow(rt, period, officer, count):
    for _ in range(count):
        residents = [core.ResidentFactory(rt=rt) for _ in range(3)]
        activity = delivered_activity(by=officer, rt=rt, period=period)
        for resident in residents:
            take_part(resident, activity)
            participation_record(
                resident=resident,
                kind="forum_attended",
                subject=activity,
                period=period,
            )


@pytest.mark.parametrize("page", ["city", "kelurahan", "rt"])
def test_query_counts_stay_flat(
    client,
    city_viewer,
    kelurahan,
    rt,
    other_rt,
    period,
    officer,
    page,
    django_capture_on_commit_callbacks,
):
    client.force_login(city_viewer)
    core.PeriodFactory(year=period.year - 1)
    url = {
        "city": reverse("assessment:scorecard-city"),
        "kelurahan": reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]),
        "rt": reverse("assessment:scorecard-rt", args=[rt.pk]),
    }[page]

    def queries():
        counts = []
        for view in ("card", "compare", "periods"):
            for export in ("", "&export=xlsx"):
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(f"{url}?view={view}{export}").status_code == 200
                counts.append(len(captured))
        return counts

    # The writes commit, as they do outside a test: the scopes they touch get new versions,
    # so that each first reading computes its figures anew.
    with django_capture_on_commit_callbacks(execute=True):
        _grow(rt, period, officer, 1)
    one = queries()
    with django_capture_on_commit_callbacks(execute=True):
        _grow(rt, period, officer, 6)
        _grow(other_rt, period, officer, 6)
    core.PeriodFactory(year=period.year - 2)

    assert queries() == one
