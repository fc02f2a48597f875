"""The installable portal: manifest, service worker, the offline page, and what may be kept."""

import datetime
import gzip
import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import ActivityStatus
from rtkeren.offline import ACCOUNT_HEADER, OFFLINE_HEADER, account_tag
from tests import factories
from tests.delivery.factories import approved_activity, meeting_at

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_portal_installable(client):
    response = client.get(reverse("web-manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "RT Keren"
    assert manifest["name"] == "Portal RT Keren, Kota Blitar"
    assert manifest["lang"] == "id"
    assert (manifest["display"], manifest["start_url"], manifest["scope"]) == (
        "standalone",
        "/",
        "/",
    )
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    response = client.get(reverse("service-worker"))
    assert reverse("service-worker") == "/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "__VERSION__" not in body
    assert f'"{reverse("offline")}"' in body
    assert "/static/css/rtkeren.css" in body
    # The same answer twice: a browser updates the worker only when the text changes.
    assert client.get(reverse("service-worker")).content == response.content


@pytest.mark.parametrize("name", ["service-worker", "web-manifest"])
def test_the_service_worker_and_the_manifest_are_sent_compressed(client, name):
    plain = client.get(reverse(name))
    compressed = client.get(reverse(name), HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    # Smaller even with the up to 100 random bytes Django adds against BREACH.
    assert len(compressed.content) < len(plain.content) * 0.75


def test_the_service_worker_changes_with_the_static_files(client, settings):
    before = client.get(reverse("service-worker")).content
    settings.STATIC_URL = "/static/v2/"
    after = client.get(reverse("service-worker")).content
    assert before != after
    assert b"/static/v2/css/rtkeren.css" in after


def test_the_offline_page_holds_nothing_personal(client):
    user, _resident = factories.make_resident_user(factories.RTFactory(), "sari")
    client.force_login(user)
    response = client.get(reverse("offline"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Anda sedang luring" in page
    assert "sari" not in page
    assert user.get_full_name() not in page
    assert "csrf" not in page.lower()


def test_a_meeting_page_may_be_kept_for_its_account_only(client):
    rt = factories.RTFactory()
    activity = approved_activity(rt, status=ActivityStatus.IN_DELIVERY)
    meeting = meeting_at(activity, timezone.now() + datetime.timedelta(days=1))
    url = reverse("delivery:meeting-detail", args=[meeting.pk])
    first, _ = factories.make_resident_user(rt, "pertama")
    second, _ = factories.make_resident_user(rt, "kedua")

    client.force_login(first)
    response = client.get(url)
    assert response.status_code == 200
    assert response[OFFLINE_HEADER] == "keep"
    assert response[ACCOUNT_HEADER] == account_tag(first)
    assert account_tag(first) != account_tag(second)
    # A page not marked is not kept.
    assert OFFLINE_HEADER not in client.get(reverse("home"))

    client.logout()
    response = client.get(url)
    assert OFFLINE_HEADER not in response
    assert client.get(reverse("home"))[ACCOUNT_HEADER] == "-"


def test_logging_out_wipes_what_the_phone_kept(client):
    user, _resident = factories.make_resident_user(factories.RTFactory(), "sari")
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session
