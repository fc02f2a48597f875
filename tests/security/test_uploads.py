"""Hostile uploads to every form that takes a photo (a potential's photo, a meeting's photo, a
spending receipt): a file of another type behind a photo's extension, an oversized file, a
decompression bomb, a name with a path. Each is refused with a clear Indonesian message and
nothing is stored; an accepted photo is re-encoded under a generated name, without its metadata
(a phone's GPS position of a home)."""

import io
import re
import struct
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from commissioning.models import Category, Potential
from delivery.models import MeetingPhoto, Spending
from rtkeren import photos
from rtkeren.models import Activity, ActivityStatus, ImportJob, User
from rtkeren.photos import MAX_BYTES
from rtkeren.services import imports as import_services

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
PNG_1X1 = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def gps_exif() -> Image.Exif:
    """EXIF as a phone writes it: maker, model and the position where the photo was taken."""
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif[0x0110] = "Phone 12"
    exif[GPS_IFD] = {
        1: "S",
        2: (8.0, 5.0, 52.0),
        3: "E",
        4: (112.0, 10.0, 7.0),
    }
    return exif


def image_bytes(kind="JPEG", size=(64, 48), **options) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(output, format=kind, **options)
    return output.getvalue()


def png_of(width: int, height: int) -> bytes:
    """A real PNG of that size, all black: a few kilobytes, however many pixels."""
    output = io.BytesIO()
    Image.new("1", (width, height)).save(output, format="PNG", optimize=True)
    return output.getvalue()


def bomb() -> bytes:
    """A PNG of a few kilobytes that unpacks to 20 000 x 20 000 pixels."""
    output = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(output, format="PNG", optimize=True)
    return output.getvalue()


class Target:
    """One form that takes a photo: how to post a file to it, what it stored, what it said."""

    username = ""

    def post(self, client, upload):
        raise NotImplementedError

    def stored(self) -> list:
        raise NotImplementedError


class PotentialPhoto(Target):
    username = "warga"

    def post(self, client, upload):
        rt = User.objects.get(username="warga").resident.rt
        response = client.post(
            reverse("commissioning:potential-create"),
            {
                "title": "Perajin anyaman bambu",
                "category": Category.CRAFTS,
                "description": "Anyaman bambu rumahan.",
                "place": f"rt:{rt.pk}",
                "photo": upload,
            },
        )
        form = response.context.get("form") if response.context else None
        errors = form.errors.get("photo", []) if form else []
        return response, " ".join(errors)

    def stored(self):
        return [p.photo for p in Potential.objects.filter(title="Perajin anyaman bambu")]


def _running_activity() -> Activity:
    return (
        Activity.objects.filter(status=ActivityStatus.IN_DELIVERY, meetings__isnull=False)
        .order_by("pk")
        .first()
    )


class MeetingPhoto_(Target):
    username = "ketua_rt"

    def post(self, client, upload):
        meeting = _running_activity().meetings.order_by("pk").first()
        response = client.post(
            reverse("delivery:photo-create", args=[meeting.pk]),
            {"image": upload, "caption": "Latihan"},
            follow=True,
        )
        errors = [str(m) for m in response.context["messages"] if m.level_tag == "danger"]
        errors += [str(m) for m in response.context["messages"] if m.level_tag == "error"]
        return response, " ".join(errors)

    def stored(self):
        return [p.image for p in MeetingPhoto.objects.filter(caption="Latihan")]


class Receipt(Target):
    username = "ketua_rt"

    def post(self, client, upload):
        activity = _running_activity()
        response = client.post(
            reverse("delivery:spending-list", args=[activity.pk]),
            {
                "spent_on": timezone.localdate().isoformat(),
                "item": "Nota uji unggah",
                "amount": "1000",
                "receipt": upload,
                "over_budget_reason": "Uji unggah.",
            },
        )
        errors = []
        if response.context and "form" in response.context:
            for field_errors in response.context["form"].errors.values():
                errors += field_errors
        return response, " ".join(errors)

    def stored(self):
        return [s.receipt for s in Spending.objects.filter(item="Nota uji unggah")]


