import pytest

from rtkeren.nik import parse_nik
from tests import factories

pytestmark = pytest.mark.django_db


def test_factories_make_valid_residents_with_distinct_niks(rt):
    residents = factories.ResidentFactory.create_batch(5, rt=rt)

    for resident in residents:
        resident.full_clean()
        facts = parse_nik(resident.reveal_nik())
        assert facts.birth_date == resident.birth_date
        assert facts.sex == resident.sex


def test_personas_hold_their_roles(officer, rt_chair, resident_user, outsider, rt, foreign_rt):
    from rtkeren import scopes

    assert scopes.kelurahan_ids(officer, "officer") == {rt.rw.kelurahan_id}
    assert scopes.rt_ids(rt_chair, "rt_chair") == {rt.pk}
    assert scopes.rt_ids(resident_user, "resident") == {rt.pk}
    assert scopes.rt_ids(outsider, "resident") == {foreign_rt.pk}
