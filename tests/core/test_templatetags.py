import pytest
from django.urls import reverse

from rtkeren.templatetags.rtkeren import padded, pk_url, rupiah, with_pk


@pytest.mark.parametrize(
    ("value", "shown"),
    [(50_000_000, "Rp50.000.000"), (0, "Rp0"), (999, "Rp999"), (-1500, "-Rp1.500"), (None, "")],
)
def test_rupiah(value, shown):
    assert rupiah(value) == shown


@pytest.mark.parametrize(("value", "shown"), [(2, "002"), (7, "007"), (123, "123"), (None, "")])
def test_padded(value, shown):
    assert padded(value) == shown


def test_a_url_reversed_once_takes_each_rows_id():
    once = pk_url("designing:comment-hide")
    for pk in (1, 7, 2147483, 10**12):
        assert with_pk(once, pk) == reverse("designing:comment-hide", args=[pk])
