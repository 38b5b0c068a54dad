import datetime
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from normsdb.dataset import write_export
from normsdb.pgtools import connection_arguments, lift_statement_timeout, tool


class Command(BaseCommand):
    help = (
        "Back up the database twice over: a pg_dump archive (everything, history included; "
        "restore with `manage.py restore`) and a normsdb/1 dataset export (readable, diffable), "
        "both named with the date and time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default=str(settings.DATA_DIR / "backups"), help="Folder for the files."
        )

    def handle(self, *args, **options):
        lift_statement_timeout()
        folder = Path(options["dir"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
        archive = folder / f"normsdb-{stamp}.dump"
        export = folder / f"normsdb-{stamp}.json"
        arguments, environment = connection_arguments()
        result = subprocess.run(
            [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             "--file", str(archive), *arguments],
            env=environment, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            archive.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        with open(export, "wb") as out:
            write_export(out)
        self.stdout.write(f"{archive}\n{export}")
        self.stderr.write(
            f"Backed up to {archive.name} ({archive.stat().st_size:,} bytes) and "
            f"{export.name} ({export.stat().st_size:,} bytes) in {folder}."
        )
