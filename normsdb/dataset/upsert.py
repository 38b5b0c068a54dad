"""Set-based writes of staged records into one table: create, update, link, delete, and
the history rows of what changed — a handful of statements per table, whatever its size.

Every row this import writes gets `updated_at` = the import's time. Each statement that
creates, updates or deletes rows writes their history rows in the same statement (a data-
modifying CTE whose RETURNING feeds an INSERT … SELECT into the historical table): '+' for
created, '~' for updated, '-' for deleted, with the import's time, user and reason, as
simple-history would have written them one by one.
"""

from dataclasses import dataclass

from django.db import models


@dataclass
class Writes:
    """What one import writes: the time and author stamped on every row and history row,
    and whether it is a bulk import (see ForeignKeys and Indexes)."""

    cursor: object
    now: object
    user_id: int | None
    reason: str
    bulk: bool = False
    foreign_keys: "ForeignKeys" = None

    def __post_init__(self):
        self.foreign_keys = ForeignKeys(self.cursor)

    def execute(self, sql, params=None):
        self.cursor.execute(sql, {"now": self.now, **(params or {})})
        return self.cursor.rowcount

    def scalar(self, sql, params=None):
        self.execute(sql, params)
        return self.cursor.fetchone()[0]


def pk(model):
    return model._meta.pk.column


def columns(model):
    return [q(f.column) for f in model._meta.concrete_fields]


def q(column):
    """A quoted column name: provisions and legal questions have a column called "order"."""
    return f'"{column}"'


def prepare(w, model, source, *, key, nullable_key=(), existing=None):
    """The temporary table src_<table> of the rows `source` describes (a SELECT naming the
    model's columns, and extra ones starting with "_"), matched on the `key` columns with
    the stored rows (`existing`, by default the table itself): `_id` is the stored row's
    id, or for a new row an id taken now from the table's own sequence, so that rows of
    the file can point at each other before they are written (a topic at its new parent).
    """
    table, id_column = model._meta.db_table, pk(model)
    src = f"src_{table}"
    existing = existing or f"SELECT {', '.join(dict.fromkeys([id_column, *key]))} FROM {table}"
    match = " AND ".join(
        f"coalesce(t.{c}::text, '') = coalesce(s.{c}::text, '')"
        if c in nullable_key
        else f"t.{c} = s.{c}"
        for c in key
    )
    new_id = (
        f"s.{id_column}"
        if id_column in key
        else f"nextval(pg_get_serial_sequence('{table}', '{id_column}'))"
    )
    w.execute(f"DROP TABLE IF EXISTS {src}")
    w.execute(
        f"CREATE TEMP TABLE {src} ON COMMIT DROP AS"
        f" SELECT coalesce(t.{id_column}, {new_id}) AS _id, t.{id_column} IS NULL AS _new, s.*"
        f" FROM ({source}) s LEFT JOIN ({existing}) t ON {match}"
    )
    w.execute(f"ANALYZE {src}")
    return src


