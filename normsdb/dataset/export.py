"""The database as one canonical normsdb/1 document, written record by record.

Canonical: records sorted by slug (states by code), nested records in a fixed order (see
data/FORMAT.md), keys in the schema's order, empty optional fields left out. The bytes are
exactly those of `json.dumps(document, ensure_ascii=False, indent=2) + "\\n"` — so an
export of an import of a canonical file is the same file — but the document is never held
whole: PostgreSQL builds each record as JSON (a server-side cursor per top-level list, in
one REPEATABLE READ snapshot), Python orders its keys and orjson writes it, indented to
its depth in the document.
"""

import io

import orjson
from django.db import connection, transaction
from psycopg.types.string import TextLoader

from . import prefetch
from .schema import DEFS, FORMAT, TOP_LEVEL, key_order, record_type

FETCH_ROWS = 2_000
C = 'COLLATE "C"'  # sort as Python does (by code point), whatever the database's collation


def slugs(through, owner, table, target="id", key="slug"):
    """The sorted slugs a many-to-many field of the row `x` points to, as a JSON list."""
    return (
        f"to_json(ARRAY(SELECT t.{key} FROM {through} m JOIN {table} t ON t.{target} = m.{owner[1]}"
        f" WHERE m.{owner[0]} = x.id ORDER BY t.{key} {C}))"
    )


def actors(through, owner, row):
    """The sorted state codes and organisation slugs of a row's two actor fields (the
    many-to-many tables <through>_states and <through>_organizations)."""
    return (
        f"to_json(ARRAY(SELECT a FROM (SELECT m.state_id AS a FROM {through}_states m"
        f" WHERE m.{owner} = {row}.id UNION ALL SELECT o.slug FROM {through}_organizations m"
        f" JOIN instruments_organization o ON o.id = m.organization_id"
        f" WHERE m.{owner} = {row}.id) found ORDER BY a {C}))"
    )


def partial(column):
    """A date with its precision, back in the form it was given: 2017, 2017-06, 2017-06-27."""
    return (
        f"CASE x.{column}_precision WHEN 'year' THEN to_char(x.{column}, 'YYYY')"
        f" WHEN 'month' THEN to_char(x.{column}, 'YYYY-MM') ELSE x.{column}::text END"
    )


def provision_ref(provision_column):
    return (
        f"(SELECT json_build_object('instrument', bi.slug, 'provision', bp.label)"
        f" FROM instruments_provision bp JOIN instruments_instrument bi ON bi.id = bp.instrument_id"
        f" WHERE bp.id = {provision_column})"
    )


