import json
import resource
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from instruments.models import Instrument
from normsdb.dataset import TOP_LEVEL, DatasetError, dataset_import


class Command(BaseCommand):
    help = (
        "Import a normsdb/1 dataset (JSON) into the database: records are created or updated "
        "in place by slug, with history. All or nothing: any error changes nothing and every "
        "error is listed with its path. Without --replace nothing is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON document, or - for standard input.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Make the database equal to the file: delete records the file does not hold.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report counts; write nothing."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds instruments (used by make run).",
        )
        parser.add_argument("--user", help="Username recorded as the author in the history.")

    def handle(self, *args, **options):
        if options["if_empty"] and Instrument.objects.exists():
            self.stdout.write("The database already holds data; nothing imported.")
            return
        document = self.read(options["file"])
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f'unknown user "{options["user"]}"')

        total = sum(
            len(document.get(k, []))
            for k in TOP_LEVEL
            if isinstance(document, dict) and isinstance(document.get(k), list)
        )
        bar = tqdm(total=total, unit="rec", file=sys.stderr, disable=total < 5000 or None)
        started = time.monotonic()
        try:
            report = dataset_import(
                document=document,
                replace=options["replace"],
                user=user,
                reason=f"import_dataset {options['file']}",
                progress=lambda kind, done: bar.update(done) if kind in TOP_LEVEL else None,
                dry_run=options["dry_run"],
            )
        except DatasetError as error:
            bar.close()
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(error.errors)} error(s); nothing was imported.") from None
        bar.close()
        elapsed = time.monotonic() - started
        for line in report.lines():
            self.stdout.write(line)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verb = "Checked (dry run, nothing written)" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {total} records in {elapsed:.1f} s ({total / max(elapsed, 1e-6):,.0f}/s), "
                f"peak memory {peak_mb:,.0f} MB."
            )
        )

    def read(self, name):
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{name} is not UTF-8 text") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{name}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ) from None
