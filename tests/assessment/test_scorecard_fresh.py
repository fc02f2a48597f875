"""The scorecard's figures are cached, and never older than the data: every write to a table they
count from, however it is made (a service, a bulk update, a delete), changes the version the
cache is keyed on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import scorecard
from assessment.scorecard import Scope
from rtkeren import versions
from rtkeren.models import BaseEntry, Participation, Resident, Stage
from rtkeren.services.ledger import participation_record
from tests import factories as core

pytestmark = pytest.mark.django_db


def _card(scope, period):
    with CaptureQueriesContext(connection) as queries:
        card = scorecard.scorecard(scope=scope, period=period)
    return card, len(queries)


def _designing(card) -> int:
    return card.result(Stage.DESIGNING).participants


def test_a_second_reading_of_unchanged_data_takes_one_query(rt, period):
    core.ResidentFactory(rt=rt)
    scope = Scope(kelurahan=rt.rw.kelurahan)

    first, first_queries = _card(scope, period)
    again, again_queries = _card(scope, period)

    assert (first_queries, again_queries) == (4, 1)
    assert again.base == first.base == 1


def test_a_new_ledger_row_shows_at_once(rt, period):
    residents = [core.ResidentFactory(rt=rt) for _ in range(3)]
    scope = Scope()
    before, _queries = _card(scope, period)

    participation_record(resident=residents[0], kind="vote_cast", subject=rt, period=period)
    after, queries = _card(scope, period)

    assert (_designing(before), _designing(after)) == (0, 1)
    assert queries == 4


def test_bulk_writes_that_skip_save_still_show_at_once(rt, period):
    residents = [core.ResidentFactory(rt=rt) for _ in range(4)]
    for resident in residents:
        participation_record(resident=resident, kind="vote_cast", subject=rt, period=period)
    scope = Scope(rt=rt, kelurahan=rt.rw.kelurahan)
    assert _card(scope, period)[0].base == 4

    # The base is its own table: a bulk delete there shows at once too.
    BaseEntry.objects.filter(resident=residents[0]).delete()
    moved, _queries = _card(scope, period)
    Participation.objects.filter(resident=residents[1]).delete()
    withdrawn, _queries = _card(scope, period)

    assert (moved.base, _designing(moved)) == (3, 3)
    assert (withdrawn.base, _designing(withdrawn)) == (3, 2)


def test_each_write_gives_a_new_version(rt):
    tokens = {versions.current()}

    resident = core.ResidentFactory(rt=rt)
    tokens.add(versions.current())
    Resident.objects.filter(pk=resident.pk).update(name="Nama Baru")
    tokens.add(versions.current())

    assert len(tokens) == 3
