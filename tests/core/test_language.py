import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from rtkeren.middleware import PreferredLanguageMiddleware
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


@pytest.mark.parametrize("logged_in", [True, False], ids=["account", "visitor"])
def test_the_rest_of_the_request_reads_the_account_itself_not_a_lazy_wrapper(rf, logged_in):
    person = User(username="siti", language="en") if logged_in else AnonymousUser()
    reads = []
    seen = []
    request = rf.get("/")
    request.user = SimpleLazyObject(lambda: reads.append(1) or person)

    def view(request):
        seen.append(request.user)
        return HttpResponse("")

    response = PreferredLanguageMiddleware(view)(request)

    assert seen == [person]
    assert seen[0] is person
    assert request.user is person
    assert reads == [1]  # the account is read once, as before
    assert response.headers["Content-Language"] == ("en" if logged_in else "id")
