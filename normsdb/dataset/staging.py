"""Staging: every record of the file, flattened into rows of temporary tables by COPY.

One staging table per record type, created for the import's transaction and dropped at its
end. Each row keeps where its record is in the file (`pos`: index in the top-level list;
`sub`: index in the enclosing record's list) so that the SQL checks can name the place, and
whether the record passed the schema (`ok`). A record that failed is still staged by its
identifiers only, so that others referring to it are not reported as dangling too.

Absent optional values are staged as the database stores them ('' for text, NULL for
dates, '{}' for lists), so that comparing staged with stored rows is a plain equality.
"""

from psycopg.copy import QueuedLibpqWriter

from .schema import default

FLUSH_ROWS = 5_000

# table → columns (name, SQL type) after pos, sub and ok.
TABLES = {
    "organization": "slug text, name text, acronym text, url text",
    "membership": "organization text, state text, joined_on date, left_on date, source_url text",
    "topic": "slug text, name text, description text, parent text",
    "legal_question": "slug text, name text, description text, ord integer",
    "state": "code text, name text, region text, subregion text",
    "instrument": (
        "slug text, title text, kind text, legal_force text, scope text, status text,"
        " short_title text, symbol text, organization text, author text,"
        " binds_members_of text, region text, adopted_on date, adopted_without_vote boolean,"
        " opened_for_signature_on date, entered_into_force_on date, summary text,"
        " source_url text, last_reviewed_on date, topics text[]"
    ),
    "provision": (
        "instrument text, label text, heading text, summary text, ord integer, parent text,"
        " source_url text"
    ),
    "participant": (
        "instrument text, state text, organization text, status text, signed_on date,"
        " consented_on date, note text, source_url text"
    ),
    "relation": "instrument text, kind text, target text, note text",
    "recorded_vote": (
        "instrument text, in_favour integer, against integer, abstaining integer,"
        " source_url text, date date, meeting text, has_votes boolean"
    ),
    "vote": "instrument text, list text, state text",
    "stance": "instrument text, question text, stance text, summary text, provision text",
    "norm": "slug text, title text, statement text, code text, topics text[], origin text",
    "obligation": (
        "slug text, instrument text, duty_bearer text, modality text, summary text,"
        " provision text, deadline text, deadline_trigger text, verification text,"
        " norms text[], topics text[]"
    ),
    "response_measure": (
        "slug text, name text, category text, escalation_level integer, description text,"
        " attribution_threshold text, reversible boolean, conditions text, responds_to text[]"
    ),
    "legal_basis": "measure text, instrument text, provision text",
    "incident": (
        "slug text, name text, operation_type text, summary text, aliases text[],"
        " started_on date, started_on_precision text, start_unknown boolean, ended_on date,"
        " ended_on_precision text, disclosed_on date, victims text[], sectors text[],"
        " sources text[]"
    ),
    "attribution": (
        "incident text, by_actor text, date date, confidence text, to_group text, basis text,"
        " summary text, source_url text, to_states text[], joint_with text[]"
    ),
    "breach": "incident text, norm text, source_url text, alleged_by text[]",
    "response": (
        "incident text, measure text, date date, description text, basis_instrument text,"
        " basis_provision text, source_url text, by_actors text[]"
    ),
}


def columns(table):
    return ["pos", "sub", "ok"] + [part.split()[0] for part in TABLES[table].split(",")]


def create_tables(cursor):
    # The natural key of a response includes who took it: the actors, sorted.
    cursor.execute(
        "CREATE OR REPLACE FUNCTION pg_temp.sorted_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE"
        " AS $$ SELECT string_agg(x, ',' ORDER BY x COLLATE \"C\") FROM unnest($1) x $$"
    )
    for table, spec in TABLES.items():
        # An import inside a longer transaction (a test) may follow another one.
        cursor.execute(f"DROP TABLE IF EXISTS stage_{table}")
        cursor.execute(
            f"CREATE TEMP TABLE stage_{table} (pos integer, sub integer, ok boolean, {spec})"
            " ON COMMIT DROP"
        )


def text(record, key):
    value = record.get(key, "")
    return value if isinstance(value, str) else ""


def listed(record, key):
    value = record.get(key, [])
    return value if isinstance(value, list) else []


def flag(record, type_name, key):
    return record.get(key, default(type_name, key))


PRECISION = {4: ("year", "-01-01"), 7: ("month", "-01"), 10: ("day", "")}


def partial_date(value):
    """ "2017" → ("2017-01-01", "year"); "2017-06" → ("2017-06-01", "month")."""
    if not value:
        return None, "day"
    precision, filler = PRECISION[len(value)]
    return value + filler, precision


