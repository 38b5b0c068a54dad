"""The synthetic corpus of `make bench-search`: curated clauses, headings and titles cut
into temporary tables, then 20,000 instruments, 1,000,000 provisions and 1,000,000
obligations (and their topics, parties, norms, measures, incidents) written by
INSERT … SELECT on the server. Run by tests/bench/search.py."""

import re

TAIL_WORDS = 50_000


def load_vocabulary(cursor, document, rng):
    """Temporary tables of curated clauses, headings and titles, and the made-up tail words."""
    texts = [o["summary"] for o in document["obligations"]]
    texts += [n["statement"] for n in document["norms"]]
    texts += [m["description"] for m in document["response_measures"]]
    texts += [m.get("conditions", "") for m in document["response_measures"]]
    texts += [i["summary"] for i in document["instruments"]]
    texts += [i["summary"] for i in document["incidents"]]
    provisions = [p for i in document["instruments"] for p in i.get("provisions", [])]
    texts += [p.get("summary", "") for p in provisions]
    clauses = sorted(
        {
            clause.strip(" .;:")
            for text in texts
            for clause in re.split(r"(?<=[.;:])\s+|,\s+(?=[a-z])", text)
            if len(clause.split()) >= 4
        }
    )
    headings = sorted({p["heading"] for p in provisions if p.get("heading")})
    titles = sorted({i["title"] for i in document["instruments"]})
    triggers = sorted(
        {o["deadline_trigger"] for o in document["obligations"] if o.get("deadline_trigger")}
    )
    verifications = sorted(
        {o["verification"] for o in document["obligations"] if o.get("verification")}
    )
    tail = made_up_words(rng, TAIL_WORDS)
    for table, values in [
        ("bench_clause", clauses),
        ("bench_heading", headings),
        ("bench_title", titles),
        ("bench_trigger", triggers),
        ("bench_verification", verifications),
        ("bench_tail", tail),
    ]:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {table} (n integer PRIMARY KEY, text text NOT NULL)"
        )
        with cursor.copy(f"COPY {table} (n, text) FROM STDIN") as copy:
            for number, value in enumerate(values, start=1):
                copy.write_row((number, value))
        cursor.execute(f"ANALYZE {table}")


def made_up_words(rng, count):
    """Pronounceable words that are in no dictionary: names, codes, rare terms."""
    syllables = "ka lo ri ven tar mes dul bra sin go pel tru zem fi nor dat qui bex hol mun".split()
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(3, 4))))
    return sorted(words, key=lambda w: rng.random())


# A random row of a bench_* table: 1 + floor(random() * count). The random numbers are drawn in
# a subquery first (PostgreSQL does not flatten one whose output is volatile), then joined.
# Tail words are drawn with Zipf frequencies: exp(random() * ln N) is rank r with p ~ 1/r.

INSTRUMENTS = """
INSERT INTO instruments_instrument (created_at, updated_at, slug, title, short_title, symbol,
    kind, legal_force, scope, status, region, adopted_on, summary, source_url, organization_id,
    adopted_without_vote)
SELECT now(), now(), 'bench-instrument-' || r.g, t.text || ' on ' || initcap(w.text), '',
    'BENCH/' || r.g,
    (ARRAY['treaty','protocol','resolution','report','declaration','decision','legislation',
           'manual','position'])[1 + r.g % 9],
    (ARRAY['binding','politically_binding','voluntary','expert_restatement','codification'])
        [1 + (r.g / 9) % 5],
    (ARRAY['global','regional','plurilateral','bilateral','national'])[1 + (r.g / 45) % 5],
    (ARRAY['in_force','adopted','open_for_signature','in_force'])[1 + (r.g / 7) % 4],
    '', DATE '1990-01-01' + (r.g % 12000), a.text || '. ' || b.text || '. ' || c.text || '.', '',
    NULL, FALSE
FROM (
    SELECT g, 1 + floor(random() * (SELECT COUNT(*) FROM bench_title))::int AS title,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS a,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS b,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS c,
        floor(exp(random() * ln((SELECT COUNT(*) FROM bench_tail))))::int AS tail
    FROM generate_series(1, {count}) g
) r
JOIN bench_title t ON t.n = r.title
JOIN bench_clause a ON a.n = r.a JOIN bench_clause b ON b.n = r.b JOIN bench_clause c ON c.n = r.c
JOIN bench_tail w ON w.n = r.tail;

CREATE TEMPORARY TABLE bench_instrument AS
SELECT row_number() OVER (ORDER BY id)::int AS n, id, legal_force
FROM instruments_instrument WHERE slug LIKE 'bench-instrument-%';
ALTER TABLE bench_instrument ADD PRIMARY KEY (n);
"""

