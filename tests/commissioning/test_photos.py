"""Photos of potentials: judged by content, resized, stripped of EXIF; bad ones refused with a
clear message and nothing stored."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from commissioning.models import Category, Potential
from rtkeren.photos import MAX_BYTES

from .factories import image_bytes

pytestmark = pytest.mark.django_db


def _post(client, rt, photo):
    return client.post(
        reverse("commissioning:potential-create"),
        {
            "title": "Batik tulis",
            "category": Category.CRAFTS,
            "description": "Perajin batik rumahan.",
            "place": f"rt:{rt.pk}",
            "photo": photo,
        },
    )


def _nothing_stored():
    return not Potential.objects.exists() and default_storage.listdir("") == ([], [])


@pytest.fixture
def logged_in(client, resident_user, period):
    client.force_login(resident_user)
    return client


def test_a_photo_is_resized_turned_upright_and_stripped_of_exif(logged_in, rt):
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone on its side
    exif[0x010F] = "Phone maker"
    upload = SimpleUploadedFile(
        "IMG_0001.JPG", image_bytes("JPEG", (3200, 1200), exif=exif.tobytes()), "image/jpeg"
    )

    response = _post(logged_in, rt, upload)

    assert response.status_code == 302
    potential = Potential.objects.get()
    assert potential.photo.name.startswith("potensi/")
    assert potential.photo.name.endswith(".jpg")
    with potential.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert image.size == (600, 1600)
        assert dict(image.getexif()) == {}


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_are_kept_in_their_format(logged_in, rt, kind):
    upload = SimpleUploadedFile("foto.jpg", image_bytes(kind), "image/jpeg")

    _post(logged_in, rt, upload)

    potential = Potential.objects.get()
    assert potential.photo.name.endswith("." + kind.lower())
    with potential.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == kind


def test_a_file_that_is_not_an_image_is_refused(logged_in, rt):
    upload = SimpleUploadedFile("foto.jpg", b"#!/bin/sh\necho not a photo\n", "image/jpeg")

    response = _post(logged_in, rt, upload)

    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == [
        "Berkas ini bukan foto yang dapat dibaca portal. Pilih foto JPEG, PNG, atau WebP."
    ]
    assert _nothing_stored()


def test_a_truncated_image_is_refused(logged_in, rt):
    upload = SimpleUploadedFile("foto.png", image_bytes("PNG", (400, 400))[:200], "image/png")

    response = _post(logged_in, rt, upload)

    assert "photo" in response.context["form"].errors
    assert _nothing_stored()


def test_an_image_of_another_type_is_refused(logged_in, rt):
    upload = SimpleUploadedFile("foto.jpg", image_bytes("GIF"), "image/jpeg")

    response = _post(logged_in, rt, upload)

    assert response.context["form"].errors["photo"] == [
        "Foto harus berformat JPEG, PNG, atau WebP; berkas ini berformat GIF."
    ]
    assert _nothing_stored()


def test_a_photo_over_5_mb_is_refused(logged_in, rt):
    upload = SimpleUploadedFile("besar.jpg", b"\xff" * (MAX_BYTES + 1), "image/jpeg")

    response = _post(logged_in, rt, upload)

    [message] = response.context["form"].errors["photo"]
    assert message.startswith("Ukuran foto 5,0\xa0MB; foto paling besar 5,0\xa0MB.")
    assert message.endswith("Pilih foto yang lebih kecil.")
    assert _nothing_stored()


def test_a_decompression_bomb_is_refused(logged_in, rt):
    # A tiny PNG that claims 20 000 x 20 000 pixels.
    image = Image.new("1", (20_000, 20_000))
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    upload = SimpleUploadedFile("bom.png", output.getvalue(), "image/png")

    response = _post(logged_in, rt, upload)

    assert "photo" in response.context["form"].errors
    assert _nothing_stored()


def test_replacing_a_photo_deletes_the_old_file_once_saved(
    client, neighbour, potential, django_capture_on_commit_callbacks
):
    client.force_login(neighbour)
    url = reverse("commissioning:potential-update", args=[potential.pk])
    data = {"title": potential.title, "category": potential.category, "description": "x"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "photo": SimpleUploadedFile("a.png", image_bytes("PNG"))})
    potential.refresh_from_db()
    first = potential.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "photo": SimpleUploadedFile("b.jpg", image_bytes("JPEG"))})

    potential.refresh_from_db()
    assert potential.photo.name != first
    assert default_storage.exists(potential.photo.name)
    assert not default_storage.exists(first)
