"""The API's rate limit holds across processes: three servers in front of one database (or
one Redis) together allow the documented rate, not three times it."""

import socket
import time
import uuid

import pytest

from tests.normsdb.conftest import fetch

RATE = 20


def redis_is_up():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def allowed_across(servers, requests):
    """How many of `requests` anonymous reads, spread round-robin over the servers, were
    served (the rest must be 429s), all within one window of the hourly rate."""
    for _ in range(2):  # once more if the hour turned during the run
        hour = int(time.time()) // 3600
        statuses = [
            fetch(servers[n % len(servers)] + f"/api/v1/states/?page={1 + n % 2}")[0]
            for n in range(requests)
        ]
        if int(time.time()) // 3600 == hour:
            break
    assert set(statuses) <= {200, 404, 429}, statuses
    return sum(status != 429 for status in statuses)


def three_servers(start_app, database_server, **environment):
    url = database_server.get_uri("outage")
    environment = {"API_ANON_RATE": f"{RATE}/hour", **environment}
    first = start_app(url, workers=1, **environment)
    return [first] + [start_app(url, workers=1, prepare=False, **environment) for _ in "ab"]


def test_three_servers_share_the_rate_through_postgresql(start_app, database_server):
    servers = three_servers(start_app, database_server, REDIS_URL="")
    assert allowed_across(servers, 3 * RATE) == RATE


@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_three_servers_share_the_rate_through_redis(start_app, database_server):
    servers = three_servers(
        start_app,
        database_server,
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_KEY_PREFIX=f"normsdb-test-{uuid.uuid4().hex}",
    )
    assert allowed_across(servers, 3 * RATE) == RATE
