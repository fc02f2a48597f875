"""The scorecard's figures are cached under their kelurahan's version, and never older than what
the services wrote: each writer of the ledger, the base and the evaluations gives the kelurahan
it wrote in a new version when it commits. The city's figures are its kelurahan's put together,
so a write in one kelurahan costs the next city reader that kelurahan's figures alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import scorecard
from assessment.scorecard import Scope
from rtkeren.models import Resident, Stage
from rtkeren.services.base import base_resident_sync
from rtkeren.services.ledger import participation_record, participation_remove
from tests import factories as core

pytestmark = pytest.mark.django_db


def _card(scope, period):
    with CaptureQueriesContext(connection) as queries:
        card = scorecard.scorecard(scope=scope, period=period)
    return card, len(queries)


def _designing(card) -> int:
    return card.result(Stage.DESIGNING).participants


def test_a_second_reading_of_unchanged_data_takes_no_query(rt, period):
    core.ResidentFactory(rt=rt)
    scope = Scope(kelurahan=rt.rw.kelurahan)

    first, first_queries = _card(scope, period)
    again, again_queries = _card(scope, period)

    # The base, then the ledger by stage with the evaluations by side; then the cache alone.
    assert (first_queries, again_queries) == (2, 0)
    assert again.base == first.base == 1


@pytest.mark.parametrize(
    "scope_of",
    [
        lambda rt: Scope(),
        lambda rt: Scope(kelurahan=rt.rw.kelurahan),
        lambda rt: Scope(kelurahan=rt.rw.kelurahan, rt=rt),
        lambda rt: Scope(rt=rt),
    ],
    ids=["city", "kelurahan", "rt", "rt-alone"],
)
def test_a_new_ledger_row_shows_once_committed(
    rt, period, scope_of, django_capture_on_commit_callbacks
):
    """Two queries for an RT's or a kelurahan's figures; the city's reads its kelurahan's
    figures in one pass (three), its list of kelurahan and who moved between them."""
    residents = [core.ResidentFactory(rt=rt) for _ in range(3)]
    scope = scope_of(rt)
    before, _queries = _card(scope, period)

    with django_capture_on_commit_callbacks(execute=True):
        participation_record(resident=residents[0], kind="vote_cast", subject=rt, period=period)
    after, queries = _card(scope, period)

    assert (_designing(before), _designing(after)) == (0, 1)
    assert queries == (5 if scope.is_city else 2)


def test_a_city_reader_after_a_write_recomputes_that_kelurahan_alone(
    rt, foreign_rt, period, django_capture_on_commit_callbacks
):
    here = core.ResidentFactory(rt=rt)
    core.ResidentFactory(rt=foreign_rt)
    _card(Scope(), period)
    cached, cached_queries = _card(Scope(), period)

    with django_capture_on_commit_callbacks(execute=True):
        participation_record(resident=here, kind="vote_cast", subject=rt, period=period)
    with CaptureQueriesContext(connection) as queries:
        after = scorecard.scorecard(scope=Scope(), period=period)
    ledger = [query["sql"] for query in queries if "rtkeren_participation" in query["sql"]]

    # The list of kelurahan and who moved between them, the figures all from the cache.
    assert cached_queries == 2
    assert (cached.base, _designing(cached), after.base, _designing(after)) == (2, 0, 2, 1)
    assert len(ledger) == 1
    assert f"IN ({rt.rw.kelurahan_id})" in ledger[0]
    # The other kelurahan's figures, read from the cache, were not computed again.
    assert str(foreign_rt.rw.kelurahan_id) not in ledger[0].split("IN (")[1].split(")")[0]


def test_a_row_taken_back_and_a_base_left_show_once_committed(
    rt, period, django_capture_on_commit_callbacks
):
    residents = [core.ResidentFactory(rt=rt) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        for resident in residents:
            participation_record(resident=resident, kind="vote_cast", subject=rt, period=period)
    scope = Scope(rt=rt, kelurahan=rt.rw.kelurahan)
    assert _card(scope, period)[0].base == 4

    with django_capture_on_commit_callbacks(execute=True):
        participation_remove(resident=residents[1], kind="vote_cast", subject=rt)
    withdrawn, _queries = _card(scope, period)
    Resident.objects.filter(pk=residents[0].pk).update(status=Resident.Status.MOVED)
    with django_capture_on_commit_callbacks(execute=True):
        base_resident_sync(resident=Resident.objects.get(pk=residents[0].pk))
    moved, _queries = _card(scope, period)

    assert (withdrawn.base, _designing(withdrawn)) == (4, 3)
    assert (moved.base, _designing(moved)) == (3, 2)


def test_a_write_not_yet_committed_is_not_shown_from_the_cache(rt, period):
    """Inside the writing transaction the old version still holds: the version changes only
    when the write commits, so no figure from uncommitted data is ever cached under it."""
    resident = core.ResidentFactory(rt=rt)
    scope = Scope(kelurahan=rt.rw.kelurahan)
    before, _queries = _card(scope, period)

    participation_record(resident=resident, kind="vote_cast", subject=rt, period=period)
    during, queries = _card(scope, period)

    assert (_designing(before), _designing(during), queries) == (0, 0, 0)
