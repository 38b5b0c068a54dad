"""What the schema cannot say, checked for the whole file at once.

In SQL against the staging tables (normsdb.dataset.staging) and, when merging, the stored
rows: every reference resolves, identifiers are unique, parent chains do not loop. In
Python, record by record while the file is read: the order of two dates of one record and
the vote lists against the official totals.

Each SQL check yields rows of (pos, sub, ord, value, other) which its templates turn into
the error's path and message; each stops at ERROR_LIMIT + 1 rows but counts them all.
"""

import json

from instruments.models import Instrument, Membership, Participation
from obligations.models import Incident

from .schema import TOP_LEVEL

ERROR_LIMIT = 1_000

# known_<name>: the identifiers a reference may use (the file's, and when merging the
# database's), from (staging table, column) and (model table, column).
KNOWN = {
    "organization": [("organization", "slug"), ("instruments_organization", "slug")],
    "topic": [("topic", "slug"), ("obligations_topic", "slug")],
    "legal_question": [("legal_question", "slug"), ("obligations_legalquestion", "slug")],
    "state": [("state", "code"), ("instruments_state", "code")],
    "instrument": [("instrument", "slug"), ("instruments_instrument", "slug")],
    "norm": [("norm", "slug"), ("obligations_norm", "slug")],
    "response_measure": [("response_measure", "slug"), ("obligations_responsemeasure", "slug")],
    "actor": [("state", "code"), ("instruments_state", "code"),
              ("organization", "slug"), ("instruments_organization", "slug")],
}  # fmt: skip

WHAT = {
    "organization": "organization",
    "topic": "topic",
    "legal_question": "legal question",
    "state": "state code",
    "instrument": "instrument",
    "norm": "norm",
    "response_measure": "response measure",
    "actor": "state code or organisation",
}

# Paths of the records that hold nested ones.
INS, ORG, INC = (
    "instruments[{pos}]",
    "organizations[{pos}]",
    "incidents[{pos}]",
)

# (staging table, column, known, path); a column ending in [] is a list.
REFERENCES = [
    ("topic", "parent", "topic", "topics[{pos}].parent"),
    ("membership", "state", "state", ORG + ".members[{sub}].state"),
    ("instrument", "organization", "organization", INS + ".organization"),
    ("instrument", "author", "actor", INS + ".author"),
    ("instrument", "binds_members_of", "organization", INS + ".binds_members_of"),
    ("instrument", "topics[]", "topic", INS + ".topics[{ord}]"),
    ("participant", "state", "state", INS + ".participants[{sub}].state"),
    ("participant", "organization", "organization", INS + ".participants[{sub}].organization"),
    ("relation", "target", "instrument", INS + ".relations[{sub}].instrument"),
    ("vote", "state", "state", INS + ".recorded_vote.{other}[{sub}]"),
    ("stance", "question", "legal_question", INS + ".stances[{sub}].question"),
    ("norm", "topics[]", "topic", "norms[{pos}].topics[{ord}]"),
    ("norm", "origin", "instrument", "norms[{pos}].origin"),
    ("obligation", "instrument", "instrument", "obligations[{pos}].instrument"),
    ("obligation", "norms[]", "norm", "obligations[{pos}].norms[{ord}]"),
    ("obligation", "topics[]", "topic", "obligations[{pos}].topics[{ord}]"),
    ("legal_basis", "instrument", "instrument",
     "response_measures[{pos}].legal_basis[{sub}].instrument"),
    ("response_measure", "responds_to[]", "norm", "response_measures[{pos}].responds_to[{ord}]"),
    ("incident", "victims[]", "state", INC + ".victims[{ord}]"),
    ("incident", "sectors[]", "topic", INC + ".sectors[{ord}]"),
    ("attribution", "by_actor", "actor", INC + ".attributions[{sub}].by"),
    ("attribution", "to_states[]", "state", INC + ".attributions[{sub}].to_states[{ord}]"),
    ("attribution", "joint_with[]", "state", INC + ".attributions[{sub}].joint_with[{ord}]"),
    ("breach", "norm", "norm", INC + ".breaches[{sub}].norm"),
    ("breach", "alleged_by[]", "actor", INC + ".breaches[{sub}].alleged_by[{ord}]"),
    ("response", "measure", "response_measure", INC + ".responses[{sub}].measure"),
    ("response", "by_actors[]", "actor", INC + ".responses[{sub}].by[{ord}]"),
    ("response", "basis_instrument", "instrument",
     INC + ".responses[{sub}].legal_basis.instrument"),
]  # fmt: skip

