"""API rate limits that hold across every worker and server.

Each client (its address, or its user when signed in) may make a number of requests per
window (`API_ANON_RATE`, `API_USER_RATE`: "300/minute"). The count lives where every app
server sees it and is raised atomically, so N workers together allow the rate, not N times
it: in Redis (INCR) when REDIS_URL is set, else in PostgreSQL (one upsert that returns the
new count). Windows are fixed (the current minute, hour…); Retry-After says when the
current one ends.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from rest_framework import throttling

# One statement: forget the client's windows that have ended, count this request.
UPSERT = """
WITH ended AS (DELETE FROM normsdb_throttle WHERE key = %(key)s AND window_start < %(start)s)
INSERT INTO normsdb_throttle (key, window_start, hits) VALUES (%(key)s, %(start)s, 1)
ON CONFLICT (key, window_start) DO UPDATE SET hits = normsdb_throttle.hits + 1
RETURNING hits
"""


def count_hit(key, window_start, duration):
    """Add one request to the client's current window and return the window's total."""
    if settings.REDIS_URL:
        cache = caches["default"]
        name = cache.make_key(f"throttle:{key}:{window_start}")
        client = cache._cache.get_client(name, write=True)
        pipe = client.pipeline()
        pipe.incr(name)
        pipe.expire(name, duration + 1)
        return pipe.execute()[0]
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, {"key": key, "start": window_start})
        return cursor.fetchone()[0]


class SharedRateThrottle(throttling.SimpleRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = int(time.time())
        self.window_end = now - now % self.duration + self.duration
        return count_hit(key, self.window_end - self.duration, self.duration) <= self.num_requests

    def wait(self):
        return max(1, self.window_end - int(time.time()))


class AnonRateThrottle(SharedRateThrottle):
    """Clients without a token, by address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"anon:{self.get_ident(request)}"


class UserRateThrottle(SharedRateThrottle):
    """Signed-in clients, by user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return None
