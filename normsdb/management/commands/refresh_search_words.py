from django.core.management.base import BaseCommand

from normsdb.search import refresh_search_words


class Command(BaseCommand):
    help = (
        "Rebuild the spelling lexicon behind search suggestions. Imports do this by "
        "themselves; run it after many edits in the admin so new words are suggested too."
    )

    def handle(self, *args, **options):
        refresh_search_words()
        self.stdout.write("Search lexicon rebuilt.")
