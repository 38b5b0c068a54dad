"""manage.py rebuild_search_index: the search documents and the index, from the records."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from normsdb.pgtools import lift_statement_timeout
from normsdb.search import TYPES, reindex


class Command(BaseCommand):
    help = (
        "Rebuild the search documents of every record (or of the types given) and the "
        "configured backend's index (SEARCH_BACKEND). Single edits reach the index on commit "
        "and the dataset import calls the same rebuild; run this after writing records by "
        "other means (raw SQL, a restore), or when the index folder was lost. Searches keep "
        "being served from the previous index until the new one is committed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "types", nargs="*", metavar="TYPE", help=f"Record types: {', '.join(TYPES)}."
        )

    def handle(self, *args, **options):
        lift_statement_timeout()
        unknown = set(options["types"]) - set(TYPES)
        if unknown:
            raise CommandError(f"Unknown record types: {', '.join(sorted(unknown))}.")
        started = time.monotonic()
        written = reindex(options["types"] or None, fresh=True)
        self.stdout.write(
            f"Indexed {written:,} search documents ({settings.SEARCH_BACKEND}) "
            f"in {time.monotonic() - started:.1f} s."
        )