TARGETS = [PotentialPhoto(), MeetingPhoto_(), Receipt()]
NOT_A_PHOTO = "Berkas ini bukan foto yang dapat dibaca portal. Pilih foto JPEG, PNG, atau WebP."
HOSTILE = {
    "a PDF named .jpg": (
        "foto.jpg",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        NOT_A_PHOTO,
    ),
    "an HTML page named .jpg": (
        "foto.jpg",
        b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
        NOT_A_PHOTO,
    ),
    "an SVG with a script named .png": (
        "foto.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        NOT_A_PHOTO,
    ),
    "a GIF named .jpg": (
        "foto.jpg",
        image_bytes("GIF"),
        "Foto harus berformat JPEG, PNG, atau WebP; berkas ini berformat GIF.",
    ),
    "an oversized file": (
        "besar.jpg",
        b"\xff\xd8\xff" + b"\x00" * MAX_BYTES,
        "foto paling besar 5,0\xa0MB",
    ),
    "a decompression bomb": (
        "bom.png",
        bomb(),
        "terlalu besar untuk diproses",
    ),
    "an empty file": ("kosong.jpg", b"", ""),
    "a 50 megapixel PNG": (
        "besar.png",
        png_of(7071, 7071),
        "7071 × 7071 piksel, terlalu besar untuk diproses",
    ),
}


@pytest.fixture
def as_user(seeded, client):
    def login(target: Target):
        client.force_login(User.objects.get(username=target.username))
        return client

    return login


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__.strip("_"))
@pytest.mark.parametrize("case", list(HOSTILE), ids=lambda c: c.replace(" ", "-"))
def test_a_hostile_file_is_refused_with_a_clear_message(as_user, target, case):
    name, content, message = HOSTILE[case]
    client = as_user(target)

    response, errors = target.post(client, SimpleUploadedFile(name, content, "image/jpeg"))

    assert response.status_code == 200
    assert message in errors, errors
    assert errors, "refused without a message"
    assert target.stored() == []


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__.strip("_"))
@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd.jpg",
        "/etc/cron.d/foto.jpg",
        "..\\..\\Windows\\foto.jpg",
        "x" * 300 + ".jpg",
    ],
    ids=["relative-path", "absolute-path", "windows-path", "very-long-name"],
)
def test_a_name_with_a_path_is_never_used_for_the_stored_file(as_user, target, name):
    client = as_user(target)

    response, errors = target.post(client, SimpleUploadedFile(name, image_bytes(), "image/jpeg"))

    assert response.status_code in (200, 302), errors
    [stored] = target.stored()
    assert re.fullmatch(r"[a-z/]+/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", stored.name), stored.name


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__.strip("_"))
@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_an_accepted_photo_is_re_encoded_without_its_gps_position(as_user, target, kind):
    client = as_user(target)
    original = image_bytes(kind, exif=gps_exif())
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(GPS_IFD), "the test photo must carry a position"

    target.post(client, SimpleUploadedFile("IMG_2041.jpg", original, "image/jpeg"))

    [stored] = target.stored()
    with stored.open("rb") as file:
        data = file.read()
    assert data != original
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == kind
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"Phone maker" not in data


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__.strip("_"))
def test_a_script_hidden_after_a_real_image_is_not_kept(as_user, target):
    client = as_user(target)
    polyglot = image_bytes("JPEG") + b"<script>alert(document.cookie)</script>"

    target.post(client, SimpleUploadedFile("foto.jpg", polyglot, "image/jpeg"))

    [stored] = target.stored()
    with stored.open("rb") as file:
        assert b"<script" not in file.read()


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__.strip("_"))
def test_a_phone_photo_with_several_frames_is_accepted_as_a_jpeg(as_user, target):
    """Many phones save JPEGs as MPO (a JPEG with a second, smaller picture appended)."""
    client = as_user(target)
    output = io.BytesIO()
    first, second = Image.new("RGB", (80, 60), "teal"), Image.new("RGB", (40, 30), "navy")
    first.save(output, format="MPO", save_all=True, append_images=[second], exif=gps_exif())
    with Image.open(io.BytesIO(output.getvalue())) as image:
        assert image.format == "MPO"

    response, errors = target.post(
        client, SimpleUploadedFile("IMG_3001.jpg", output.getvalue(), "image/jpeg")
    )

    [stored] = target.stored()
    assert stored.name.endswith(".jpg"), errors
    with stored.open("rb") as file, Image.open(file) as image:
        assert image.format == "JPEG"
        assert image.size == (80, 60)
        assert dict(image.getexif()) == {}


def test_a_tiny_png_is_accepted(as_user):
    target = PotentialPhoto()
    client = as_user(target)

    response, errors = target.post(client, SimpleUploadedFile("titik.png", PNG_1X1, "image/png"))

    assert response.status_code == 302, errors
    [stored] = target.stored()
    assert stored.name.endswith(".png")


# Limits on what an upload may cost the server.


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims this size, followed by data no decoder could read."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"\x00\x00\x10\x00IDAT" + b"\x07" * 4096


