"""The largest list of an export, read on a second connection while the others are written.

The server sorts a million obligations (about 9 s of its time) before it can send the
first one; on the export's own connection this process would sit idle for it after
writing the instruments. A second connection that imports the export's snapshot
(pg_export_snapshot) sees exactly the same data, and a thread starts that query at once:
the server sorts while this process writes the other lists. Only for an export that owns
its transaction (another connection cannot see uncommitted rows) and a large list.
"""

import queue
import threading

from django.db import connection
from psycopg import sql

BATCH = 2_000
LARGE = 100_000  # rows (the planner's estimate) above which a list is prefetched


class Prefetch:
    """Iterates over the rows of `query` run in `snapshot` on a connection of its own."""

    def __init__(self, snapshot, query):
        self.batches = queue.Queue(maxsize=32)
        self.error = None
        with connection.cursor() as cursor:  # the second connection keeps the first's bound
            cursor.execute("SHOW statement_timeout")
            (self.statement_timeout,) = cursor.fetchone()
        self.thread = threading.Thread(target=self.read, args=(snapshot, query), daemon=True)
        self.thread.start()

    def read(self, snapshot, query):
        try:
            with connection.get_new_connection(connection.get_connection_params()) as conn:
                conn.autocommit = True  # the transaction is begun by hand, to import the snapshot
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(snapshot))
                conn.execute("SET LOCAL cursor_tuple_fraction = 1.0")
                conn.execute("SET LOCAL work_mem = '256MB'")
                conn.execute(
                    sql.SQL("SET LOCAL statement_timeout = {}").format(
                        sql.Literal(self.statement_timeout)
                    )
                )
                with conn.cursor(name="export_prefetch") as rows:
                    rows.execute(query)
                    while batch := rows.fetchmany(BATCH):
                        self.batches.put(batch)
                conn.execute("COMMIT")
        except Exception as error:  # handed to the reader, in its own thread
            self.error = error
        finally:
            self.batches.put(None)

    def __iter__(self):
        while (batch := self.batches.get()) is not None:
            yield from batch
        self.thread.join()
        if self.error is not None:
            raise self.error