# (SELECT pos, sub, instrument slug, label, path): labels that must name a provision of
# that instrument, in the file or (when merging) stored.
LABELS = [
    ("SELECT pos, sub, instrument, parent FROM stage_provision WHERE ok AND parent IS NOT NULL",
     INS + ".provisions[{sub}].parent"),
    ("SELECT pos, sub, instrument, provision FROM stage_stance WHERE ok AND provision IS NOT NULL",
     INS + ".stances[{sub}].provision"),
    ("SELECT pos, sub, instrument, provision FROM stage_obligation"
     " WHERE ok AND provision IS NOT NULL", "obligations[{pos}].provision"),
    ("SELECT pos, sub, instrument, provision FROM stage_legal_basis WHERE ok",
     "response_measures[{pos}].legal_basis[{sub}].provision"),
    ("SELECT pos, sub, basis_instrument, basis_provision FROM stage_response"
     " WHERE ok AND basis_instrument IS NOT NULL", INC + ".responses[{sub}].legal_basis.provision"),
]  # fmt: skip

# (staging table, key expression, top-level list, key name) for records with identifiers.
UNIQUE = [
    ("organization", "slug", "organizations", "slug"),
    ("topic", "slug", "topics", "slug"),
    ("legal_question", "slug", "legal_questions", "slug"),
    ("state", "code", "states", "code"),
    ("instrument", "slug", "instruments", "slug"),
    ("norm", "slug", "norms", "slug"),
    ("obligation", "slug", "obligations", "slug"),
    ("response_measure", "slug", "response_measures", "slug"),
    ("incident", "slug", "incidents", "slug"),
]

# (staging table, natural key within the enclosing record, path of the nested list).
UNIQUE_NESTED = [
    ("membership", "state", ORG + ".members"),
    ("provision", "label", INS + ".provisions"),
    ("participant", "concat(state, '/', organization)", INS + ".participants"),
    ("relation", "concat(target, '/', kind)", INS + ".relations"),
    ("stance", "question", INS + ".stances"),
    ("attribution", "concat(by_actor, '/', date)", INC + ".attributions"),
    ("breach", "norm", INC + ".breaches"),
    (
        "response",
        "concat(measure, '/', date, '/', pg_temp.sorted_text(by_actors))",
        INC + ".responses",
    ),
]