def test_the_pixel_limit_is_read_from_the_header_before_anything_is_decoded():
    """Refused for its size, not for its unreadable data: nothing was decoded."""
    upload = SimpleUploadedFile("kamera.png", png_header(6000, 4100), "image/png")

    with pytest.raises(ValidationError) as refusal:
        photos.photo_check(upload)

    assert refusal.value.code == "photo_too_many_pixels"
    assert "6000 × 4100 piksel" in refusal.value.messages[0]


def test_a_24_megapixel_phone_photo_is_still_accepted():
    assert photos.MAX_PIXELS == 6000 * 4000
    photos.photo_check(SimpleUploadedFile("kamera.png", png_of(6000, 4000), "image/png"))
    with pytest.raises(ValidationError):
        photos.photo_check(SimpleUploadedFile("kamera.png", png_of(6000, 4001), "image/png"))


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__.strip("_"))
def test_uploads_are_limited_per_account(as_user, target, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": ("2/h", "100/h")}
    client = as_user(target)
    for number in range(2):
        response, errors = target.post(
            client, SimpleUploadedFile(f"foto{number}.jpg", image_bytes(), "image/jpeg")
        )
        assert response.status_code in (200, 302)
        assert not errors

    response, errors = target.post(
        client, SimpleUploadedFile("foto.jpg", image_bytes(), "image/jpeg")
    )

    assert response.status_code == 429
    assert "Terlalu banyak permintaan" in response.content.decode()
    assert len(target.stored()) == 2


def test_the_upload_limit_counts_the_account_not_the_form(as_user, settings):
    """Photos of a potential, a meeting and a receipt share one count; a form sent without a
    file does not count."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": ("2/h", "100/h")}
    potential, meeting = PotentialPhoto(), MeetingPhoto_()
    client = as_user(meeting)
    meeting.post(client, SimpleUploadedFile("satu.jpg", image_bytes(), "image/jpeg"))
    client.force_login(User.objects.get(username="ketua_rt"))
    rt = User.objects.get(username="ketua_rt").resident.rt
    without_photo = {
        "title": "Perajin anyaman bambu",
        "category": Category.CRAFTS,
        "description": "Anyaman bambu rumahan.",
        "place": f"rt:{rt.pk}",
    }
    for _ in range(3):
        assert (
            client.post(reverse("commissioning:potential-create"), without_photo).status_code == 302
        )

    second = client.post(
        reverse("commissioning:potential-create"),
        {**without_photo, "photo": SimpleUploadedFile("dua.jpg", image_bytes(), "image/jpeg")},
    )
    third = client.post(
        reverse("commissioning:potential-create"),
        {**without_photo, "photo": SimpleUploadedFile("tiga.jpg", image_bytes(), "image/jpeg")},
    )

    assert (second.status_code, third.status_code) == (302, 429)
    assert len([photo for photo in potential.stored() if photo]) == 1
    assert potential.username != meeting.username


def test_the_resident_import_upload_is_limited_too(client, officer, kelurahan, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": ("1/h", "100/h")}
    client.force_login(officer)
    statuses = []
    for number in range(2):
        upload = SimpleUploadedFile(f"warga{number}.csv", b"NIK,Nama\n")
        response = client.post(
            reverse("resident-import"), {"kelurahan": kelurahan.pk, "file": upload}
        )
        statuses.append(response.status_code)

    assert statuses == [302, 429]
    assert ImportJob.objects.count() == 1


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__.strip("_"))
def test_a_body_larger_than_any_upload_gets_the_413_page_unread(as_user, target):
    client = as_user(target)
    huge = b"\xff\xd8\xff" + b"\x00" * (settings.REQUEST_BODY_MAX_BYTES + 1)

    response, errors = target.post(client, SimpleUploadedFile("besar.jpg", huge, "image/jpeg"))

    assert response.status_code == 413
    page = response.content.decode()
    assert "Berkas terlalu besar" in page
    assert "paling besar 5,0\xa0MB" in page
    assert target.stored() == []


def test_the_body_limit_leaves_room_for_the_largest_upload_and_its_form():
    largest = max(photos.MAX_BYTES, import_services.MAX_FILE_BYTES)
    assert largest == settings.UPLOAD_MAX_BYTES
    assert largest + 512 * 1024 <= settings.REQUEST_BODY_MAX_BYTES <= largest + 2 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX_BYTES
    readme = (settings.BASE_DIR / "README.md").read_text()
    megabytes = settings.REQUEST_BODY_MAX_BYTES // 2**20
    assert f"client_max_body_size {megabytes}m" in readme