def write(w, model, src, *, key, values, order="_id"):
    """Create and update rows from a prepared source, each with its history row in the
    same statement; only rows whose values differ are updated. New rows are written in
    `order` ("_depth, _id": parents before their children, whom a trigger checks against
    them). Returns (created, updated)."""
    table, id_column = model._meta.db_table, pk(model)
    written = [c for c in key + values if c != id_column and not c.startswith("_")]
    indexes = Indexes(w.cursor)
    if w.bulk and w.scalar(f"SELECT count(*) FROM {src} WHERE _new") > max(
        BULK_INDEX_ROWS, estimated_rows(w, table)
    ):
        indexes.drop([table, model.history.model._meta.db_table])
    # Each statement runs only when it has rows to write: the data-version triggers fire per
    # statement, so an empty one would still mark its kind changed (normsdb.pagecache).
    created = 0
    if w.scalar(f"SELECT EXISTS (SELECT 1 FROM {src} WHERE _new)"):
        created = w.execute(
            f"WITH created AS (INSERT INTO {table}"
            f" ({id_column}, {', '.join(map(q, written))}, created_at, updated_at)"
            f" SELECT _id, {', '.join(map(q, written))}, %(now)s, %(now)s FROM {src} WHERE _new"
            f" ORDER BY {order} RETURNING *) " + history_from(w, model, "created", "+"),
            history_params(w),
        )
    compared = [c for c in values if c != id_column]
    differs = (
        f"NOT s._new AND t.{id_column} = s._id"
        f" AND ({', '.join(f't.{q(c)}' for c in compared)})"
        f" IS DISTINCT FROM ({', '.join(f's.{q(c)}' for c in compared)})"
    )
    updated = 0
    if compared and w.scalar(f"SELECT EXISTS (SELECT 1 FROM {table} t, {src} s WHERE {differs})"):
        updated = w.execute(
            f"WITH changed AS (UPDATE {table} t"
            f" SET {', '.join(f'{q(c)} = s.{q(c)}' for c in compared)}, updated_at = %(now)s"
            f" FROM {src} s WHERE {differs} RETURNING t.*) "
            + history_from(w, model, "changed", "~"),
            history_params(w),
        )
    indexes.restore()
    return created, updated


def estimated_rows(w, table):
    """The planner's estimate of a table's rows: cheap, and close enough to compare."""
    return w.scalar(
        f"SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = '{table}'::regclass"
    )


def history_from(w, model, rows, history_type):
    """INSERT … SELECT of the history rows of the rows a CTE named `rows` returned."""
    names = ", ".join(columns(model))
    return (
        f"INSERT INTO {model.history.model._meta.db_table} ({names}, history_date,"
        f" history_change_reason, history_type, history_user_id)"
        f" SELECT {names}, %(now)s, %(reason)s, '{history_type}', %(user)s FROM {rows}"
    )


def history_params(w):
    return {"reason": w.reason, "user": w.user_id}


def sync_links(w, model, name, src, wanted):
    """Make a many-to-many field of the file's records hold exactly the `wanted` pairs
    (a SELECT of owner, target ids); the owners whose set changed count as updated.
    Returns how many owners were touched that had not been updated already."""
    m2m = model._meta.get_field(name)
    through = m2m.remote_field.through._meta.db_table
    owner, target = m2m.m2m_column_name(), m2m.m2m_reverse_name()
    links = f"links_{through}"
    w.execute(f"DROP TABLE IF EXISTS {links}")
    w.execute(f"CREATE TEMP TABLE {links} ON COMMIT DROP AS {wanted}")
    w.execute(f"ANALYZE {links}")
    held = f"SELECT x.{owner}, x.{target} FROM {through} x JOIN {src} s ON s._id = x.{owner}"
    w.execute(f"DROP TABLE IF EXISTS changed_{through}")
    w.execute(
        f"CREATE TEMP TABLE changed_{through} ON COMMIT DROP AS"
        f" SELECT DISTINCT owner FROM ("
        f"  (SELECT owner, target FROM {links} EXCEPT {held})"
        f"  UNION ALL ({held} EXCEPT SELECT owner, target FROM {links})"
        f" ) d(owner, target)"
    )
    if not w.scalar(f"SELECT count(*) FROM changed_{through}"):
        return 0
    w.execute(
        f"DELETE FROM {through} x USING changed_{through} c WHERE x.{owner} = c.owner"
        f" AND NOT EXISTS (SELECT 1 FROM {links} l"
        f"  WHERE l.owner = x.{owner} AND l.target = x.{target})"
    )
    indexes = Indexes(w.cursor)
    if w.bulk and w.scalar(f"SELECT count(*) FROM {links}") > max(
        BULK_INDEX_ROWS, estimated_rows(w, through)
    ):
        indexes.drop([through])
    w.execute(
        f"INSERT INTO {through} ({owner}, {target}) SELECT l.owner, l.target FROM {links} l"
        f" JOIN changed_{through} c USING (owner)"
        f" WHERE NOT EXISTS (SELECT 1 FROM {through} x"
        f"  WHERE x.{owner} = l.owner AND x.{target} = l.target)"
    )
    indexes.restore()
    # An owner whose only change is in this field is updated too, with its history row.
    return w.execute(
        f"WITH touched AS (UPDATE {model._meta.db_table} t SET updated_at = %(now)s"
        f" FROM changed_{through} c WHERE t.{pk(model)} = c.owner AND t.updated_at <> %(now)s"
        f" RETURNING t.*) " + history_from(w, model, "touched", "~"),
        history_params(w),
    )


