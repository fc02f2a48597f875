"""Uploaded photos (potentials, meetings, receipts): checked by their content (never their
name) and stored re-encoded, at most ``MAX_SIDE`` pixels on the long side, without EXIF (which
may hold a home's location)."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
# Read from the file's header before anything is decoded. A phone saves 12 MP by default (4000 x
# 3000), 24 MP at most in its usual modes (6000 x 4000); the 50-200 MP modes are rare and their
# photos over MAX_BYTES anyway. Decoding costs time and memory by the pixel (a 50 MP PNG takes
# seconds of the server's CPU and 200 MB), so nothing above what a phone sends is decoded.
MAX_PIXELS = 24_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Many phones save their JPEGs as MPO (a second, smaller picture appended): kept as a JPEG.
ALIASES = {"MPO": "JPEG"}
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    if width is None:
        message = _("The photo has too many pixels to process. Choose a smaller photo.")
    else:
        message = _(
            "The photo is %(width)s × %(height)s pixels, too large to process. Choose a "
            "smaller photo."
        ) % {"width": width, "height": height}
    return ValidationError(message, code="photo_too_many_pixels")


def _open(upload) -> Image.Image:
    """The upload as a Pillow image, or a ValidationError that says what is wrong with it."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The photo is %(size)s; photos may be at most %(limit)s. Choose a smaller photo.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BYTES)},
            code="photo_too_big",
        )
    not_a_photo = ValidationError(
        _("This file is not a photo the portal can read. Choose a JPEG, PNG or WebP photo."),
        code="photo_unreadable",
    )
    # Read once: Pillow's verify() may close the file it reads, and the upload is small.
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height)
            probe.verify()
    except Image.DecompressionBombError as error:
        # Pillow refuses to even open the largest ones; say the same as for the others.
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise not_a_photo from error
    kind = ALIASES.get(kind, kind)
    if kind not in FORMATS:
        raise ValidationError(
            _("Photos must be JPEG, PNG or WebP; this file is %(kind)s.") % {"kind": kind},
            code="photo_wrong_type",
        )
    # verify() leaves the image unusable; open it again to decode it.
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise not_a_photo from error
    return image


def photo_check(upload) -> None:
    """Raise a ValidationError unless ``upload`` is a photo the portal accepts."""
    _open(upload).close()


def photo_normalized(upload) -> ContentFile:
    """The photo turned upright, scaled down to ``MAX_SIDE`` and saved again without metadata."""
    image = _open(upload)
    kind = ALIASES.get(image.format, image.format)
    with image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        output = io.BytesIO()
        # Pillow writes only the metadata passed to save(): none is, so none is kept.
        upright.save(output, format=kind, **SAVE_OPTIONS[kind])
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{FORMATS[kind]}")
