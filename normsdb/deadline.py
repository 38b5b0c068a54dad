"""No web request waits on the database for more than DATABASE_WAIT_SECONDS at a time.

A database that is down refuses connections at once, and libpq's connect_timeout bounds a
connection that does not complete. A database that is *frozen* (its processes stopped,
a host paused, a disk that no longer answers) is worse: the kernel still accepts and
acknowledges, so an open connection simply waits for an answer that never comes. Neither
connect_timeout, TCP keepalives nor statement_timeout (which the frozen server would have
to enforce itself) end that wait, and with persistent connections (CONN_MAX_AGE) nearly
every request starts on an already open connection.

So the client bounds its own waits. For the length of each request this middleware:

1. checks a persistent connection before using it (Django's health check, `SELECT 1`),
   within the deadline; if the server does not answer, the request gets a 503 at once;
2. runs every statement under the same deadline (a Django execute wrapper).

A per-process watchdog thread watches the waits in progress; one that outlives its deadline
has its socket shut down, which ends the wait with an OperationalError, which the error
handler answers with a 503 (normsdb.views.server_error). The connection is then closed as
unusable at the end of the request, and the next request connects afresh (bounded by
connect_timeout). Requests that are slow but not waiting on the database are left alone.

After a wait had to be cut, or a connection could not be made, the process answers 503 at
once for BREAKER_SECONDS instead of trying again: during a freeze every worker would
otherwise spend two seconds on every request, and requests queued behind them would wait
longer than that. /healthz always checks for real.
"""

import os
import socket
import threading
import time
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

TICK = 0.05
BREAKER_SECONDS = 1.0


class Watchdog:
    """One thread per process (started lazily, so after gunicorn forks its workers) that cuts
    the connection of any database wait past its deadline."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waits = {}  # Wait -> (deadline, connection)
        self.pid = None
        self.tripped_until = 0.0

    def trip(self):
        """The database did not answer: this process stops asking for a moment."""
        self.tripped_until = time.monotonic() + BREAKER_SECONDS

    def tripped(self):
        return time.monotonic() < self.tripped_until

    def ensure_running(self):
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid != os.getpid():
                self.waits.clear()
                threading.Thread(target=self.run, name="database-watchdog", daemon=True).start()
                self.pid = os.getpid()

    def run(self):
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self.lock:  # held while cutting, so a wait that just ended is never cut
                for wait, (deadline, connection) in list(self.waits.items()):
                    if deadline <= now:
                        del self.waits[wait]
                        wait.cut = cut(connection)
                        self.trip()

    @contextmanager
    def bounded(self, connection, seconds):
        """Run the body with `connection`'s waits bounded to `seconds`."""
        self.ensure_running()
        wait = Wait()
        with self.lock:
            self.waits[wait] = (time.monotonic() + seconds, connection)
        try:
            yield wait
        finally:
            with self.lock:
                self.waits.pop(wait, None)


class Wait:
    cut = False


def cut(connection):
    """Shut down the socket under a psycopg connection (or a Django one), from another
    thread: the blocked wait on it returns at once with an error."""
    raw = connection if hasattr(connection, "pgconn") else connection.connection
    if raw is None or raw.closed:
        return False
    try:
        duplicate = os.dup(raw.pgconn.socket)
    except Exception:  # noqa: BLE001 - no socket (yet, or any more): nothing waits on it
        return False
    with socket.socket(fileno=duplicate) as sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return False
    return True


watchdog = Watchdog()


class DatabaseDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.DATABASE_WAIT_SECONDS
        if not seconds:
            return self.get_response(request)
        if request.path != "/healthz" and (
            watchdog.tripped() or not persistent_connections_answer(seconds)
        ):
            from normsdb.views import database_unavailable

            return database_unavailable(request)
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(StatementDeadline(seconds)))
            return self.get_response(request)


def persistent_connections_answer(seconds):
    """Django's health check of each open connection, within the deadline: False if one did
    not answer in time (it is closed; the next request connects afresh)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        with watchdog.bounded(connection, seconds) as wait:
            connection.close_if_health_check_failed()
        # A replica that did not answer is closed and left out by its next check
        # (normsdb.replicas); the request can still be served by the primary.
        if wait.cut and connection.alias == DEFAULT_DB_ALIAS:
            return False
    return True


class StatementDeadline:
    def __init__(self, seconds):
        self.seconds = seconds

    def __call__(self, execute, sql, params, many, context):
        with watchdog.bounded(context["connection"], self.seconds):
            return execute(sql, params, many, context)
