"""Static files as production serves them: hashed names, each also compressed with Brotli and
gzip, the smallest that the phone accepts sent with ``Content-Encoding``."""

import brotli
import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings

SOURCE = settings.BASE_DIR / "static"


@pytest.fixture
def collected(tmp_path):
    """The portal's own static files collected with the production storage (the apps' files,
    Bootstrap's and the admin's, are left out: they take half a minute to compress)."""
    with override_settings(
        STATIC_ROOT=tmp_path,
        STATICFILES_DIRS=[SOURCE],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield tmp_path


def test_collectstatic_writes_a_brotli_and_a_gzip_copy_of_each_hashed_file(collected):
    hashed = staticfiles_storage.stored_name("css/rtkeren.css")

    assert hashed != "css/rtkeren.css"
    assert (collected / f"{hashed}.br").exists()
    assert (collected / f"{hashed}.gz").exists()


@pytest.mark.parametrize(
    ("accepted", "encoding"),
    [("gzip, deflate, br", "br"), ("gzip, deflate", "gzip"), ("", None)],
)
def test_whitenoise_sends_the_smallest_encoding_the_phone_accepts(collected, accepted, encoding):
    url = staticfiles_storage.url("css/rtkeren.css")

    response = Client().get(url, HTTP_ACCEPT_ENCODING=accepted)

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response["Vary"]
    assert "immutable" in response["Cache-Control"]
    original = (SOURCE / "css" / "rtkeren.css").read_bytes()
    if encoding == "br":
        assert brotli.decompress(body) == original
        assert len(body) < len(original) / 2
