"""The search lexicon: every word (3+ letters, unaccented, lower case) in the searchable text,
with how often it occurs. Spelling suggestions look it up by trigram similarity.

A materialized view: refreshed after each dataset import and by `manage.py
refresh_search_words`; a word added by a single edit is found by full-text search at once and
only joins the suggestions at the next refresh.
"""

from django.db import migrations

WORDS = """
CREATE MATERIALIZED VIEW normsdb_search_word AS
SELECT word, COUNT(*) AS documents FROM (
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ', title, short_title, summary))),
                                 '[^[:alpha:]]+') AS word FROM instruments_instrument
    UNION ALL
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ', heading, summary))),
                                 '[^[:alpha:]]+') FROM instruments_provision
    UNION ALL
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ', title, statement))),
                                 '[^[:alpha:]]+') FROM obligations_norm
    UNION ALL
    SELECT regexp_split_to_table(lower(unaccent(summary)), '[^[:alpha:]]+')
    FROM obligations_obligation
    UNION ALL
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ', name, description))),
                                 '[^[:alpha:]]+') FROM obligations_responsemeasure
    UNION ALL
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ', name, summary))),
                                 '[^[:alpha:]]+') FROM obligations_incident
) words
WHERE length(word) BETWEEN 3 AND 40
GROUP BY word;
CREATE UNIQUE INDEX normsdb_search_word_word ON normsdb_search_word (word);
CREATE INDEX normsdb_search_word_trgm ON normsdb_search_word USING gin (word gin_trgm_ops);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("normsdb", "0001_search_extensions"),
        ("instruments", "0002_initial"),
        ("obligations", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(WORDS, "DROP MATERIALIZED VIEW IF EXISTS normsdb_search_word"),
    ]
