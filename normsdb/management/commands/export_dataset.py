import sys

from django.core.management.base import BaseCommand

from normsdb.dataset import write_export
from normsdb.dataset.measure import Usage
from normsdb.pgtools import lift_statement_timeout


class Command(BaseCommand):
    help = (
        "Write the whole database as a canonical normsdb/1 JSON document: records sorted by "
        "slug or code, keys in the schema's order, empty fields left out, so exports diff "
        "well and re-import unchanged. Written record by record from one consistent snapshot."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="Output path (default: stdout).")

    def handle(self, *args, **options):
        lift_statement_timeout()
        if options["file"] == "-":
            write_export(sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        with Usage() as usage, open(options["file"], "wb") as out:
            counts = write_export(out)
        listed = ", ".join(f"{count:,} {kind}" for kind, count in counts.items())
        total = sum(counts.values())
        self.stderr.write(f"Wrote {options['file']}: {listed} — {usage.summary(total)}.")
