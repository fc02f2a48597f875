import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_speaks_indonesian_by_default(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "id"
    assert "Portal RT Keren" in response.text
    assert '<html lang="id">' in response.text


def test_browser_language_header_does_not_switch_language(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "id"
    assert "Masuk" in response.text


def test_assets_come_from_the_portal_not_a_cdn(client):
    page = client.get(reverse("home")).text

    assert "/static/js-lib-bootstrap5/css/bootstrap.min.css" in page
    assert "/static/htmx/htmx.min.js" in page
    assert "https://" not in page
    assert "http://" not in page


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("rtkeren.views.pages.connection.cursor", broken_cursor)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_unknown_page_gets_indonesian_404(client):
    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text


def test_server_error_page_is_indonesian(client, settings):
    from django.views.defaults import server_error

    response = server_error(client.get(reverse("home")).wsgi_request)

    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.content.decode()


def test_permission_denied_page_is_indonesian(rf):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()