class SqlChecks:
    """Runs every check; `errors` holds (path, message) of the first ones found, `total`
    how many there are."""

    def __init__(self, cursor, *, merging):
        self.cursor = cursor
        self.merging = merging
        self.errors = []
        self.total = 0

    def run(self):
        self.create_known()
        for table, key, kind, name in UNIQUE:
            self.unique(table, key, kind, name)
        for table, key, path in UNIQUE_NESTED:
            self.unique_nested(table, key, path)
        self.votes_once()
        for table, column, known, path in REFERENCES:
            self.reference(table, column, known, path)
        for select, path in LABELS:
            self.labels(select, path)
        self.topic_loops()
        self.provision_loops()

    def collect(self, sql, path, message):
        """Run a check that selects (pos, sub, ord, value, other) and record its errors."""
        self.cursor.execute(
            f"SELECT pos, sub, ord, value, other, count(*) OVER ()"
            f" FROM ({sql}) found(pos, sub, ord, value, other)"
            f" ORDER BY pos, sub NULLS FIRST, ord NULLS FIRST LIMIT {ERROR_LIMIT + 1}"
        )
        rows = self.cursor.fetchall()
        if rows:
            self.total += rows[0][5]
        for pos, sub, ord_, value, other, _ in rows:
            shown = json.dumps(value, ensure_ascii=False)
            fields = {"pos": pos, "sub": sub, "ord": ord_, "value": shown, "other": other}
            self.errors.append((path.format(**fields), message.format(**fields)))

    def create_known(self):
        for name, sources in KNOWN.items():
            selects = [
                f"SELECT {column} AS key FROM {table}"
                if table.startswith(("instruments_", "obligations_"))
                else f"SELECT {column} FROM stage_{table}"
                for table, column in sources
                if self.merging or not table.startswith(("instruments_", "obligations_"))
            ]
            self.cursor.execute(f"DROP TABLE IF EXISTS known_{name}")
            self.cursor.execute(
                f"CREATE TEMP TABLE known_{name} ON COMMIT DROP AS"
                f" SELECT DISTINCT key FROM ({' UNION ALL '.join(selects)}) k(key)"
                f" WHERE key IS NOT NULL"
            )
            self.cursor.execute(f"CREATE INDEX ON known_{name} (key)")
            self.cursor.execute(f"ANALYZE known_{name}")

    def unique(self, table, key, kind, name):
        self.collect(
            f"SELECT pos, NULL::int AS sub, NULL::int AS ord, {key} AS value, first AS other"
            f" FROM (SELECT pos, {key}, min(pos) OVER (PARTITION BY {key}) AS first"
            f"  FROM stage_{table} WHERE {key} <> '') s WHERE pos > first",
            f"{kind}[{{pos}}].{name}",
            f"duplicate {name} {{value}} (also {kind}[{{other}}])",
        )

    def unique_nested(self, table, key, path):
        self.collect(
            f"SELECT pos, sub, NULL::int AS ord, NULL AS value, first AS other"
            f" FROM (SELECT pos, sub, min(sub) OVER (PARTITION BY pos, {key}) AS first"
            f"  FROM stage_{table} WHERE ok) s WHERE sub > first",
            path + "[{sub}]",
            "duplicate of " + path + "[{other}]",
        )

    def votes_once(self):
        self.collect(
            "SELECT pos, sub, NULL::int AS ord, state AS value, list AS other FROM ("
            " SELECT pos, sub, state, list, row_number() OVER (PARTITION BY pos, state"
            "  ORDER BY array_position(ARRAY['yes', 'no', 'abstain', 'absent'], list), sub) n"
            " FROM stage_vote) v WHERE n > 1",
            INS + ".recorded_vote.{other}[{sub}]",
            "{value} is in more than one list of the vote",
        )

    def reference(self, table, column, known, path):
        if column.endswith("[]"):
            column = column[:-2]
            values = f"stage_{table} s, unnest(s.{column}) WITH ORDINALITY u(value, n)"
            select = "s.pos, s.sub, (u.n - 1)::int AS ord, u.value"
            value = "u.value"
        else:
            values, select, value = f"stage_{table} s", f"s.pos, s.sub, NULL::int, s.{column}", (
                f"s.{column}"
            )  # fmt: skip
        other = "s.list" if table == "vote" else "NULL"
        self.collect(
            f"SELECT {select}, {other} AS other FROM {values}"
            f" WHERE s.ok AND {value} IS NOT NULL AND {value} <> ''"
            f" AND NOT EXISTS (SELECT 1 FROM known_{known} k WHERE k.key = {value})",
            path,
            f"unknown {WHAT[known]} {{value}}",
        )

    def labels(self, select, path):
        stored = (
            "AND NOT EXISTS (SELECT 1 FROM instruments_provision p"
            " JOIN instruments_instrument i ON i.id = p.instrument_id"
            " WHERE i.slug = m.instrument AND p.label = m.label)"
            if self.merging
            else ""
        )
        self.collect(
            f"WITH refs(pos, sub, instrument, label) AS ({select}),"
            f" missing AS MATERIALIZED (SELECT * FROM refs r WHERE NOT EXISTS ("
            f"  SELECT 1 FROM stage_provision p"
            f"  WHERE p.instrument = r.instrument AND p.label = r.label))"
            f" SELECT pos, sub, NULL::int AS ord, label AS value, instrument AS other"
            f" FROM missing m WHERE EXISTS (SELECT 1 FROM known_instrument k"
            f"  WHERE k.key = m.instrument) {stored}",
            path,
            "unknown provision label in {other}: {value}",
        )

    def topic_loops(self):
        stored = (
            " UNION ALL SELECT t.slug, p.slug FROM obligations_topic t"
            " JOIN obligations_topic p ON p.id = t.parent_id"
            " WHERE NOT EXISTS (SELECT 1 FROM stage_topic s WHERE s.slug = t.slug)"
            if self.merging
            else ""
        )
        self.collect(
            "WITH RECURSIVE edge(child, parent) AS ("
            f"  SELECT slug, parent FROM stage_topic WHERE ok AND parent <> slug {stored}),"
            " walk(start, node) AS (SELECT child, parent FROM edge"
            "  UNION SELECT w.start, e.parent FROM walk w JOIN edge e ON e.child = w.node"
            "  WHERE w.node <> w.start)"
            " SELECT s.pos, NULL::int AS sub, NULL::int AS ord, NULL AS value, NULL AS other"
            " FROM stage_topic s WHERE s.ok AND s.parent <> s.slug"
            " AND EXISTS (SELECT 1 FROM walk w WHERE w.start = s.slug AND w.node = s.slug)",
            "topics[{pos}].parent",
            "the parent chain loops",
        )

    def provision_loops(self):
        stored = (
            " UNION ALL SELECT i.slug, c.label, p.label FROM instruments_provision c"
            " JOIN instruments_provision p ON p.id = c.parent_id"
            " JOIN instruments_instrument i ON i.id = c.instrument_id"
            " WHERE i.slug IN (SELECT instrument FROM stage_provision WHERE parent IS NOT NULL)"
            " AND NOT EXISTS (SELECT 1 FROM stage_provision s"
            "  WHERE s.instrument = i.slug AND s.label = c.label)"
            if self.merging
            else ""
        )
        self.collect(
            "WITH RECURSIVE edge(instrument, child, parent) AS ("
            "  SELECT instrument, label, parent FROM stage_provision"
            f"  WHERE ok AND parent <> label {stored}),"
            " walk(instrument, start, node) AS (SELECT * FROM edge"
            "  UNION SELECT w.instrument, w.start, e.parent FROM walk w JOIN edge e"
            "  ON e.instrument = w.instrument AND e.child = w.node WHERE w.node <> w.start)"
            " SELECT s.pos, s.sub, NULL::int AS ord, NULL AS value, NULL AS other"
            " FROM stage_provision s WHERE s.ok AND s.parent <> s.label AND EXISTS ("
            "  SELECT 1 FROM walk w WHERE w.instrument = s.instrument AND w.start = s.label"
            "  AND w.node = s.label)",
            INS + ".provisions[{sub}].parent",
            "the parent chain loops",
        )


