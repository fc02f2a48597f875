"""The place a form offers as ``kind:id`` (``PlaceChoiceField``), shared by every stage's forms."""

import pytest
from django import forms

from rtkeren.forms.fields import PlaceChoiceField, place_choice

pytestmark = pytest.mark.django_db


class PlaceForm(forms.Form):
    place = PlaceChoiceField(label="Tempat")

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [place_choice(place) for place in places]


def test_an_offered_place_comes_back_as_the_place_itself(kelurahan, rt, django_assert_num_queries):
    form = PlaceForm({"place": f"rt:{rt.pk}"}, places=[kelurahan, rt])

    with django_assert_num_queries(1):
        assert form.is_valid()
        assert form.cleaned_data["place"].rw.kelurahan == kelurahan
    assert form.cleaned_data["place"] == rt


def test_the_labels_name_the_whole_kelurahan_an_rw_and_an_rt(kelurahan, rt):
    choices = dict(place_choice(place) for place in (kelurahan, rt.rw, rt))

    assert choices[f"kelurahan:{kelurahan.pk}"] == f"Seluruh Kelurahan {kelurahan.name}"
    assert choices[f"rw:{rt.rw.pk}"] == f"{rt.rw}, {kelurahan}"
    assert choices[f"rt:{rt.pk}"] == rt.full_name
    assert place_choice(kelurahan, "Kelurahan X") == (f"kelurahan:{kelurahan.pk}", "Kelurahan X")


@pytest.mark.parametrize("value", ["other_rt", "kelurahan:abc", "rt:", "desa:1", ""])
def test_a_place_not_offered_is_refused_in_indonesian(kelurahan, rt, other_rt, value):
    if value == "other_rt":
        value = f"rt:{other_rt.pk}"  # exists, in the same kelurahan, but not offered

    form = PlaceForm({"place": value}, places=[rt])

    assert not form.is_valid()
    assert form.errors["place"] in (
        ["Pilih lokasi dari daftar."],
        ["Bidang ini tidak boleh kosong."],
    )
