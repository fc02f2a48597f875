"""The Kota Blitar reference data loaded by migration, and the invariants of RW and RT numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rtkeren.models import RT, RW, Kecamatan, Kelurahan, Kota
from tests import factories

pytestmark = pytest.mark.django_db

# Kemendagri codes of Kota Blitar (Kepmendagri 300.2.2-2138/2025), copied from the reference list.
KECAMATAN = {
    "35.72.01": "Kepanjenkidul",
    "35.72.02": "Sukorejo",
    "35.72.03": "Sananwetan",
}
KELURAHAN = {
    "35.72.01.1001": ("Kepanjenkidul", "35.72.01"),
    "35.72.01.1002": ("Ngadirejo", "35.72.01"),
    "35.72.01.1003": ("Sentul", "35.72.01"),
    "35.72.01.1004": ("Kauman", "35.72.01"),
    "35.72.01.1005": ("Tanggung", "35.72.01"),
    "35.72.01.1006": ("Bendo", "35.72.01"),
    "35.72.01.1007": ("Kepanjenlor", "35.72.01"),
    "35.72.02.1001": ("Pakunden", "35.72.02"),
    "35.72.02.1002": ("Blitar", "35.72.02"),
    "35.72.02.1003": ("Tlumpu", "35.72.02"),
    "35.72.02.1004": ("Turi", "35.72.02"),
    "35.72.02.1005": ("Karangsari", "35.72.02"),
    "35.72.02.1006": ("Sukorejo", "35.72.02"),
    "35.72.02.1007": ("Tanjungsari", "35.72.02"),
    "35.72.03.1001": ("Gedog", "35.72.03"),
    "35.72.03.1002": ("Plosokerep", "35.72.03"),
    "35.72.03.1003": ("Klampok", "35.72.03"),
    "35.72.03.1004": ("Sananwetan", "35.72.03"),
    "35.72.03.1005": ("Rembang", "35.72.03"),
    "35.72.03.1006": ("Karangtengah", "35.72.03"),
    "35.72.03.1007": ("Bendogerit", "35.72.03"),
}


def test_migration_loaded_kota_blitar():
    assert list(Kota.objects.values_list("code", "name")) == [("35.72", "Kota Blitar")]


def test_migration_loaded_its_three_kecamatan():
    loaded = {k.code: (k.name, k.kota.code) for k in Kecamatan.objects.select_related("kota")}

    assert loaded == {code: (name, "35.72") for code, name in KECAMATAN.items()}


def test_migration_loaded_its_21_kelurahan_under_the_right_kecamatan():
    loaded = {
        k.code: (k.name, k.kecamatan.code) for k in Kelurahan.objects.select_related("kecamatan")
    }

    assert len(loaded) == 21
    assert loaded == KELURAHAN


def test_names_repeat_so_places_are_told_apart_by_code():
    assert Kelurahan.objects.get(code="35.72.02.1002").name == "Blitar"
    assert Kota.objects.get(code="35.72").name == "Kota Blitar"
    assert Kelurahan.objects.filter(name="Sukorejo").get().kecamatan.name == "Sukorejo"


def test_rt_and_rw_show_padded_numbers(rt):
    assert str(rt) == "RT 002 / RW 007"
    assert str(rt.rw) == "RW 007"
    assert rt.full_name == "RT 002 / RW 007, Blitar"
    assert rt.kelurahan_id == rt.rw.kelurahan_id


def test_rw_number_is_unique_within_a_kelurahan_only(kelurahan, foreign_kelurahan):
    RW.objects.create(kelurahan=kelurahan, number=3)
    RW.objects.create(kelurahan=foreign_kelurahan, number=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        RW.objects.create(kelurahan=kelurahan, number=3)

    assert RW.objects.filter(number=3).count() == 2


def test_rt_number_is_unique_within_an_rw_only(rt, other_rt):
    RT.objects.create(rw=other_rt.rw, number=rt.number)

    with pytest.raises(IntegrityError), transaction.atomic():
        RT.objects.create(rw=rt.rw, number=rt.number)

    assert RT.objects.filter(number=rt.number).count() == 2


def test_duplicate_rt_number_gets_a_form_error_not_a_crash(rt):
    duplicate = RT(rw=rt.rw, number=rt.number)

    with pytest.raises(ValidationError) as raised:
        duplicate.full_clean()

    assert raised.value.messages


@pytest.mark.parametrize("model", [RW, RT])
def test_numbers_start_at_one(model, kelurahan, rt):
    parent = {"kelurahan": kelurahan} if model is RW else {"rw": rt.rw}

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(number=0, **parent)


@pytest.mark.parametrize(
    ("model", "code"),
    [(Kota, "3572"), (Kecamatan, "35.72.1"), (Kelurahan, "35.72.02.102")],
)
def test_codes_must_have_the_kemendagri_shape(model, code):
    place = model.objects.first()
    place.code = code

    with pytest.raises(ValidationError) as raised:
        place.full_clean()

    assert "code" in raised.value.message_dict


def test_factories_reuse_the_migrated_kelurahan():
    assert factories.kelurahan().code == factories.BLITAR
    assert Kelurahan.objects.count() == 21