QUERIES = {
    "organizations": f"""
        SELECT json_build_object('slug', x.slug, 'name', x.name, 'acronym', x.acronym,
            'url', x.url, 'members', (SELECT json_agg(json_build_object('state', m.state_id,
                'joined_on', m.joined_on, 'left_on', m.left_on, 'source_url', m.source_url)
                ORDER BY m.state_id {C}) FROM instruments_membership m
                WHERE m.organization_id = x.id))
        FROM instruments_organization x ORDER BY x.slug {C}""",
    "topics": f"""
        SELECT json_build_object('slug', x.slug, 'name', x.name, 'description', x.description,
            'parent', p.slug)
        FROM obligations_topic x LEFT JOIN obligations_topic p ON p.id = x.parent_id
        ORDER BY x.slug {C}""",
    "legal_questions": f"""
        SELECT json_build_object('slug', x.slug, 'name', x.name, 'description', x.description,
            'order', x."order")
        FROM obligations_legalquestion x ORDER BY x.slug {C}""",
    "states": f"""
        SELECT json_build_object('code', x.code, 'name', x.name, 'region', x.region,
            'subregion', x.subregion)
        FROM instruments_state x ORDER BY x.code {C}""",
    "instruments": f"""
        SELECT json_build_object('slug', x.slug, 'title', x.title, 'kind', x.kind,
            'legal_force', x.legal_force, 'scope', x.scope, 'status', x.status,
            'short_title', x.short_title, 'symbol', x.symbol, 'organization', o.slug,
            'author', coalesce(x.author_state_id, ao.slug), 'binds_members_of', b.slug,
            'region', x.region, 'adopted_on', x.adopted_on,
            'adopted_without_vote', x.adopted_without_vote,
            'opened_for_signature_on', x.opened_for_signature_on,
            'entered_into_force_on', x.entered_into_force_on, 'summary', x.summary,
            'source_url', x.source_url,
            'topics', {
        slugs("instruments_instrument_topics", ("instrument_id", "topic_id"), "obligations_topic")
    },
            'provisions', (SELECT json_agg(json_build_object('label', p.label,
                'heading', p.heading, 'summary', p.summary, 'order', p."order",
                'parent', pp.label, 'source_url', p.source_url) ORDER BY p."order", p.label {C})
                FROM instruments_provision p
                LEFT JOIN instruments_provision pp ON pp.id = p.parent_id
                WHERE p.instrument_id = x.id),
            'participants', (SELECT json_agg(json_build_object('state', p.state_id,
                'organization', po.slug, 'status', p.status, 'signed_on', p.signed_on,
                'consented_on', p.consented_on, 'note', p.note, 'source_url', p.source_url)
                ORDER BY coalesce(p.state_id, po.slug) {C})
                FROM instruments_participation p
                LEFT JOIN instruments_organization po ON po.id = p.organization_id
                WHERE p.instrument_id = x.id),
            'relations', (SELECT json_agg(json_build_object('kind', r.kind,
                'instrument', t.slug, 'note', r.note) ORDER BY t.slug {C}, r.kind {C})
                FROM instruments_instrumentrelation r
                JOIN instruments_instrument t ON t.id = r.to_instrument_id
                WHERE r.from_instrument_id = x.id),
            'recorded_vote', (SELECT json_build_object('in_favour', v.in_favour,
                'against', v.against, 'abstaining', v.abstaining, 'source_url', v.source_url,
                'date', v.date, 'meeting', v.meeting,
                'yes', to_json(ARRAY(SELECT s.state_id FROM instruments_vote s WHERE
                    s.instrument_id = x.id AND s.vote = 'yes' ORDER BY s.state_id {C})),
                'no', to_json(ARRAY(SELECT s.state_id FROM instruments_vote s WHERE
                    s.instrument_id = x.id AND s.vote = 'no' ORDER BY s.state_id {C})),
                'abstain', to_json(ARRAY(SELECT s.state_id FROM instruments_vote s WHERE
                    s.instrument_id = x.id AND s.vote = 'abstain' ORDER BY s.state_id {C})),
                'absent', to_json(ARRAY(SELECT s.state_id FROM instruments_vote s WHERE
                    s.instrument_id = x.id AND s.vote = 'absent' ORDER BY s.state_id {C})))
                FROM instruments_recordedvote v WHERE v.instrument_id = x.id),
            'stances', (SELECT json_agg(json_build_object('question', q.slug,
                'stance', s.stance, 'summary', s.summary, 'provision', sp.label)
                ORDER BY q.slug {C})
                FROM obligations_stance s JOIN obligations_legalquestion q ON q.id = s.question_id
                LEFT JOIN instruments_provision sp ON sp.id = s.provision_id
                WHERE s.position_id = x.id),
            'last_reviewed_on', x.last_reviewed_on)
        FROM instruments_instrument x
        LEFT JOIN instruments_organization o ON o.id = x.organization_id
        LEFT JOIN instruments_organization ao ON ao.id = x.author_organization_id
        LEFT JOIN instruments_organization b ON b.id = x.binds_members_of_id
        ORDER BY x.slug {C}""",
    "norms": f"""
        SELECT json_build_object('slug', x.slug, 'title', x.title, 'statement', x.statement,
            'code', x.code,
            'topics', {
        slugs("obligations_norm_topics", ("norm_id", "topic_id"), "obligations_topic")
    }, 'origin', o.slug)
        FROM obligations_norm x LEFT JOIN instruments_instrument o ON o.id = x.origin_id
        ORDER BY x.slug {C}""",
    # A million obligations: their norms and topics are aggregated once rather than by two
    # subqueries per row, and the row comes back as columns (see COLUMNS): building JSON
    # in the server costs more than building the dict here.
    "obligations": f"""
        WITH norms AS MATERIALIZED (SELECT m.obligation_id,
                array_agg(n.slug ORDER BY n.slug {C}) AS slugs
            FROM obligations_obligation_norms m JOIN obligations_norm n ON n.id = m.norm_id
            GROUP BY m.obligation_id),
        topics AS MATERIALIZED (SELECT m.obligation_id,
                array_agg(t.slug ORDER BY t.slug {C}) AS slugs
            FROM obligations_obligation_topics m JOIN obligations_topic t ON t.id = m.topic_id
            GROUP BY m.obligation_id)
        SELECT x.slug, i.slug, x.duty_bearer, x.modality, x.summary, p.label, nm.slugs,
            tp.slugs, x.deadline, x.deadline_trigger, x.verification
        FROM obligations_obligation x
        JOIN instruments_instrument i ON i.id = x.instrument_id
        LEFT JOIN instruments_provision p ON p.id = x.provision_id
        LEFT JOIN norms nm ON nm.obligation_id = x.id
        LEFT JOIN topics tp ON tp.obligation_id = x.id
        ORDER BY x.slug {C}""",
    "response_measures": f"""
        SELECT json_build_object('slug', x.slug, 'name', x.name, 'category', x.category,
            'escalation_level', x.escalation_level, 'description', x.description,
            'legal_basis', (SELECT json_agg(json_build_object('instrument', bi.slug,
                'provision', bp.label) ORDER BY bi.slug {C}, bp.label {C})
                FROM obligations_responsemeasure_legal_basis m
                JOIN instruments_provision bp ON bp.id = m.provision_id
                JOIN instruments_instrument bi ON bi.id = bp.instrument_id
                WHERE m.responsemeasure_id = x.id),
            'responds_to', {
        slugs(
            "obligations_responsemeasure_responds_to",
            ("responsemeasure_id", "norm_id"),
            "obligations_norm",
        )
    },
            'attribution_threshold', x.attribution_threshold, 'reversible', x.reversible,
            'conditions', x.conditions)
        FROM obligations_responsemeasure x ORDER BY x.slug {C}""",
    "incidents": f"""
        SELECT json_build_object('slug', x.slug, 'name', x.name,
            'operation_type', x.operation_type, 'summary', x.summary, 'aliases', x.aliases,
            'started_on', {partial("started_on")}, 'start_unknown', x.start_unknown,
            'ended_on', {partial("ended_on")}, 'disclosed_on', x.disclosed_on,
            'victims', {
        slugs(
            "obligations_incident_victims",
            ("incident_id", "state_id"),
            "instruments_state",
            "code",
            "code",
        )
    },
            'sectors', {
        slugs("obligations_incident_sectors", ("incident_id", "topic_id"), "obligations_topic")
    },
            'sources', x.sources,
            'attributions', (SELECT json_agg(json_build_object(
                'by', coalesce(a.by_state_id, bo.slug), 'date', a.date,
                'confidence', a.confidence,
                'to_states', to_json(ARRAY(SELECT m.state_id FROM
                    obligations_attribution_to_states m WHERE m.attribution_id = a.id
                    ORDER BY m.state_id {C})),
                'to_group', a.to_group, 'basis', a.basis,
                'joint_with', to_json(ARRAY(SELECT m.state_id FROM
                    obligations_attribution_joint_with m WHERE m.attribution_id = a.id
                    ORDER BY m.state_id {C})),
                'summary', a.summary, 'source_url', a.source_url)
                ORDER BY a.date, coalesce(a.by_state_id, bo.slug) {C})
                FROM obligations_attribution a
                LEFT JOIN instruments_organization bo ON bo.id = a.by_organization_id
                WHERE a.incident_id = x.id),
            'breaches', (SELECT json_agg(json_build_object('norm', n.slug,
                'alleged_by', {
        actors("obligations_allegedbreach_alleged_by", "allegedbreach_id", "b")
    },
                'source_url', b.source_url) ORDER BY n.slug {C})
                FROM obligations_allegedbreach b JOIN obligations_norm n ON n.id = b.norm_id
                WHERE b.incident_id = x.id),
            'responses', (SELECT json_agg(r.doc ORDER BY r.date, r.measure {C}, r.by_text {C})
                FROM (SELECT r.date, m.slug AS measure, json_build_object('measure', m.slug,
                    'date', r.date, 'by', by_list, 'description', r.description,
                    'legal_basis', {provision_ref("r.legal_basis_id")},
                    'source_url', r.source_url) AS doc, by_list::text AS by_text
                    FROM obligations_responseaction r
                    JOIN obligations_responsemeasure m ON m.id = r.measure_id
                    CROSS JOIN LATERAL (SELECT {
        actors("obligations_responseaction_by", "responseaction_id", "r")
    } AS by_list) a
                    WHERE r.incident_id = x.id) r))
        FROM obligations_incident x ORDER BY x.slug {C}""",
}


