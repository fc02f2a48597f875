"""Main pages are cached for the person who asked, under the data version: never older than the
data, never someone else's, never a refusal or a message served again."""

import json

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Kelurahan, Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def _warm(client, url):
    """The first request gives the client its CSRF cookie; the second renders and stores."""
    client.get(url)
    return _get(client, url)


def test_the_same_person_gets_the_same_page_from_the_cache(client, resident_user):
    client.force_login(resident_user)
    rendered, rendered_queries = _warm(client, reverse("home"))
    cached, cached_queries = _get(client, reverse("home"))

    assert cached.status_code == 200
    assert cached.content == rendered.content
    assert cached["Content-Type"] == rendered["Content-Type"]
    assert cached_queries < rendered_queries
    assert cached_queries <= 3  # the session, the person, the data version


def test_a_write_anywhere_gives_the_page_anew(client, resident_user, resident):
    client.force_login(resident_user)
    _warm(client, reverse("home"))

    Resident.objects.filter(pk=resident.pk).update(name="Nama Sesudah Ubah")
    resident_user.first_name = "Sesudah"
    resident_user.save(update_fields=["first_name"])
    page, _queries = _get(client, reverse("home"))

    assert "Sesudah" in page.content.decode()


def test_a_bulk_write_that_skips_save_gives_the_page_anew(client, kelurahan, period):
    url = reverse("public-kelurahan", args=[kelurahan.code])
    _warm(client, url)

    Kelurahan.objects.filter(pk=kelurahan.pk).update(name="Blitar Baru")
    page, _queries = _get(client, url)

    assert "Blitar Baru" in page.content.decode()


def test_each_person_gets_their_own_page(client, resident_user, rt_chair):
    chair_client = client.__class__()
    client.force_login(resident_user)
    chair_client.force_login(rt_chair)
    # Both browsers hold the same CSRF cookie; nothing is written between the two pages.
    client.get(reverse("home"))
    chair_client.cookies["csrftoken"] = client.cookies["csrftoken"].value
    mine, _queries = _get(client, reverse("home"))
    theirs, _queries = _get(chair_client, reverse("home"))

    assert mine.content != theirs.content
    assert rt_chair.username not in mine.content.decode()


def test_a_refusal_is_never_cached_and_a_cached_page_reaches_nobody_else(
    client, officer, foreign_officer, kelurahan, period
):
    url = reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk])
    client.force_login(officer)
    allowed, _queries = _warm(client, url)
    client.force_login(foreign_officer)
    refused, _queries = _warm(client, url)
    again, _queries = _get(client, url)

    assert allowed.status_code == 200
    assert refused.status_code in (403, 404)
    assert again.status_code == refused.status_code
    assert again.content != allowed.content


def test_a_visitor_without_the_csrf_cookie_gets_a_fresh_page_with_one(client, kelurahan, period):
    url = reverse("public-kelurahan", args=[kelurahan.code])
    _warm(client, url)
    client.cookies.clear()

    first, first_queries = _get(client, url)
    second, second_queries = _get(client.__class__(), url)

    assert "csrftoken" in first.cookies
    assert second_queries == first_queries  # rendered again, not served from the cache


def test_waiting_messages_are_shown_not_skipped(client, resident_user):
    client.force_login(resident_user)
    _warm(client, reverse("home"))
    # A form elsewhere left a message for the next page.
    session = client.session
    session["_messages"] = json.dumps(
        [["__json_message", 0, messages.SUCCESS, "Usulan Anda sudah terkirim."]]
    )
    session.save()

    page, _queries = _get(client, reverse("home"))
    after, _queries = _get(client, reverse("home"))

    assert "Usulan Anda sudah terkirim." in page.content.decode()
    assert "Usulan Anda sudah terkirim." not in after.content.decode()


def test_htmx_requests_are_rendered_every_time(client, resident_user):
    client.force_login(resident_user)
    _rendered, rendered_queries = _warm(client, reverse("home"))
    _htmx, htmx_queries = _get(client, reverse("home"), HTTP_HX_REQUEST="true")

    assert htmx_queries == rendered_queries - 1  # all but reading the data version


def test_another_language_is_another_page(client, resident_user):
    client.force_login(resident_user)
    indonesian, _queries = _warm(client, reverse("home"))
    resident_user.language = "en"
    resident_user.save(update_fields=["language"])
    english, _queries = _get(client, reverse("home"))

    assert "Selamat datang" in indonesian.content.decode()
    assert "Welcome" in english.content.decode()


def test_off_when_the_setting_is_zero(client, resident_user, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.force_login(resident_user)
    _first, first_queries = _warm(client, reverse("home"))
    _second, second_queries = _get(client, reverse("home"))

    assert second_queries == first_queries


def test_the_page_of_another_kelurahan_is_another_page(
    client, kelurahan, foreign_kelurahan, period
):
    ours, _queries = _warm(client, reverse("public-kelurahan", args=[kelurahan.code]))
    theirs, _queries = _warm(client, reverse("public-kelurahan", args=[foreign_kelurahan.code]))

    assert foreign_kelurahan.name in theirs.content.decode()
    assert foreign_kelurahan.name not in ours.content.decode()
