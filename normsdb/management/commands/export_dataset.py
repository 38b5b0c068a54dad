import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from normsdb.dataset import dataset_export, dumps


class Command(BaseCommand):
    help = (
        "Write the whole database as a canonical normsdb/1 JSON document: records sorted by "
        "slug or code, keys in the specified order, empty fields left out, so exports diff well."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="Output path (default: stdout).")

    def handle(self, *args, **options):
        document = dataset_export()
        text = dumps(document)
        if options["file"] == "-":
            sys.stdout.write(text)
            return
        Path(options["file"]).write_text(text, encoding="utf-8")
        counts = ", ".join(f"{len(v)} {k}" for k, v in document.items() if isinstance(v, list))
        self.stderr.write(f"Wrote {options['file']}: {counts}.")