def delete_rows(w, model, condition):
    """Delete the rows matching `condition` (SQL on alias t) with their many-to-many links
    and a '-' history row each, in sets. Returns how many went."""
    table, id_column = model._meta.db_table, pk(model)
    gone = f"gone_{table}"
    w.execute(f"DROP TABLE IF EXISTS {gone}")
    w.execute(
        f"CREATE TEMP TABLE {gone} ON COMMIT DROP AS"
        f" SELECT t.{id_column} AS id FROM {table} t WHERE {condition}"
    )
    count = w.scalar(f"SELECT count(*) FROM {gone}")
    if not count:
        return 0
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through._meta.db_table
        w.execute(f"DELETE FROM {through} x USING {gone} g WHERE x.{m2m.m2m_column_name()} = g.id")
    for relation in model._meta.related_objects:
        if isinstance(relation, models.ManyToManyRel):
            through = relation.through._meta.db_table
            column = relation.field.m2m_reverse_name()
            w.execute(f"DELETE FROM {through} x USING {gone} g WHERE x.{column} = g.id")
    w.execute(
        f"WITH deleted AS (DELETE FROM {table} t USING {gone} g WHERE t.{id_column} = g.id"
        f" RETURNING t.*) " + history_from(w, model, "deleted", "-"),
        history_params(w),
    )
    return count


# Above this many new rows (and more than the table holds), a bulk import writes a table
# without its secondary indexes and builds them again after (see Indexes).
BULK_INDEX_ROWS = 100_000


class Indexes:
    """Secondary indexes dropped while many rows go into a table, then built again.

    Building an index over a million rows in one sort is several times cheaper than adding
    a million entries one by one (and writes far less WAL). Indexes behind a constraint
    (primary key, unique) stay: the upserts rely on them. The table is already locked
    ACCESS EXCLUSIVE by then (ForeignKeys), so this costs no more availability.
    """

    def __init__(self, cursor):
        self.cursor = cursor
        self.dropped = []  # [definition]

    def drop(self, tables):
        self.cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY 1",
            [tables],
        )
        for name, definition in self.cursor.fetchall():
            self.cursor.execute(f'DROP INDEX "{name}"')
            self.dropped.append(definition)

    def restore(self):
        if self.dropped:
            self.cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in self.dropped:
            self.cursor.execute(definition)
        self.dropped.clear()


class ForeignKeys:
    """Foreign keys dropped for a bulk import and added back before the commit.

    PostgreSQL checks a deferred foreign key with one query per inserted row at commit
    (about 9 µs a row here: 18 s for two million). Adding the constraint back checks every
    row with one join instead. The price is the lock: dropping a foreign key takes an
    ACCESS EXCLUSIVE lock on the table and on the table it refers to, held to the end of
    the import's transaction, so readers of those tables wait for the import to finish.
    Only large imports do it (normsdb.dataset.writer.BULK_ROWS), for every table they write,
    before writing any row: PostgreSQL refuses to alter a table with checks still pending.
    """

    def __init__(self, cursor):
        self.cursor = cursor
        self.dropped = []  # [(table, name, definition)]

    def relax(self, tables):
        self.cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)"
            " ORDER BY 1, 2",
            [sorted(tables)],
        )
        found = self.cursor.fetchall()
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # nothing may be pending
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, definition in found:
            self.cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            self.dropped.append((table, name, definition))

    def restore(self):
        for table, name, definition in self.dropped:
            self.cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.dropped.clear()
