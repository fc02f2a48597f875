"""Passwords are stored with Argon2id at the portal's settings; older hashes still log in and are
stored again at that login. The tests elsewhere hash with MD5 for speed: these use the
portal's own list of hashers."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    check_password,
    identify_hasher,
    make_password,
)
from django.urls import reverse

from rtkeren.hashers import Argon2idPasswordHasher
from rtkeren.models import User
from rtkeren.settings import base as base_settings
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def portal_hashers(settings):
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS


def test_a_new_password_is_stored_with_argon2id_at_the_portals_settings():
    stored = make_password("kata-sandi-panjang")

    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert isinstance(identify_hasher(stored), Argon2idPasswordHasher)
    assert check_password("kata-sandi-panjang", stored)
    assert not check_password("kata-sandi-lain", stored)


@pytest.mark.parametrize("algorithm", ["pbkdf2_sha256", "pbkdf2_sha1", "argon2-django-default"])
def test_an_older_hash_logs_in_and_is_stored_again_with_argon2id(client, rt, algorithm):
    user, _resident = factories.make_resident_user(rt, "siti")
    if algorithm == "argon2-django-default":
        old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    else:
        old = make_password(PASSWORD, hasher=algorithm)
    User.objects.filter(pk=user.pk).update(password=old)

    response = client.post(reverse("login"), {"username": "siti", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    stored = User.objects.get(pk=user.pk).password
    assert stored != old
    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(PASSWORD, stored)


def test_a_wrong_password_leaves_an_older_hash_as_it_was(client, rt):
    user, _resident = factories.make_resident_user(rt, "siti")
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old)

    response = client.post(reverse("login"), {"username": "siti", "password": "salah"})

    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).password == old


def test_a_name_that_is_no_account_takes_the_same_hash_as_an_account(client, rt):
    """The time of the answer must not say whether the account exists."""
    factories.make_resident_user(rt, "siti")
    encode = Argon2idPasswordHasher.encode
    with mock.patch.object(
        Argon2idPasswordHasher, "encode", autospec=True, side_effect=encode
    ) as hashing:
        client.post(reverse("login"), {"username": "bukan-siapa-siapa", "password": "salah"})

    assert hashing.call_count == 1