PROVISIONS_PER_INSTRUMENT = 50

PROVISIONS = f"""
INSERT INTO instruments_provision (created_at, updated_at, label, heading, summary, "order",
    source_url, instrument_id, parent_id)
SELECT now(), now(), 'Art. ' || r.k, h.text, a.text || '.', r.k * 10, '', r.id, NULL
FROM (
    SELECT i.id, k, 1 + floor(random() * (SELECT COUNT(*) FROM bench_heading))::int AS heading,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS a
    FROM bench_instrument i, generate_series(1, {PROVISIONS_PER_INSTRUMENT}) k
) r
JOIN bench_heading h ON h.n = r.heading JOIN bench_clause a ON a.n = r.a;
"""

OBLIGATIONS = f"""
INSERT INTO obligations_obligation (created_at, updated_at, slug, duty_bearer, modality, summary,
    deadline, deadline_trigger, verification, instrument_id, provision_id)
SELECT now(), now(), 'bench-obligation-' || r.g,
    (ARRAY['states','state_parties','member_states','private_sector','service_providers',
           'essential_entities','csirts','international_organizations'])[1 + r.g % 8],
    (ARRAY['must','must','must_not','should','should','should_not','may'])[1 + (r.g / 8) % 7],
    a.text || '; ' || b.text || ', ' || c.text || ' (' || w.text || ').',
    CASE WHEN r.g % 10 = 0 THEN (ARRAY['PT24H','PT72H','P1M','P60D'])[1 + (r.g / 10) % 4]
         ELSE '' END,
    CASE WHEN r.g % 10 = 0 THEN COALESCE(t.text, '') ELSE '' END,
    CASE WHEN r.g % 2 = 0 THEN COALESCE(v.text, '') ELSE '' END,
    i.id, p.id
FROM (
    SELECT g, 1 + g % (SELECT COUNT(*) FROM bench_instrument)::int AS instrument,
        1 + (g / (SELECT COUNT(*) FROM bench_instrument)::int) % {PROVISIONS_PER_INSTRUMENT}
            AS article,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS a,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS b,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS c,
        floor(exp(random() * ln((SELECT COUNT(*) FROM bench_tail))))::int AS tail,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_trigger))::int AS trigger,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_verification))::int AS verification
    FROM generate_series(1, {{count}}) g
) r
JOIN bench_instrument i ON i.n = r.instrument
JOIN instruments_provision p ON p.instrument_id = i.id AND p.label = 'Art. ' || r.article
JOIN bench_clause a ON a.n = r.a JOIN bench_clause b ON b.n = r.b JOIN bench_clause c ON c.n = r.c
JOIN bench_tail w ON w.n = r.tail
LEFT JOIN bench_trigger t ON t.n = r.trigger
LEFT JOIN bench_verification v ON v.n = r.verification;
"""

