import pytest
from django.urls import reverse

from rtkeren.models import User

pytestmark = pytest.mark.django_db


def test_visitor_choice_of_english_is_kept_in_a_cookie(client):
    response = client.post(reverse("language-set"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    page = client.get(reverse("home"))
    assert page.headers["Content-Language"] == "en"
    assert "RT Keren Portal" in page.text


def test_logged_in_choice_is_stored_on_the_account(client):
    user = User.objects.create_user(username="siti", password="x")
    client.force_login(user)

    client.post(reverse("language-set"), {"language": "en", "next": "/"})

    user.refresh_from_db()
    assert user.language == "en"
    client.cookies.clear()
    client.force_login(user)
    assert client.get(reverse("home")).headers["Content-Language"] == "en"


def test_unknown_language_changes_nothing(client):
    client.post(reverse("language-set"), {"language": "fr", "next": "/"})

    assert client.get(reverse("home")).headers["Content-Language"] == "id"


def test_redirect_to_another_site_is_refused(client):
    response = client.post(
        reverse("language-set"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response.url == "/"


def test_language_cannot_be_changed_by_get(client):
    assert client.get(reverse("language-set"), {"language": "en"}).status_code == 405
