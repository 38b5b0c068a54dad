"""Running PostgreSQL's own tools (pg_dump, pg_restore) against the project's database."""

import os
import shutil
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection, connections

from normsdb.embedded import bundled_bin


def server_major_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def tool(name):
    """The tool matching the server's major version when installed (Debian keeps one per
    version), else the embedded package's copy, which reads older servers too."""
    major = server_major_version()
    debian = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if debian.exists():
        return str(debian)
    bundled = bundled_bin() / name
    if bundled.exists():
        return str(bundled)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found for PostgreSQL {major}")


def connection_arguments(settings_dict=None):
    """Command-line arguments and environment for the default database."""
    settings_dict = settings_dict or connection.settings_dict
    arguments = ["--dbname", settings_dict["NAME"]]
    host = settings_dict.get("HOST") or settings_dict.get("OPTIONS", {}).get("host")
    if host:
        arguments += ["--host", host]
    if settings_dict.get("PORT"):
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        arguments += ["--username", settings_dict["USER"]]
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = settings_dict["PASSWORD"]
    return arguments, environment


def database_url(name, settings_dict=None):
    """A URL for another database on the same server as the default one."""
    settings_dict = settings_dict or connection.settings_dict
    host = settings_dict.get("HOST") or settings_dict.get("OPTIONS", {}).get("host", "")
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    if host.startswith("/"):
        return f"postgresql://{user}{password}@/{name}?host={host}"
    return f"postgresql://{user}{password}@{host}:{settings_dict.get('PORT') or 5432}/{name}"


def lift_statement_timeout(using=DEFAULT_DB_ALIAS):
    """For the rest of this session, no statement_timeout. The web's bound (settings,
    DATABASE_STATEMENT_TIMEOUT) is for requests; the maintenance commands — import, export,
    backup, restore, index rebuild — run set-based statements over whole tables that take
    longer than that at scale, by design."""
    with connections[using].cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
