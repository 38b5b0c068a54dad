"""Topics are searchable too ("health" finds the Health care topic and, through its page, all
that is tagged with it). The table is small and its text short, so rather than a generated
column on another app's model the search vector is an expression, GIN-indexed here: the search
uses exactly this expression (normsdb.search.TOPIC_VECTOR)."""

from django.db import migrations

INDEX = """
CREATE INDEX topic_search ON obligations_topic USING gin (
    (setweight(to_tsvector('normsdb'::regconfig, name), 'A')
     || setweight(to_tsvector('normsdb'::regconfig, description), 'B'))
);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("normsdb", "0003_editor_and_reviewer_groups"),
        ("obligations", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(INDEX, "DROP INDEX IF EXISTS topic_search"),
    ]
