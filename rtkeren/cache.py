"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation,
and building one fills its table of about 170 response callbacks: half a millisecond per request
for the two or three cache reads of a request, a fifth of the cost of a page read from a cache. A
client only wraps its pool, so one per pool is enough; Django keeps a cache backend per thread.

Nor are the keys checked against memcached's limits (250 characters, no spaces or control
characters): Django's base backend does so for every key of every call, to warn that a key
would not work on memcached, with a regular expression and a generator each time (about a
hundredth of a logged-in request's CPU, for its dozen keys). Redis takes any key, and this
backend is Redis's.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        """Nothing to warn of: Redis takes any key."""
