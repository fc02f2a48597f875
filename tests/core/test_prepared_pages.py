"""Pages that read their object through a prepared query (``rtkeren.prepared``): the object
for a reader in scope, 404 for another kelurahan's reader changing the id in the URL.

The tests run with ``PREPARED_QUERIES_CHECK``: every prepared read also compares its SQL and
parameters with those Django compiles for the same values."""

import pytest
from django.urls import reverse

import assessment.selectors
import delivery.selectors
import designing.selectors
from tests.assessment.factories import delivered_activity
from tests.delivery.factories import approved_activity
from tests.designing.factories import VotingRoundFactory
from tests.prepared_support import all_prepared_one

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_prepared_shapes")]


def _rt_scorecard(rt, officer):
    return reverse("assessment:scorecard-rt", args=[rt.pk]), rt


def _kelurahan_scorecard(rt, officer):
    kelurahan = rt.rw.kelurahan
    return reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]), kelurahan


def _voting_round(rt, officer):
    voting_round = VotingRoundFactory(rt=rt)
    return reverse("designing:round-detail", args=[voting_round.pk]), voting_round


def _activity_page(rt, officer):
    activity = approved_activity(rt)
    return reverse("delivery:activity-detail", args=[activity.pk]), activity


def _evaluation_page(rt, officer):
    activity = delivered_activity(by=officer, rt=rt)
    return reverse("assessment:evaluation-summary", args=[activity.pk]), activity


PAGES = {
    "rt scorecard": (_rt_scorecard, assessment.selectors._scorecard_rts, "rt_chair"),
    "kelurahan scorecard": (
        _kelurahan_scorecard,
        assessment.selectors._scorecard_kelurahan,
        "officer",
    ),
    "voting round": (_voting_round, designing.selectors._round_pages, "resident_user"),
    "activity page": (_activity_page, delivery.selectors._activity_pages, "officer"),
    "evaluation page": (
        _evaluation_page,
        assessment.selectors._evaluated_activities,
        "officer",
    ),
}


def _shown(response):
    """The page's object: a scorecard's place, else the detail view's object."""
    scope = response.context.get("scope")
    if scope is not None:
        return scope.rt or scope.kelurahan
    return response.context["view"].object


@pytest.mark.parametrize("page", PAGES)
def test_the_page_reads_its_object_prepared(request, client, page, rt, period, officer):
    make, build, reader = PAGES[page]
    url, shown = make(rt, officer)
    client.force_login(request.getfixturevalue(reader))

    response = client.get(url)

    assert response.status_code == 200
    assert _shown(response) == shown
    assert all_prepared_one(build)


@pytest.mark.parametrize("page", PAGES)
def test_another_kelurahans_reader_changing_the_id_gets_404(
    request, client, page, rt, period, officer, foreign_officer
):
    make, _build, _reader = PAGES[page]
    url, _shown = make(rt, officer)
    client.force_login(foreign_officer)

    assert client.get(url).status_code == 404
