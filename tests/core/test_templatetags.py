import pytest

from rtkeren.templatetags.rtkeren import padded, rupiah


@pytest.mark.parametrize(
    ("value", "shown"),
    [(50_000_000, "Rp50.000.000"), (0, "Rp0"), (999, "Rp999"), (-1500, "-Rp1.500"), (None, "")],
)
def test_rupiah(value, shown):
    assert rupiah(value) == shown


@pytest.mark.parametrize(("value", "shown"), [(2, "002"), (7, "007"), (123, "123"), (None, "")])
def test_padded(value, shown):
    assert padded(value) == shown
