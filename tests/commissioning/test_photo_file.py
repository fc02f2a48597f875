"""A potential's photo is served by the portal to whoever may see the potential's page, never
from a public folder."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from .factories import image_bytes
from .test_permissions import READERS, _matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographed(potential):
    potential.photo.save("batik.jpg", ContentFile(image_bytes("JPEG")))
    return potential


def test_the_photo_is_for_those_who_see_the_potential(client, request, photographed):
    url = reverse("commissioning:potential-photo", args=[photographed.pk])
    _matrix(client, request, "get", url, READERS)


def test_a_visitor_is_sent_to_the_login_page(client, photographed):
    response = client.get(reverse("commissioning:potential-photo", args=[photographed.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_photo_comes_whole_with_private_headers(client, resident_user, photographed):
    client.force_login(resident_user)

    response = client.get(reverse("commissioning:potential-photo", args=[photographed.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image_bytes("JPEG")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("stored", ["", "potensi/2026/01/hilang.jpg"])
def test_no_photo_or_a_lost_file_is_not_found(client, resident_user, potential, stored):
    potential.photo.name = stored
    potential.save(update_fields=["photo"])
    client.force_login(resident_user)

    response = client.get(reverse("commissioning:potential-photo", args=[potential.pk]))

    assert response.status_code == 404


def test_the_page_links_the_photo_through_the_portal(client, resident_user, photographed):
    client.force_login(resident_user)

    page = client.get(reverse("commissioning:potential-detail", args=[photographed.pk]))

    assert reverse("commissioning:potential-photo", args=[photographed.pk]) in page.content.decode()
    assert photographed.photo.name not in page.content.decode()


def test_the_admin_links_the_photo_through_the_portal(client, admin_user, photographed):
    client.force_login(admin_user)

    page = client.get(reverse("admin:commissioning_potential_change", args=[photographed.pk]))

    assert page.status_code == 200
    url = reverse("commissioning:potential-photo", args=[photographed.pk])
    assert f'href="{url}"' in page.content.decode()
    assert "/media/" not in page.content.decode()
