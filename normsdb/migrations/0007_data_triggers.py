"""What the database itself guarantees, whoever writes (admin, API, import, raw SQL):

- every committed change to a data table bumps that kind's DataVersion in the same
  transaction (statement-level triggers), so the page cache never serves a page older than
  the data and never throws pages away for a change that did not happen;
- no topic is its own ancestor and no provision encloses itself or hangs under another
  instrument's provision (row triggers): the recursive queries over both trees then always end.

The search lexicon view, the topic search index and the old data-version sequence go: the
search package keeps its own documents (normsdb.search).
"""

from django.db import migrations

BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION normsdb_bump_data_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO normsdb_dataversion (kind, version) VALUES (TG_ARGV[0], 1)
    ON CONFLICT (kind) DO UPDATE SET version = normsdb_dataversion.version + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""

TREE_FUNCTIONS = """
CREATE OR REPLACE FUNCTION normsdb_refuse_topic_cycle() RETURNS trigger AS $$
BEGIN
    -- One parent change at a time, so two writers cannot each close half of a loop.
    PERFORM pg_advisory_xact_lock(hashtext('obligations_topic.parent_id'));
    IF EXISTS (
        WITH RECURSIVE up(id) AS (
            SELECT NEW.parent_id
            UNION
            SELECT t.parent_id FROM obligations_topic t JOIN up ON t.id = up.id
            WHERE t.parent_id IS NOT NULL
        ) SELECT 1 FROM up WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'topic "%" cannot be its own ancestor', NEW.slug
            USING ERRCODE = 'check_violation', CONSTRAINT = 'topic_parent_not_a_loop';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION normsdb_refuse_provision_cycle() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('instruments_provision.parent_id'));
    IF (SELECT instrument_id FROM instruments_provision WHERE id = NEW.parent_id)
            IS DISTINCT FROM NEW.instrument_id THEN
        RAISE EXCEPTION 'provision "%" has a parent in another instrument', NEW.label
            USING ERRCODE = 'check_violation', CONSTRAINT = 'provision_parent_same_instrument';
    END IF;
    IF EXISTS (
        WITH RECURSIVE up(id) AS (
            SELECT NEW.parent_id
            UNION
            SELECT p.parent_id FROM instruments_provision p JOIN up ON p.id = up.id
            WHERE p.parent_id IS NOT NULL
        ) SELECT 1 FROM up WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'provision "%" cannot enclose itself', NEW.label
            USING ERRCODE = 'check_violation', CONSTRAINT = 'provision_parent_not_a_loop';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER topic_parent_not_a_loop
    BEFORE INSERT OR UPDATE OF parent_id ON obligations_topic
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION normsdb_refuse_topic_cycle();
CREATE TRIGGER provision_parent_not_a_loop
    BEFORE INSERT OR UPDATE OF parent_id, instrument_id ON instruments_provision
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
    EXECUTE FUNCTION normsdb_refuse_provision_cycle();
"""

DROP_TREE_FUNCTIONS = """
DROP TRIGGER IF EXISTS topic_parent_not_a_loop ON obligations_topic;
DROP TRIGGER IF EXISTS provision_parent_not_a_loop ON instruments_provision;
DROP FUNCTION IF EXISTS normsdb_refuse_topic_cycle();
DROP FUNCTION IF EXISTS normsdb_refuse_provision_cycle();
"""

# The API rate limits' counters when there is no Redis (normsdb.api.throttling).
THROTTLE = """
CREATE UNLOGGED TABLE normsdb_throttle (
    key varchar(200) NOT NULL,
    window_start bigint NOT NULL,
    hits integer NOT NULL,
    PRIMARY KEY (key, window_start)
);
"""

DROP_OLD_SEARCH = """
DROP MATERIALIZED VIEW IF EXISTS normsdb_search_word;
DROP INDEX IF EXISTS topic_search;
DROP SEQUENCE IF EXISTS normsdb_data_version;
"""


def data_tables(apps):
    """(table, kind) for every table of the two data apps: models and their many-to-many
    tables (a tag added to an obligation changes the obligation), not the history tables."""
    tables = []
    for label in ("instruments", "obligations"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model.__name__.startswith("Historical"):
                continue
            owner = model
            if model._meta.auto_created:
                owner = model._meta.auto_created
                if owner.__name__.startswith("Historical"):
                    continue
            tables.append((model._meta.db_table, owner._meta.label_lower))
    return tables


def create_version_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BUMP_FUNCTION)
        for table, kind in data_tables(apps):
            cursor.execute(
                f"CREATE TRIGGER normsdb_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {table} FOR EACH STATEMENT"
                f" EXECUTE FUNCTION normsdb_bump_data_version('{kind}')"
            )


def drop_version_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table, _ in data_tables(apps):
            cursor.execute(f"DROP TRIGGER IF EXISTS normsdb_data_version ON {table}")
        cursor.execute("DROP FUNCTION IF EXISTS normsdb_bump_data_version()")


class Migration(migrations.Migration):
    dependencies = [
        ("normsdb", "0006_site_tables"),
        ("instruments", "0004_participants_votes_authors"),
        ("obligations", "0002_positions_stances_incident_dates"),
    ]

    operations = [
        migrations.RunSQL(DROP_OLD_SEARCH, migrations.RunSQL.noop),
        migrations.RunPython(create_version_triggers, drop_version_triggers),
        migrations.RunSQL(TREE_FUNCTIONS, DROP_TREE_FUNCTIONS),
        migrations.RunSQL(THROTTLE, "DROP TABLE IF EXISTS normsdb_throttle"),
    ]
