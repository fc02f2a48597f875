"""The production cache: Django's Redis cache, reusing its Redis client (needs the Redis that
``.ci/run`` starts; database 12 of it)."""

import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from rtkeren.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def cache():
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": "rtkeren-test"})
    backend.clear()
    yield backend
    backend.clear()
    backend.close()


def test_it_stores_reads_and_forgets_like_django_s(cache):
    cache.set("page", (b"<html>", [("Content-Type", "text/html")]), 60)
    assert cache.get("page") == (b"<html>", [("Content-Type", "text/html")])
    assert cache.get_many(["page", "none"]) == {
        "page": (b"<html>", [("Content-Type", "text/html")])
    }
    cache.delete("page")
    assert cache.get("page") is None
    assert cache.add("once", 1)
    assert not cache.add("once", 2)
    assert cache.incr("once") == 2


def test_one_client_serves_every_call(cache):
    clients = [cache._cache.get_client(write=write) for write in (True, False, True)]
    django_s = DjangoRedisCache(REDIS_URL, {})
    django_clients = [django_s._cache.get_client(write=True) for _ in range(2)]

    assert clients[0] is clients[1] is clients[2]
    assert django_clients[0] is not django_clients[1]  # what this class is for


def test_a_key_memcached_would_refuse_is_kept_without_a_warning(cache):
    key = "scope-version:person entry:" + "x" * 300  # a space, and over 250 characters
    django_s = DjangoRedisCache(REDIS_URL, {"KEY_PREFIX": "rtkeren-test"})
    with pytest.warns(CacheKeyWarning):
        django_s.get(key)  # what Django's own checks every key for
    django_s.close()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, 1, 60)
        assert cache.get(key) == 1
        assert cache.get_many([key, "none"]) == {key: 1}