class Stage:
    """Copies staging rows into their tables while the file is still being read.

    A connection runs one COPY at a time. The table that gets a row while its COPY is open
    (the obligations, for a million rows in a row) gets it at once, through a writer thread
    that sends the data while this thread parses the next records; rows for other tables
    wait in a buffer until FLUSH_ROWS of them are there, and their COPY then becomes the
    open one.
    """

    def __init__(self, cursor):
        self.cursor = cursor
        self.rows = {table: [] for table in TABLES}
        self.counts = dict.fromkeys(TABLES, 0)
        self.open_table = self.open_copy = None

    def put(self, table, row):
        if table == self.open_table:
            self.open_copy.write_row(row)
            self.counts[table] += 1
            return
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= FLUSH_ROWS:
            self.switch(table)

    def switch(self, table):
        """Make `table`'s COPY the open one, sending its buffered rows first."""
        self.close()
        names = ", ".join(columns(table))
        self.open_context = self.cursor.copy(
            f"COPY stage_{table} ({names}) FROM STDIN", writer=QueuedLibpqWriter(self.cursor)
        )
        self.open_copy, self.open_table = self.open_context.__enter__(), table
        for row in self.rows[table]:
            self.open_copy.write_row(row)
        self.counts[table] += len(self.rows[table])
        self.rows[table].clear()

    def close(self):
        if self.open_copy is not None:
            self.open_context.__exit__(None, None, None)
            self.open_table = self.open_copy = None

    def flush(self):
        """Send every buffered row; no COPY stays open."""
        for table in TABLES:
            if self.rows[table]:
                self.switch(table)
        self.close()

    def analyze(self):
        """Temporary tables are never analysed by autovacuum: without statistics the
        planner would join a million staged rows as if there were a thousand."""
        for table in TABLES:
            if self.counts[table]:
                self.cursor.execute(f"ANALYZE stage_{table}")

    # -- one top-level record ----------------------------------------------------------------

    def add(self, kind, pos, record, bad):
        """Stage a record of top-level list `kind`; `bad` holds the schema's verdicts: ()
        when the record's own fields failed, (key, index) for a failed nested record."""
        if not isinstance(record, dict):
            return
        ok = () not in bad
        getattr(self, f"add_{kind}")(pos, record, ok, bad)

    def nested(self, record, key, ok, bad):
        """(index, item, item ok) for the nested records under `key`."""
        for index, item in enumerate(listed(record, key)):
            if isinstance(item, dict):
                yield index, item, ok and (key, index) not in bad

    def add_organizations(self, pos, r, ok, bad):
        slug = text(r, "slug")
        if not ok:
            self.put("organization", (pos, None, False, slug, None, None, None))
            return
        self.put("organization", (pos, None, True, slug, r["name"], text(r, "acronym"),
                                  text(r, "url")))  # fmt: skip
        for sub, m, good in self.nested(r, "members", ok, bad):
            row = (m.get("joined_on"), m.get("left_on"), text(m, "source_url")) if good else (
                None, None, None)  # fmt: skip
            self.put("membership", (pos, sub, good, slug, text(m, "state"), *row))

    def add_topics(self, pos, r, ok, bad):
        values = (r["name"], text(r, "description"), r.get("parent")) if ok else (None,) * 3
        self.put("topic", (pos, None, ok, text(r, "slug"), *values))

    def add_legal_questions(self, pos, r, ok, bad):
        values = (r["name"], r["description"], flag(r, "legal_question", "order")) if ok else (
            None, None, None)  # fmt: skip
        self.put("legal_question", (pos, None, ok, text(r, "slug"), *values))

    def add_states(self, pos, r, ok, bad):
        values = (r["name"], text(r, "region"), text(r, "subregion")) if ok else (None,) * 3
        self.put("state", (pos, None, ok, text(r, "code"), *values))

    def add_instruments(self, pos, r, ok, bad):
        slug = text(r, "slug")
        if ok:
            values = (
                r["title"], r["kind"], r["legal_force"], r["scope"], r["status"],
                text(r, "short_title"), text(r, "symbol"), r.get("organization"),
                r.get("author"), r.get("binds_members_of"), text(r, "region"),
                r.get("adopted_on"), flag(r, "instrument", "adopted_without_vote"),
                r.get("opened_for_signature_on"), r.get("entered_into_force_on"),
                text(r, "summary"), text(r, "source_url"), r.get("last_reviewed_on"),
                listed(r, "topics"),
            )  # fmt: skip
        else:
            values = (None,) * 19
        self.put("instrument", (pos, None, ok, slug, *values))
        for sub, p, good in self.nested(r, "provisions", ok, bad):
            row = (text(p, "heading"), text(p, "summary"), flag(p, "provision", "order"),
                   p.get("parent"), text(p, "source_url")) if good else (None,) * 5  # fmt: skip
            self.put("provision", (pos, sub, good, slug, text(p, "label"), *row))
        for sub, p, good in self.nested(r, "participants", ok, bad):
            row = (p["status"], p.get("signed_on"), p.get("consented_on"), text(p, "note"),
                   text(p, "source_url")) if good else (None,) * 5  # fmt: skip
            self.put("participant", (pos, sub, good, slug, p.get("state"), p.get("organization"),
                                     *row))  # fmt: skip
        for sub, rel, good in self.nested(r, "relations", ok, bad):
            self.put("relation", (pos, sub, good, slug, text(rel, "kind"), text(rel, "instrument"),
                                  text(rel, "note")))  # fmt: skip
        for sub, s, good in self.nested(r, "stances", ok, bad):
            self.put("stance", (pos, sub, good, slug, text(s, "question"), text(s, "stance"),
                                text(s, "summary"), s.get("provision")))  # fmt: skip
        vote = r.get("recorded_vote")
        if isinstance(vote, dict):
            self.add_recorded_vote(pos, slug, vote, ok and ("recorded_vote", None) not in bad)

    def add_recorded_vote(self, pos, slug, v, ok):
        lists = ("yes", "no", "abstain", "absent")
        has_votes = any(key in v for key in lists)
        values = (v["in_favour"], v["against"], v["abstaining"], v["source_url"], v.get("date"),
                  text(v, "meeting"), has_votes) if ok else (None,) * 7  # fmt: skip
        self.put("recorded_vote", (pos, None, ok, slug, *values))
        if ok:
            for name in lists:
                for sub, state in enumerate(v.get(name, [])):
                    self.put("vote", (pos, sub, True, slug, name, state))

    def add_norms(self, pos, r, ok, bad):
        values = (r["title"], r["statement"], text(r, "code"), listed(r, "topics"),
                  r.get("origin")) if ok else (None,) * 5  # fmt: skip
        self.put("norm", (pos, None, ok, text(r, "slug"), *values))

    def add_obligations(self, pos, r, ok, bad):
        if ok:
            values = (
                r["instrument"], r["duty_bearer"], r["modality"], r["summary"],
                r.get("provision"), text(r, "deadline"), text(r, "deadline_trigger"),
                text(r, "verification"), listed(r, "norms"), listed(r, "topics"),
            )  # fmt: skip
        else:
            values = (None,) * 10
        self.put("obligation", (pos, None, ok, text(r, "slug"), *values))

    def add_response_measures(self, pos, r, ok, bad):
        slug = text(r, "slug")
        if ok:
            values = (
                r["name"], r["category"], r["escalation_level"], r["description"],
                text(r, "attribution_threshold"), r.get("reversible"), text(r, "conditions"),
                listed(r, "responds_to"),
            )  # fmt: skip
            for sub, basis in enumerate(listed(r, "legal_basis")):
                self.put("legal_basis", (pos, sub, True, slug, basis["instrument"],
                                         basis["provision"]))  # fmt: skip
        else:
            values = (None,) * 8
        self.put("response_measure", (pos, None, ok, slug, *values))

    def add_incidents(self, pos, r, ok, bad):
        slug = text(r, "slug")
        if ok:
            started_on, started_precision = partial_date(r.get("started_on"))
            ended_on, ended_precision = partial_date(r.get("ended_on"))
            values = (
                r["name"], r["operation_type"], r["summary"], listed(r, "aliases"),
                started_on, started_precision, flag(r, "incident", "start_unknown"),
                ended_on, ended_precision, r.get("disclosed_on"), listed(r, "victims"),
                listed(r, "sectors"), listed(r, "sources"),
            )  # fmt: skip
        else:
            values = (None,) * 13
        self.put("incident", (pos, None, ok, slug, *values))
        for sub, a, good in self.nested(r, "attributions", ok, bad):
            row = (a["date"], a["confidence"], text(a, "to_group"), text(a, "basis"),
                   text(a, "summary"), text(a, "source_url"), listed(a, "to_states"),
                   listed(a, "joint_with")) if good else (None,) * 8  # fmt: skip
            self.put("attribution", (pos, sub, good, slug, text(a, "by"), *row))
        for sub, b, good in self.nested(r, "breaches", ok, bad):
            row = (text(b, "source_url"), listed(b, "alleged_by")) if good else (None, None)
            self.put("breach", (pos, sub, good, slug, text(b, "norm"), *row))
        for sub, a, good in self.nested(r, "responses", ok, bad):
            basis = a.get("legal_basis") or {}
            row = (a["date"], text(a, "description"), basis.get("instrument"),
                   basis.get("provision"), text(a, "source_url"),
                   listed(a, "by")) if good else (None,) * 6  # fmt: skip
            self.put("response", (pos, sub, good, slug, text(a, "measure"), *row))
