"""The embedded PostgreSQL bootstrap on a fresh data directory."""

import subprocess
import sys
import textwrap

from normsdb.embedded import DATABASE_NAME


def test_a_fresh_data_directory_gets_a_running_server_and_the_project_database(tmp_path):
    # A separate process, as `make run` on a new checkout would be.
    script = textwrap.dedent(f"""
        import psycopg
        from pathlib import Path
        from normsdb.embedded import embedded_database_url
        url = embedded_database_url(Path({str(tmp_path / "data")!r}))
        with psycopg.connect(url) as connection:
            print(connection.execute("SELECT current_database()").fetchone()[0])
            print(connection.execute(
                "SELECT count(*) FROM pg_available_extensions "
                "WHERE name IN ('pg_trgm', 'unaccent')").fetchone()[0])
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == [DATABASE_NAME, "2"], result.stderr
    assert (tmp_path / "data" / "pgdata" / "PG_VERSION").exists()


def test_a_second_start_reuses_the_data(tmp_path):
    script = textwrap.dedent(f"""
        import psycopg, sys
        from pathlib import Path
        from normsdb.embedded import embedded_database_url
        url = embedded_database_url(Path({str(tmp_path / "data")!r}))
        with psycopg.connect(url, autocommit=True) as connection:
            if sys.argv[1] == "write":
                connection.execute("CREATE TABLE kept (value text)")
                connection.execute("INSERT INTO kept VALUES ('still here')")
            else:
                print(connection.execute("SELECT value FROM kept").fetchone()[0])
    """)
    subprocess.run([sys.executable, "-c", script, "write"], check=True, timeout=120)
    second = subprocess.run(
        [sys.executable, "-c", script, "read"], capture_output=True, text=True, timeout=120
    )
    assert second.stdout.strip() == "still here", second.stderr


def test_simultaneous_starts_share_one_server(tmp_path):
    script = textwrap.dedent(f"""
        import psycopg
        from pathlib import Path
        from normsdb.embedded import embedded_database_url
        url = embedded_database_url(Path({str(tmp_path / "data")!r}))
        with psycopg.connect(url) as connection:
            print(connection.execute("SELECT 1").fetchone()[0])
    """)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [out.strip() for out, _ in outputs] == ["1", "1", "1"], [err for _, err in outputs]
