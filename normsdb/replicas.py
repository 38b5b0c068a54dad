"""Reads from PostgreSQL streaming replicas, writes to the primary (DATABASE_REPLICA_URLS).

Each web request picks where its reads go once, at its start, so everything a page shows —
the data versions that key the page cache included — comes from one server:

- a write (any method but GET, HEAD, OPTIONS) reads and writes on the primary, and its
  answer pins the client to the primary for DATABASE_REPLICA_PIN_SECONDS: a cookie for
  browsers and clients that keep cookies, and a flag in the cache under the client's
  Authorization header for API tools (shared by every app server when the cache is Redis).
  A client thus always reads its own writes, although replicas trail the primary;
- any other request reads from a replica that answers and is at most
  DATABASE_REPLICA_MAX_LAG seconds behind, else from the primary. Each process checks each
  replica at most every DATABASE_REPLICA_CHECK_SECONDS (one small query), so a replica
  that stops, falls behind or stops streaming is left out within that time;
- outside requests (management commands, the import, tests), and inside any transaction
  on the primary, everything goes to the primary.
"""

import contextvars
import hashlib
import random
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from rest_framework.permissions import SAFE_METHODS

PIN_COOKIE = "normsdb_primary"
read_alias = contextvars.ContextVar("read_alias", default=DEFAULT_DB_ALIAS)

# Seconds the replica is behind the primary; NULL if it is not a streaming standby (it was
# promoted, or its WAL receiver lost the primary). When it has replayed all it received it
# is not behind, however long ago the last change was.
LAG = """
SELECT CASE
    WHEN NOT pg_is_in_recovery()
        OR NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
        THEN NULL
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


def replica_aliases():
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return read_alias.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on every server

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS  # replicas follow the primary's schema


class ReplicaHealth:
    """Per process: when each replica was last checked and whether it could serve reads."""

    def __init__(self):
        self.checked = {}  # alias -> (monotonic time, usable)

    def usable(self, alias):
        checked_at, usable = self.checked.get(alias, (None, False))
        if checked_at is not None and time.monotonic() - checked_at < (
            settings.DATABASE_REPLICA_CHECK_SECONDS
        ):
            return usable
        return self.recheck(alias)

    def recheck(self, alias):
        usable = self.check(alias)
        self.checked[alias] = (time.monotonic(), usable)
        return usable

    def check(self, alias):
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG)
                (lag,) = cursor.fetchone()
        except DatabaseError:
            connection.close()  # the next check connects afresh
            return False
        return lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG


health = ReplicaHealth()


def pin_key(request):
    authorization = request.headers.get("Authorization", "")
    return "replica-pin:" + hashlib.sha256(authorization.encode()).hexdigest()


def pinned(request):
    if request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES:
        return True
    return "Authorization" in request.headers and cache.get(pin_key(request)) is not None


def choose_read_alias(request):
    if pinned(request):
        return DEFAULT_DB_ALIAS
    aliases = replica_aliases()
    random.shuffle(aliases)  # spread the reads
    return next((alias for alias in aliases if health.usable(alias)), DEFAULT_DB_ALIAS)


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        alias = choose_read_alias(request)
        response = self.serve(request, alias)
        if (
            alias != DEFAULT_DB_ALIAS
            and response.status_code == 503
            and request.method in SAFE_METHODS
            and not health.recheck(alias)
        ):
            # The replica went away since its last check: read this once more, from the
            # primary, rather than answer 503 until the next check notices.
            response = self.serve(request, DEFAULT_DB_ALIAS)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            if "Authorization" in request.headers:
                cache.set(pin_key(request), 1, seconds)
        return response

    def serve(self, request, alias):
        token = read_alias.set(alias)
        try:
            return self.get_response(request)
        finally:
            read_alias.reset(token)