# The keys of the queries that return columns rather than one JSON object.
COLUMNS = {
    "obligations": ["slug", "instrument", "duty_bearer", "modality", "summary", "provision",
                    "norms", "topics", "deadline", "deadline_trigger", "verification"],
}  # fmt: skip


class Canonical:
    """Orders a record's keys as the schema declares them and leaves out the empty
    optional ones: absent, "", [], and a value equal to the schema's default."""

    def __init__(self):
        self.plans = {}

    def plan(self, name):
        if name not in self.plans:
            definition = DEFS[name]
            required = set(definition["required"])
            self.plans[name] = [
                (key, key in required, node.get("default"), record_type(node),
                 node.get("type") == "array")
                for key in key_order(name)
                for node in [definition["properties"][key]]
            ]  # fmt: skip
        return self.plans[name]

    def __call__(self, name, values):
        out = {}
        for key, required, default, child, is_list in self.plan(name):
            value = values.get(key)
            if not required and (value is None or value == "" or value == [] or (
                    default is not None and value == default)):  # fmt: skip
                continue
            if child:
                value = [self(child, v) for v in value] if is_list else self(child, value)
            out[key] = value
        return out


def server_rows(cursor, kind):
    """The rows of one top-level list's query, from a server-side cursor."""
    with cursor.connection.cursor(name=f"export_{kind}") as rows:
        # The records come back as JSON text, which orjson reads faster than json.loads.
        rows.adapters.register_loader("json", TextLoader)
        rows.itersize = FETCH_ROWS
        rows.execute(QUERIES[kind])
        yield from rows


