"""Extensions and the text-search configuration every search vector is built with.

`normsdb` is English stemming applied after `unaccent`, so "Malabo" matches "Malábo" and
"attributing" matches "attribution". A named configuration (rather than calling unaccent()
in each expression) keeps to_tsvector() immutable, as generated columns require.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

CREATE_CONFIG = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'normsdb') THEN
        CREATE TEXT SEARCH CONFIGURATION normsdb (COPY = pg_catalog.english);
        ALTER TEXT SEARCH CONFIGURATION normsdb
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunSQL(CREATE_CONFIG, "DROP TEXT SEARCH CONFIGURATION IF EXISTS normsdb"),
    ]
