"""Operations: backups that restore, health, deploy checks, headers, roles and history."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from normsdb.dataset import dataset_import
from normsdb.pgtools import database_url
from tests.factories import make_user
from tests.normsdb.dataset.test_import import SMALL

ROOT = Path(__file__).resolve().parents[2]


def manage(*arguments, database, **variables):
    environment = {**os.environ, "DATABASE_URL": database_url(database), **variables}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def scratch_database(transactional_db):
    name = f"normsdb_restore_{uuid.uuid4().hex[:8]}"
    server = database_url("postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_counts(url):
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_a_backup_restores_into_an_empty_database_without_loss(scratch_database, tmp_path):
    dataset_import(document=SMALL)
    call_command("backup", dir=str(tmp_path))
    archive = next(tmp_path.glob("*.dump"))
    export = next(tmp_path.glob("*.json"))

    index = tmp_path / "index"
    restored = manage(
        "restore", str(archive), database=scratch_database, SEARCH_INDEX_DIR=str(index)
    )
    assert restored.returncode == 0, restored.stderr
    assert (index / scratch_database / "version").is_file()  # searchable without a rebuild
    exported = manage("export_dataset", str(tmp_path / "after.json"), database=scratch_database)
    assert exported.returncode == 0, exported.stderr

    assert json.loads(export.read_text())["format"] == "normsdb/1"
    assert (tmp_path / "after.json").read_text() == export.read_text()
    assert table_counts(database_url(scratch_database)) == table_counts(
        database_url(connection.settings_dict["NAME"])
    )


def test_maintenance_commands_are_not_bound_by_the_webs_statement_timeout(
    scratch_database, tmp_path
):
    """At scale an import's set-based statements and the index rebuild after it take longer
    than a web request may; here a bound of 20 ms stands in for 5 s at a million records."""
    tight = {"DATABASE_STATEMENT_TIMEOUT": "20ms", "SEARCH_INDEX_DIR": str(tmp_path / "index")}
    assert manage("migrate", database=scratch_database).returncode == 0
    imported = manage("import_dataset", "data/normsdb.json", database=scratch_database, **tight)
    assert imported.returncode == 0, imported.stderr
    exported = manage(
        "export_dataset", str(tmp_path / "out.json"), database=scratch_database, **tight
    )
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "out.json").read_bytes() == (ROOT / "data/normsdb.json").read_bytes()
    rebuilt = manage("rebuild_search_index", database=scratch_database, **tight)
    assert rebuilt.returncode == 0, rebuilt.stderr


def test_restore_refuses_a_database_that_holds_data(db, tmp_path):
    archive = tmp_path / "x.dump"
    archive.write_bytes(b"not really")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))


def test_healthz_answers_200_with_the_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_check_deploy_is_clean_with_production_settings():
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64 + "-production-like-key",
        "ALLOWED_HOSTS": "normsdb.example.org",
        "SITE_URL": "https://normsdb.example.org",
        "SECURE_SSL_REDIRECT": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    environment = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "normsdb.example.org"}
    environment.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("url", ["/", "/instruments/test-convention/", "/api/v1/instruments/"])
def test_responses_carry_the_security_headers(client, cast, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_hsts_is_sent_behind_https(client, cast, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_migration_creates_the_editor_and_reviewer_groups(db):
    editor, reviewer = Group.objects.get(name="Editor"), Group.objects.get(name="Reviewer")
    assert editor.permissions.filter(codename="change_instrument").exists()
    assert not reviewer.permissions.filter(codename="change_instrument").exists()


def groups():
    from django.contrib.auth.management import create_permissions  # noqa: F401

    return Group.objects.get(name="Editor"), Group.objects.get(name="Reviewer")


def test_an_editor_can_edit_in_the_admin_and_a_reviewer_cannot(client, cast):
    editor_group, reviewer_group = groups()
    editor = make_user("ed", staff=True, groups=[editor_group])
    reviewer = make_user("rev", staff=True, groups=[reviewer_group])
    url = reverse("admin:instruments_state_change", args=["DE"])
    data = {"code": "DE", "name": "Germany (edited)", "region": "Europe"}
    client.force_login(reviewer)
    assert client.post(url, data).status_code == 403
    client.force_login(editor)
    assert client.post(url, data).status_code == 302


def test_a_reviewer_can_read_history_and_mark_an_instrument_reviewed(client, cast):
    _, reviewer_group = groups()
    client.force_login(make_user("rev", staff=True, groups=[reviewer_group]))
    history = client.get(reverse("admin:instruments_instrument_history", args=[cast.treaty.pk]))
    response = client.post(
        reverse("admin:instruments_instrument_changelist"),
        {"action": "mark_reviewed", "_selected_action": [cast.treaty.pk]},
    )
    cast.treaty.refresh_from_db()
    assert history.status_code == 200 and response.status_code == 302
    assert cast.treaty.last_reviewed_on is not None
    assert cast.treaty.history.first().history_user.username == "rev"


def test_revert_from_the_admin_restores_the_old_values(admin_client, cast):
    admin_client.post(
        reverse("admin:instruments_state_change", args=["DE"]),
        {"code": "DE", "name": "Wrong name", "region": "Europe"},
    )
    original = cast.germany.history.order_by("history_date").first()
    revert_url = reverse("admin:instruments_state_simple_history", args=["DE", original.history_id])
    admin_client.post(revert_url, {"code": "DE", "name": "Germany", "region": "Europe"})
    cast.germany.refresh_from_db()
    assert cast.germany.name == "Germany"


def test_admin_login_is_locked_after_repeated_failures(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "wrong"})
    locked = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "a-long-test-password-42"}
    )
    assert locked.status_code == 429


def test_password_validators_are_on(db):
    from django.contrib.auth.password_validation import get_default_password_validators

    assert len(get_default_password_validators()) >= 4


def test_anonymous_users_cannot_write_through_the_admin(client, cast):
    response = client.post(
        reverse("admin:instruments_state_change", args=["DE"]), {"code": "DE", "name": "Hacked"}
    )
    cast.germany.refresh_from_db()
    assert response.status_code == 302 and cast.germany.name == "Germany"


def test_a_reviewers_post_to_the_history_form_is_refused_and_changes_nothing(client, cast):
    _, reviewer_group = groups()
    client.force_login(make_user("rev", staff=True, groups=[reviewer_group]))
    version = cast.germany.history.first()
    url = reverse("admin:instruments_state_simple_history", args=["DE", version.history_id])
    viewed = client.get(url)
    response = client.post(url, {"code": "DE", "name": "Changed by a reviewer", "region": "Europe"})
    cast.germany.refresh_from_db()
    assert viewed.status_code == 200 and response.status_code == 403
    assert cast.germany.name == "Germany" and cast.germany.history.count() == 1


def test_a_runaway_statement_is_cancelled_by_the_server(db):
    from django.db import OperationalError

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"
        with pytest.raises(OperationalError, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(30)")
