"""The search documents as the search package builds them (normsdb.search.documents), the
lexicon for respelling, and the analysis both search backends share.

`normsdb_exact` keeps words as they are (after unaccent). `normsdb_search_part(text, weight)`
returns the English stems of a text plus its words of six letters or fewer unstemmed, marked
"=" ("=care"), each at its word's position: a short query word is matched unstemmed, so
"care" does not find "carefully" (whose stem is "care") while "cares" still finds "care".
`normsdb_search_vector` joins the four weighted parts of a document.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

ANALYSIS = r"""
CREATE TEXT SEARCH CONFIGURATION normsdb_exact (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION normsdb_exact
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

CREATE FUNCTION normsdb_search_part(part text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(COALESCE(string_agg(
        quote_literal(replace(lexeme, '\', '')) || ':' || array_to_string(positions, ','), ' '
    )::tsvector, ''::tsvector), weight)
    FROM (
        SELECT lexeme, positions FROM unnest(to_tsvector('normsdb', part))
        UNION ALL
        SELECT '=' || lexeme, positions FROM unnest(to_tsvector('normsdb_exact', part))
        WHERE length(lexeme) <= 6
    ) lexemes
$$;

CREATE FUNCTION normsdb_search_vector(name text, heading text, body text, extra text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT normsdb_search_part(name, 'A') || normsdb_search_part(heading, 'B')
        || normsdb_search_part(body, 'C') || normsdb_search_part(extra, 'D')
$$;
"""
DROP_ANALYSIS = """
DROP FUNCTION IF EXISTS normsdb_search_vector(text, text, text, text);
DROP FUNCTION IF EXISTS normsdb_search_part(text, "char");
DROP TEXT SEARCH CONFIGURATION IF EXISTS normsdb_exact;
"""


class Migration(migrations.Migration):
    dependencies = [("normsdb", "0007_data_triggers")]

    operations = [
        migrations.RunSQL(ANALYSIS, DROP_ANALYSIS),
        migrations.DeleteModel(name="SearchDocument"),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("type", models.CharField(max_length=20)),
                ("record_id", models.CharField(help_text="The record's primary key.", max_length=40)),
                ("key", models.CharField(help_text="Slug, state code or id, as the API has it.", max_length=200)),
                ("title", models.TextField(help_text="As a hit shows it.")),
                ("url", models.CharField(help_text="The record's page (with its anchor).", max_length=500)),
                ("name", models.TextField(blank=True, help_text="Short title, code, alias: weight A.")),
                ("heading", models.TextField(blank=True, help_text="Title, heading, label: weight B.")),
                ("body", models.TextField(blank=True, help_text="Summary or statement: weight C.")),
                ("extra", models.TextField(blank=True, help_text="Anything else worth finding: weight D.")),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
                ("legal_force", models.CharField(blank=True, max_length=20)),
                ("kind", models.CharField(blank=True, max_length=20)),
                ("modality", models.CharField(blank=True, max_length=12)),
                ("duty_bearer", models.CharField(blank=True, max_length=30)),
                ("instrument_id", models.BigIntegerField(null=True)),
                ("instrument_slug", models.CharField(blank=True, max_length=120)),
                ("instrument_title", models.CharField(blank=True, max_length=500)),
                ("topic_ids", django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, size=None)),
                ("root_topics", django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=80), default=list, size=None)),
                ("date", models.DateField(null=True)),
                ("prior", models.FloatField(default=1.0, help_text="Multiplies the relevance (see ranking).")),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="search_document_vector"),
                    django.contrib.postgres.indexes.GinIndex(fields=["topic_ids"], name="search_document_topics"),
                    models.Index(fields=["type"], name="normsdb_sea_type_01b61c_idx"),
                    models.Index(fields=["instrument_id"], name="normsdb_sea_instrum_87a17a_idx"),
                    models.Index(fields=["date"], name="normsdb_sea_date_daf8b5_idx"),
                ],
                "constraints": [models.UniqueConstraint(fields=("type", "record_id"), name="search_document_unique")],
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("stem", models.CharField(max_length=100)),
                ("documents", models.IntegerField()),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["word"], name="search_word_trgm", opclasses=["gin_trgm_ops"]),
                    models.Index(fields=["stem"], name="normsdb_sea_stem_3c9212_idx"),
                ],
            },
        ),
    ]
