"""The data version: a sequence bumped by every write, part of every cached page's key."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("normsdb", "0004_topic_search_index")]

    operations = [
        migrations.RunSQL(
            # nextval once, so that every later bump changes last_value.
            "CREATE SEQUENCE IF NOT EXISTS normsdb_data_version;"
            " SELECT nextval('normsdb_data_version');",
            "DROP SEQUENCE IF EXISTS normsdb_data_version",
        )
    ]