# Each synthetic obligation gets one topic and four in ten a second one; each synthetic
# instrument two; binding instruments about a dozen parties among the curated states.
LINKS = """
CREATE TEMPORARY TABLE bench_topic AS
SELECT row_number() OVER (ORDER BY id)::int AS n, id FROM obligations_topic;

INSERT INTO obligations_obligation_topics (obligation_id, topic_id)
SELECT DISTINCT r.id, t.id FROM (
    SELECT id, 1 + floor(random() * (SELECT COUNT(*) FROM bench_topic))::int AS topic
    FROM obligations_obligation WHERE slug LIKE 'bench-obligation-%'
    UNION ALL
    SELECT id, 1 + floor(random() * (SELECT COUNT(*) FROM bench_topic))::int
    FROM obligations_obligation WHERE slug LIKE 'bench-obligation-%' AND random() < 0.4
) r JOIN bench_topic t ON t.n = r.topic;

INSERT INTO instruments_instrument_topics (instrument_id, topic_id)
SELECT DISTINCT r.id, t.id FROM (
    SELECT i.id, 1 + floor(random() * (SELECT COUNT(*) FROM bench_topic))::int AS topic
    FROM bench_instrument i, generate_series(1, 2)
) r JOIN bench_topic t ON t.n = r.topic;

INSERT INTO instruments_participation (created_at, updated_at, status, note, source_url,
    instrument_id, state_id)
SELECT now(), now(), CASE WHEN random() < 0.8 THEN 'party' ELSE 'signatory' END, '', '', i.id,
    s.code
FROM bench_instrument i
CROSS JOIN LATERAL (
    SELECT code FROM instruments_state WHERE i.id IS NOT NULL ORDER BY random() LIMIT 12
) s
WHERE i.legal_force = 'binding';
"""


def texts(count):
    """`count` rows r, each with a random heading h, two clauses a and b and a tail word w."""
    return f"""FROM (
    SELECT g, 1 + floor(random() * (SELECT COUNT(*) FROM bench_heading))::int AS heading,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS a,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS b,
        floor(exp(random() * ln((SELECT COUNT(*) FROM bench_tail))))::int AS tail
    FROM generate_series(1, {count}) g
) r
JOIN bench_heading h ON h.n = r.heading JOIN bench_clause a ON a.n = r.a
JOIN bench_clause b ON b.n = r.b JOIN bench_tail w ON w.n = r.tail;"""


OTHER_RECORDS = f"""
INSERT INTO obligations_norm (created_at, updated_at, slug, code, title, statement)
SELECT now(), now(), 'bench-norm-' || r.g, '', h.text || ' (' || w.text || ')',
    a.text || '. ' || b.text || '.'
{texts(2000)}

INSERT INTO obligations_norm_topics (norm_id, topic_id)
SELECT r.id, t.id FROM (
    SELECT id, 1 + floor(random() * (SELECT COUNT(*) FROM bench_topic))::int AS topic
    FROM obligations_norm WHERE slug LIKE 'bench-norm-%'
) r JOIN bench_topic t ON t.n = r.topic;

INSERT INTO obligations_responsemeasure (created_at, updated_at, slug, name, category,
    escalation_level, description, attribution_threshold, reversible, conditions)
SELECT now(), now(), 'bench-measure-' || r.g, initcap(w.text) || ' ' || lower(h.text),
    (ARRAY['cooperative','diplomatic','economic','legal','technical','countermeasure',
           'collective','military'])[1 + r.g % 8],
    1 + r.g % 6, a.text || '.', (ARRAY['none','suspected','confident','conclusive'])[1 + r.g % 4],
    r.g % 2 = 0, b.text || '.'
{texts(300)}

INSERT INTO obligations_incident (created_at, updated_at, slug, name, aliases, operation_type,
    summary, sources, started_on_precision, ended_on_precision, start_unknown)
SELECT now(), now(), 'bench-incident-' || r.g, 'Operation ' || initcap(w.text), '{{}}',
    (ARRAY['espionage','disruption','destruction','data_theft','influence','ransomware'])
        [1 + r.g % 6],
    a.text || '. ' || b.text || '.', '{{}}', 'day', 'day', FALSE
FROM (
    SELECT g, 1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS a,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS b,
        floor(exp(random() * ln((SELECT COUNT(*) FROM bench_tail))))::int AS tail
    FROM generate_series(1, 2000) g
) r
JOIN bench_clause a ON a.n = r.a JOIN bench_clause b ON b.n = r.b
JOIN bench_tail w ON w.n = r.tail;

INSERT INTO obligations_incident_sectors (incident_id, topic_id)
SELECT r.id, t.id FROM (
    SELECT id, 1 + floor(random() * (SELECT COUNT(*) FROM bench_topic))::int AS topic
    FROM obligations_incident WHERE slug LIKE 'bench-incident-%'
) r JOIN bench_topic t ON t.n = r.topic;
"""
