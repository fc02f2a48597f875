"""Endorsements read the same on every page that shows them: "Saya mendukung" for the reader's
own, "N warga mendukung" for the count."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from .factories import EndorsementFactory

pytestmark = pytest.mark.django_db

OLD_WORDING = ["melihat ini", "Anda mendukung ini"]


def _pages(potential) -> list[str]:
    """Every page that shows a potential's endorsements."""
    return [
        reverse("commissioning:potential-detail", args=[potential.pk]),
        reverse("commissioning:potential-list"),
        reverse("commissioning:kelurahan-detail", args=[potential.kelurahan.pk]),
    ]


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_count_and_the_readers_own_endorsement_read_alike_everywhere(
    client, resident_user, potential
):
    EndorsementFactory(potential=potential)
    EndorsementFactory(potential=potential, resident=resident_user.resident)
    client.force_login(resident_user)

    for url in _pages(potential):
        text = _text(client.get(url))
        assert "2 warga mendukung" in text, url
        assert "Saya mendukung" in text, url
        for old in OLD_WORDING:
            assert old not in text, url


def test_the_button_says_saya_mendukung_until_pressed(client, resident_user, potential):
    EndorsementFactory(potential=potential)
    client.force_login(resident_user)
    detail = reverse("commissioning:potential-detail", args=[potential.pk])

    page = client.get(detail).content.decode()

    assert re.search(r"<button[^>]*>\s*Saya mendukung\s*</button>", page)
    assert "1 warga mendukung" in _text(client.get(detail))
    for url in _pages(potential)[1:]:
        # Someone else's endorsement is counted, never shown as the reader's own.
        assert "Saya mendukung" not in _text(client.get(url)), url

    client.post(reverse("commissioning:potential-endorse", args=[potential.pk]))

    text = _text(client.get(detail))
    assert "2 warga mendukung" in text
    assert "Saya mendukung Tarik dukungan saya" in text


@pytest.mark.parametrize(
    ("endorsements", "count"), [(1, "1 resident endorses this"), (3, "3 residents endorse this")]
)
def test_the_count_agrees_with_its_number_in_english(
    client, resident_user, potential, endorsements, count
):
    EndorsementFactory.create_batch(endorsements, potential=potential)
    resident_user.language = "en"
    resident_user.save()
    client.force_login(resident_user)

    with translation.override("en"):
        text = _text(client.get(reverse("commissioning:potential-detail", args=[potential.pk])))

    assert count in text
