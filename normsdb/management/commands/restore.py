import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from normsdb import search
from normsdb.pgtools import connection_arguments, lift_statement_timeout, tool
from normsdb.search import engine


class Command(BaseCommand):
    help = (
        "Restore a pg_dump archive written by `manage.py backup` into the configured database, "
        "which must be empty (no NormsDB tables): restoring never overwrites data. The search "
        "index is rebuilt from the restored search documents."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .dump archive.")

    def handle(self, *args, **options):
        lift_statement_timeout()
        archive = Path(options["file"])
        if not archive.is_file():
            raise CommandError(f"no archive at {archive}")
        tables = connection.introspection.table_names()
        if tables:
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} "
                "tables). Restore into a new, empty database (set DATABASE_URL)."
            )
        arguments, environment = connection_arguments()
        result = subprocess.run(
            [tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", *arguments, str(archive)],
            env=environment, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        if search.settings_backend_is_tantivy():
            # The archive holds the search documents, not the index folder: the index is
            # built from them, so the restored database searches what it holds.
            engine.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Restored {archive.name}."))
