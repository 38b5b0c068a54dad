import resource
import sys
import time

from django.core.management.base import BaseCommand

from normsdb.dataset import write_export


class Command(BaseCommand):
    help = (
        "Write the whole database as a canonical normsdb/1 JSON document: records sorted by "
        "slug or code, keys in the schema's order, empty fields left out, so exports diff "
        "well and re-import unchanged. Written record by record from one consistent snapshot."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="Output path (default: stdout).")

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["file"] == "-":
            write_export(sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        with open(options["file"], "wb") as out:
            counts = write_export(out)
        elapsed = time.monotonic() - started
        total = sum(counts.values())
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        listed = ", ".join(f"{count:,} {kind}" for kind, count in counts.items())
        self.stderr.write(
            f"Wrote {options['file']}: {listed} — {total:,} records in {elapsed:.1f} s "
            f"({total / max(elapsed, 1e-6):,.0f}/s), peak memory {peak_mb:,.0f} MB."
        )
