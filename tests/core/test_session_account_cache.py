"""A session's account is shared across the person's requests through the cache, without its
password hash, and every change of the account counts from its sessions' next request on."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.auth_backends import session_account
from rtkeren.models import User
from rtkeren.scopecache import ACCOUNT, person_changed
from tests import factories as core

pytestmark = pytest.mark.django_db

PROFILE = reverse("account-profile")
LOGIN = reverse("login")


def _account_queries(client) -> tuple[int, int]:
    """The page's status and how many of its queries read the accounts table."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PROFILE)
    table = connection.ops.quote_name(User._meta.db_table)
    return response.status_code, sum(table in query["sql"] for query in captured)


def _logged_out(response) -> bool:
    return response.status_code == 302 and response.url.startswith(LOGIN)


def _cached_entries() -> list[bytes]:
    """The pickled values of every entry the cache holds for a session's account."""
    store = cache._cache  # the test settings' local-memory cache: its raw, pickled values
    return [value for key, value in store.items() if ":account:" in key]


def test_logging_in_keeps_the_account_for_the_requests_that_follow(client, resident_user):
    client.force_login(resident_user)

    assert _account_queries(client) == (200, 0)


def test_the_second_request_reads_no_account_row(client, resident_user):
    client.force_login(resident_user)
    person_changed(resident_user.pk, topic=ACCOUNT)

    first = _account_queries(client)
    second = _account_queries(client)

    assert first == (200, 1)
    assert second == (200, 0)


def test_the_cache_holds_no_password_hash(client, resident_user):
    client.force_login(resident_user)
    assert client.get(PROFILE).status_code == 200
    password_hash = User.objects.get(pk=resident_user.pk).password

    entries = _cached_entries()

    assert entries
    assert all(password_hash.encode() not in entry for entry in entries)
    cached = session_account(resident_user.pk)
    assert "password" in cached.get_deferred_fields()
    # Asked for, the password is read from the database.
    assert cached.check_password(core.PASSWORD)


def test_saving_a_cached_account_keeps_its_password(resident_user):
    cached = session_account(resident_user.pk)
    cached.first_name = "Siti"
    cached.save()

    saved = User.objects.get(pk=resident_user.pk)
    assert saved.first_name == "Siti"
    assert saved.check_password(core.PASSWORD)


def test_an_account_deactivated_in_the_admin_is_logged_out_at_the_next_request(
    client, resident_user
):
    client.force_login(resident_user)
    assert client.get(PROFILE).status_code == 200

    account = User.objects.get(pk=resident_user.pk)
    account.is_active = False
    account.save()

    assert _logged_out(client.get(PROFILE))


def test_a_new_password_ends_the_other_sessions_at_their_next_request(resident_user):
    phone, laptop = Client(), Client()
    phone.force_login(resident_user)
    laptop.force_login(resident_user)
    assert phone.get(PROFILE).status_code == laptop.get(PROFILE).status_code == 200

    account = User.objects.get(pk=resident_user.pk)
    account.set_password("sandi-baru-2031")
    account.save()

    assert _logged_out(laptop.get(PROFILE))
    assert laptop.session.get(SESSION_KEY) is None


def test_a_deleted_account_is_logged_out_at_the_next_request(client, resident_user):
    client.force_login(resident_user)
    assert client.get(PROFILE).status_code == 200

    User.objects.filter(pk=resident_user.pk).delete()

    assert _logged_out(client.get(PROFILE))


def test_a_new_secret_key_does_not_find_the_cached_session_hash(client, resident_user, settings):
    client.force_login(resident_user)
    assert client.get(PROFILE).status_code == 200

    # The sessions signed with the old key end (it is no fallback), as Django's own do.
    settings.SECRET_KEY = "another-secret-key-for-the-test-" + "x" * 32

    assert _logged_out(client.get(PROFILE))


def test_a_session_naming_no_account_is_anonymous(client, resident_user):
    client.force_login(resident_user)
    session = client.session
    session[SESSION_KEY] = str(User.objects.order_by("-pk").first().pk + 1000)
    session.save()

    assert _logged_out(client.get(PROFILE))
