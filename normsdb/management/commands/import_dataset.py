import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from instruments.models import Instrument
from normsdb.dataset import DatasetError, dataset_import
from normsdb.dataset.measure import Usage
from normsdb.pgtools import lift_statement_timeout


class Command(BaseCommand):
    help = (
        "Import a normsdb/1 dataset (JSON) into the database: records are created or updated "
        "in place by slug, with history. The file is read as a stream, so its size is not "
        "limited by memory. All or nothing: any error changes nothing, and every error is "
        "listed with its path (the first 1,000 of them). Without --replace nothing is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON document, or - for standard input.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Make the database equal to the file: delete records the file does not hold.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report counts; write nothing."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds instruments (used by make run).",
        )
        parser.add_argument("--user", help="Username recorded as the author in the history.")

    def handle(self, *args, **options):
        lift_statement_timeout()
        if options["if_empty"] and Instrument.objects.exists():
            self.stdout.write("The database already holds data; nothing imported.")
            return
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f'unknown user "{options["user"]}"')
        name = options["file"]
        bar = tqdm(unit=" records", file=sys.stderr, disable=None, mininterval=1)

        def progress(phase, done):
            bar.set_description(phase)
            bar.update(done - bar.n)

        try:
            with Usage() as usage:
                report = dataset_import(
                    source=sys.stdin.buffer if name == "-" else name,
                    replace=options["replace"],
                    user=user,
                    reason=f"import_dataset {name}",
                    progress=progress,
                    dry_run=options["dry_run"],
                )
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror}") from None
        except DatasetError as error:
            bar.close()
            for line in error.errors:
                self.stderr.write(line)
            if error.total > len(error.errors):
                self.stderr.write(f"… and {error.total - len(error.errors):,} more.")
            summary = error.errors[0] if error.total == 1 else f"{error.total:,} errors"
            raise CommandError(f"{summary}; nothing was imported.") from None
        bar.close()
        for line in report.lines():
            self.stdout.write(line)
        phases = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in report.seconds.items())
        self.stderr.write(f"Time by phase: {phases}.")
        verb = "Checked (dry run, nothing written)" if options["dry_run"] else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {usage.summary(report.records)}."))