def records(kind, rows, canonical):
    """The canonical records of one top-level list from its query's rows."""
    name = TOP_LEVEL[kind]
    if kind in COLUMNS:
        keys = COLUMNS[kind]
        for row in rows:
            yield canonical(name, dict(zip(keys, row, strict=True)))
    else:
        for (text,) in rows:
            yield canonical(name, orjson.loads(text))


def write_export(out):
    """Write the canonical document to a binary file; returns {top-level key: count}."""
    canonical = Canonical()
    snapshot = not connection.in_atomic_block
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            if snapshot:  # one consistent view of every table, however long the export
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # Plan the cursors for reading every row, not the first tenth of them; give the
            # server's hash joins and sorts room (its memory, not this process's).
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            lists = {
                kind: records(kind, server_rows(cursor, kind), canonical) for kind in TOP_LEVEL
            }
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = 'obligations_obligation'::regclass"
            )
            if snapshot and cursor.fetchone()[0] > prefetch.LARGE:
                cursor.execute("SELECT pg_export_snapshot()")
                rows = prefetch.Prefetch(cursor.fetchone()[0], QUERIES["obligations"])
                lists["obligations"] = records("obligations", rows, canonical)
            return write_document(out, lists)


def write_document(out, lists):
    """Write {top-level key: canonical records} as the bytes json.dumps(document,
    ensure_ascii=False, indent=2) + "\\n" would give, one record at a time: each record is
    indented by orjson and shifted to its depth (two levels: four spaces). Empty lists are
    left out. Returns {top-level key: count}."""
    counts = {}
    out.write(b'{\n  "format": ' + orjson.dumps(FORMAT))
    for kind, found in lists.items():
        count = 0
        for record in found:
            out.write(b",\n    " if count else b',\n  "' + kind.encode() + b'": [\n    ')
            out.write(orjson.dumps(record, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    "))
            count += 1
        if count:
            out.write(b"\n  ]")
            counts[kind] = count
    out.write(b"\n}\n")
    return counts


def export_bytes():
    out = io.BytesIO()
    write_export(out)
    return out.getvalue()


def dataset_export():
    """The whole document as Python objects (for tests and small tools)."""
    return orjson.loads(export_bytes())