# -- rules within one record -----------------------------------------------------------------


def rule(model, name):
    """The message of one of the model's check constraints: one wording for both."""
    return next(c.violation_error_message for c in model._meta.constraints if c.name == name)


DATE_ORDER = {
    # record type: [(earlier key, later key, message)]
    "instrument": [("opened_for_signature_on", "entered_into_force_on",
                    rule(Instrument, "instrument_force_after_signature"))],
    "participant": [("signed_on", "consented_on",
                     rule(Participation, "participation_consent_after_signature"))],
    "membership": [("joined_on", "left_on", rule(Membership, "membership_left_after_joining"))],
    "incident": [("started_on", "ended_on", rule(Incident, "incident_ends_after_start"))],
}  # fmt: skip

VOTE_TOTALS = [("yes", "in_favour"), ("no", "against"), ("abstain", "abstaining")]


def record_rules(kind, record, ok, bad):
    """[(path parts below the record, message)] for the rules between keys of one record
    that a schema cannot state. Only records that passed the schema are looked at."""
    found = []
    if not ok:
        return found
    found += date_order(TOP_LEVEL[kind], record, [])
    if kind == "organizations":
        for index, member in enumerate(record.get("members", [])):
            if ("members", index) not in bad:
                found += date_order("membership", member, ["members", index])
    if kind == "topics" and record.get("parent") == record["slug"]:
        found.append((["parent"], "a topic cannot be its own parent"))
    if kind != "instruments":
        return found
    for index, participant in enumerate(record.get("participants", [])):
        if ("participants", index) not in bad:
            found += date_order("participant", participant, ["participants", index])
    for index, provision in enumerate(record.get("provisions", [])):
        if ("provisions", index) not in bad and provision.get("parent") == provision["label"]:
            found.append((["provisions", index, "parent"], "a provision cannot be its own parent"))
    for index, relation in enumerate(record.get("relations", [])):
        if ("relations", index) not in bad and relation["instrument"] == record["slug"]:
            found.append((["relations", index, "instrument"],
                          "an instrument cannot relate to itself"))  # fmt: skip
    vote = record.get("recorded_vote")
    if vote and ("recorded_vote", None) not in bad and any(k in vote for k, _ in VOTE_TOTALS):
        for key, total in VOTE_TOTALS:
            listed = len(vote.get(key, []))
            if listed != vote[total]:
                found.append((["recorded_vote", key],
                              f"lists {listed} states, but the official {total} is "
                              f"{vote[total]}"))  # fmt: skip
    return found


def date_order(record_type, record, path):
    found = []
    for earlier, later, message in DATE_ORDER.get(record_type, []):
        first, second = record.get(earlier), record.get(later)
        if first and second and pad(second) < pad(first):
            found.append((path + [later], message))
    return found


def pad(value):
    """A reduced-precision date as its first day, as it is stored: "2017" → "2017-01-01"."""
    return value + "-01-01"[len(value) - 4 :] if len(value) < 10 else value
