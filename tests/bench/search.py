"""Benchmark the search at a million obligations: see the command's help."""

import json
import os
import random
import re
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from normsdb.dataset import dataset_import

DATASET = Path(settings.BASE_DIR) / "data" / "normsdb.json"
SEED = 20250501
TAIL_WORDS = 50_000
COMPLETE = "complete, built"


class Command(BaseCommand):
    help = (
        "Build a synthetic database of a million obligations across 20,000 instruments (in a "
        "separate database on the project's server, kept between runs) and time a fixed set of "
        "searches through the API and directly in SQL: p50/p95/max per query, the API/SQL "
        "ratio, and EXPLAIN evidence that the GIN indexes are used. It prints figures; it "
        "asserts nothing and never runs in the test suite."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default="normsdb_bench", help="Name of the bench database."
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Drop and rebuild the bench database."
        )
        parser.add_argument("--obligations", type=int, default=1_000_000)
        parser.add_argument("--instruments", type=int, default=20_000)
        parser.add_argument("--runs", type=int, default=40, help="Timed runs per query.")
        parser.add_argument(
            "--build-only", action="store_true", help="Build the database; time nothing."
        )

    def handle(self, *args, **options):
        name = options["database"]
        started = time.monotonic()
        built = self.use_database(name, rebuild=options["rebuild"])
        if built:
            self.stdout.write(f"Reusing {name}, {built} (--rebuild to build it again).")
        else:
            self.build(options["instruments"], options["obligations"])
            seconds = time.monotonic() - started
            with connection.cursor() as cursor:
                cursor.execute(f"COMMENT ON DATABASE {name} IS '{COMPLETE} in {seconds:.0f} s'")
            self.stdout.write(f"Built {name} in {seconds:.0f} s.")
        self.describe()
        if options["build_only"]:
            return
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(f"Load average before timing: {load} ({os.cpu_count()} CPUs).")
        self.benchmark(options["runs"])
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(f"Load average after timing: {load}.")

    # --- the database ----------------------------------------------------------------------

    def use_database(self, name, *, rebuild):
        """Point this process's default connection at the bench database, creating it if needed.

        Returns how a complete bench database already there was built, or "" when it must
        be built. The search module, the API view and the SQL timings then all run against
        it through the ordinary connection.
        """
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise SystemExit("The bench database name must be a plain lower-case identifier.")
        with connection.cursor() as cursor:
            if rebuild:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [name],
            )
            row = cursor.fetchone()
            complete = row[0] if row and (row[0] or "").startswith(COMPLETE) else ""
            if not complete:
                # Missing, or left half-built by an interrupted run: start again.
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {name}")
        connections.close_all()
        connection.settings_dict["NAME"] = name
        # Also on reuse: a kept database follows new migrations (indexes, for one).
        call_command("migrate", interactive=False, verbosity=0)
        return complete

    def build(self, instruments, obligations):
        """The curated dataset, then synthetic records written by INSERT … SELECT.

        The text is realistic where it matters to full-text search: clauses cut from the
        curated texts (so word frequencies and phrases follow real usage, a Zipf-like curve),
        plus one word per record from a long tail of 50,000 made-up words drawn with Zipf
        frequencies (rank r about 1/r), which gives rare words at every frequency.
        """
        rng = random.Random(SEED)
        document = json.loads(DATASET.read_text())
        self.step("curated dataset", lambda: dataset_import(document=document, reason="bench"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.25)")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET synchronous_commit = off")
            self.step("vocabulary", lambda: load_vocabulary(cursor, document, rng))
            for index in ["obligation_search", "provision_search", "instrument_search"]:
                cursor.execute(f"DROP INDEX {index}")
            self.step(
                "instruments", lambda: cursor.execute(INSTRUMENTS.format(count=int(instruments)))
            )
            self.step("provisions", lambda: cursor.execute(PROVISIONS))
            self.step(
                "obligations", lambda: cursor.execute(OBLIGATIONS.format(count=int(obligations)))
            )
            self.step("topics, parties", lambda: cursor.execute(LINKS))
            self.step("norms, measures, incidents", lambda: cursor.execute(OTHER_RECORDS))
            self.step("GIN indexes", lambda: cursor.execute(GIN_INDEXES))
            self.step("vacuum analyze", lambda: cursor.execute("VACUUM ANALYZE"))
            self.step(
                "search lexicon",
                lambda: cursor.execute("REFRESH MATERIALIZED VIEW normsdb_search_word"),
            )

    def step(self, label, action):
        started = time.monotonic()
        action()
        self.stdout.write(f"  {label}: {time.monotonic() - started:.1f} s")

    def describe(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT COUNT(*) FROM instruments_instrument),"
                " (SELECT COUNT(*) FROM instruments_provision),"
                " (SELECT COUNT(*) FROM obligations_obligation),"
                " (SELECT COUNT(*) FROM obligations_norm),"
                " (SELECT COUNT(*) FROM obligations_responsemeasure),"
                " (SELECT COUNT(*) FROM obligations_incident),"
                " (SELECT COUNT(*) FROM normsdb_search_word),"
                " pg_size_pretty(pg_database_size(current_database())),"
                " pg_size_pretty(pg_total_relation_size('obligations_obligation')),"
                " pg_size_pretty(pg_relation_size('obligation_search'))"
            )
            row = cursor.fetchone()
        self.stdout.write(
            f"{row[0]:,} instruments, {row[1]:,} provisions, {row[2]:,} obligations, "
            f"{row[3]:,} norms, {row[4]:,} response measures, {row[5]:,} incidents, "
            f"{row[6]:,} lexicon words; database {row[7]}, obligations {row[8]} "
            f"(GIN index {row[9]})."
        )

    # --- the timings -------------------------------------------------------------------------

    def benchmark(self, runs):
        """Each query through the API (in-process client: URL routing, middleware, DRF, JSON)
        and as the very SQL statements that request ran, replayed on the same connection.

        The cache is cleared before each API request, so every one is a miss of the page
        cache (and the throttle starts afresh); a repeated request is timed apart.
        """
        client = Client()
        rows, by_class = [], {}
        with override_settings(DEBUG=False):
            for query_class, params in self.queries():
                api, sql, statements, body = self.time_query(client, params, runs)
                rows.append((query_class, params, api, sql, statements, body))
                by_class.setdefault(query_class, ([], []))
                by_class[query_class][0].extend(api)
                by_class[query_class][1].extend(sql)
            self.report(rows, by_class)
            self.time_cached(client, runs)
        self.explain()

    def queries(self):
        """The fixed set: the rare words are chosen from the lexicon by frequency, so they
        exist whatever the seed."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM normsdb_search_word WHERE documents BETWEEN 10 AND 40"
                " AND word ~ '^[a-z]{8,}$' ORDER BY documents DESC, word LIMIT 1"
            )
            (rare,) = cursor.fetchone()
            cursor.execute(
                "SELECT word FROM normsdb_search_word WHERE documents BETWEEN 2 AND 5"
                " AND word ~ '^[a-z]{8,}$' ORDER BY documents DESC, word LIMIT 1"
            )
            (rarest,) = cursor.fetchone()
        return [
            ("common word", {"q": "states"}),
            ("common word", {"q": "cyber"}),
            ("common words", {"q": "information security"}),
            ("common words", {"q": "critical infrastructure"}),
            ("uncommon word", {"q": "grooming"}),
            ("rare word", {"q": rare}),
            ("rare word", {"q": rarest}),
            ("phrase", {"q": '"mutual legal assistance"'}),
            ("phrase", {"q": '"critical infrastructure" -espionage'}),
            ("misspelling", {"q": "critcal infrastucture"}),
            ("misspelling", {"q": "atribution"}),
            ("title prefix", {"q": "budap"}),
            ("title prefix", {"q": "tallin"}),
            ("with filters", {"q": "preservation", "type": "obligation", "legal_force": "binding"}),
            ("with filters", {"q": "cooperation", "topic": "critical-infrastructure"}),
            ("with filters", {"q": "data", "state": "DE"}),
            ("with filters", {"q": "incident notification", "modality": "must"}),
            ("with filters", {"q": "states", "kind": "treaty", "page_size": "50"}),
        ]

    def time_query(self, client, params, runs):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = self.get(client, params)
        statements = [query["sql"] for query in captured.captured_queries]
        body = response.json()
        for _ in range(2):  # warm up
            self.get(client, params)
            self.replay(statements)
        api, sql = [], []
        for _ in range(runs):
            cache.clear()  # the API's throttle counters live in the cache
            started = time.perf_counter()
            self.get(client, params)
            api.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            self.replay(statements)
            sql.append((time.perf_counter() - started) * 1000)
        return api, sql, statements, body

    def get(self, client, params):
        response = client.get("/api/v1/search/", params)
        if response.status_code != 200:
            raise SystemExit(f"{params}: HTTP {response.status_code} {response.content[:200]}")
        return response

    def replay(self, statements):
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()

    def report(self, rows, by_class):
        self.stdout.write("")
        self.stdout.write(
            "found: matches counted (+: more match, the count covers the ranked ones); "
            "SQL: statements per request, the page cache's data version included."
        )
        self.stdout.write(
            f"{'class':13} {'query':52} {'found':>6} {'SQL':>3}  "
            f"{'API p50/p95/max ms':>20}  {'SQL p50/p95/max ms':>20}  {'API/SQL':>7}"
        )
        for query_class, params, api, sql, statements, body in rows:
            label = " ".join(f"{k}={v}" if k != "q" else v for k, v in params.items())
            found = f"{body['count']}{'+' if body.get('truncated') else ''}"
            self.stdout.write(
                f"{query_class:13} {label[:52]:52} {found:>6} {len(statements):>3}  "
                f"{figures(api):>20}  {figures(sql):>20}  "
                f"{statistics.median(api) / statistics.median(sql):>7.2f}"
            )
        self.stdout.write("")
        self.stdout.write("Per class (all runs of its queries):")
        for query_class, (api, sql) in by_class.items():
            self.stdout.write(
                f"  {query_class:13} API {figures(api):>20}  SQL {figures(sql):>20}  "
                f"API/SQL {statistics.median(api) / statistics.median(sql):.2f}"
                f"{'' if percentile(api, 0.95) <= 30 else '   over the 30 ms p95 target'}"
            )

    def time_cached(self, client, runs):
        """The same request again: the page cache answers (one query, for the data version)."""
        params = {"q": "critical infrastructure"}
        self.get(client, params)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            self.get(client, params)
            timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(f"  {'repeated':13} API {figures(timings):>20}  (page cache hit)")

    def explain(self):
        """EXPLAIN (ANALYZE, BUFFERS) of the match statement of three queries: the scans
        show which index served each record type (a scan by TID range is the bounded read
        of obligations for very common words)."""
        client = Client()
        for params in [{"q": "grooming"}, {"q": '"mutual legal assistance"'}, {"q": "states"}]:
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                self.get(client, params)
            statement = next(
                q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH matches")
            )
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
                plan = [row[0] for row in cursor.fetchall()]
            self.stdout.write("")
            self.stdout.write(f"EXPLAIN (ANALYZE, BUFFERS) of the match statement for {params}:")
            for line in plan:
                # The scans of the record tables (not of the CTE), and the totals.
                scan = re.search(
                    r"((?:Bitmap Index|Tid Range|Seq|Index Only|Index) Scan (?:on|using) \S+)",
                    line,
                )
                if scan and not re.search(r"matches|topic|_pkey", line):
                    actual = re.search(r"actual time=[\d.]+\.\.([\d.]+) rows=([\d.]+)", line)
                    self.stdout.write(
                        f"  {scan.group(1):58} {float(actual.group(2)):>8,.0f} rows"
                        f" {actual.group(1):>8} ms"
                        if actual
                        else f"  {scan.group(1)}"
                    )
                elif re.match(r"\s*(Planning|Execution) Time", line):
                    self.stdout.write("  " + line.strip())


def figures(values):
    return "/".join(
        f"{v:.1f}" for v in (statistics.median(values), percentile(values, 0.95), max(values))
    )


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
    kind, legal_force, scope, status, region, adopted_on, summary, source_url, organization_id)
SELECT now(), now(), 'bench-instrument-' || r.g, t.text || ' on ' || initcap(w.text), '',
    'BENCH/' || r.g,
    (ARRAY['treaty','protocol','resolution','report','declaration','decision','legislation',
           'manual','position'])[1 + r.g % 9],
    (ARRAY['binding','politically_binding','voluntary','expert_restatement','codification'])
        [1 + (r.g / 9) % 5],
    (ARRAY['global','regional','plurilateral','bilateral','national'])[1 + (r.g / 45) % 5],
    (ARRAY['in_force','adopted','open_for_signature','in_force'])[1 + (r.g / 7) % 4],
    '', DATE '1990-01-01' + (r.g % 12000), a.text || '. ' || b.text || '. ' || c.text || '.', '',
    NULL
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

PROVISIONS_PER_INSTRUMENT = 5

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
        1 + (g / 7) % {PROVISIONS_PER_INSTRUMENT} AS article,
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

OTHER_RECORDS = """
INSERT INTO obligations_norm (created_at, updated_at, slug, code, title, statement)
SELECT now(), now(), 'bench-norm-' || r.g, '', h.text || ' (' || w.text || ')',
    a.text || '. ' || b.text || '.'
FROM (
    SELECT g, 1 + floor(random() * (SELECT COUNT(*) FROM bench_heading))::int AS heading,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS a,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS b,
        floor(exp(random() * ln((SELECT COUNT(*) FROM bench_tail))))::int AS tail
    FROM generate_series(1, 2000) g
) r
JOIN bench_heading h ON h.n = r.heading JOIN bench_clause a ON a.n = r.a
JOIN bench_clause b ON b.n = r.b JOIN bench_tail w ON w.n = r.tail;

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
FROM (
    SELECT g, 1 + floor(random() * (SELECT COUNT(*) FROM bench_heading))::int AS heading,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS a,
        1 + floor(random() * (SELECT COUNT(*) FROM bench_clause))::int AS b,
        floor(exp(random() * ln((SELECT COUNT(*) FROM bench_tail))))::int AS tail
    FROM generate_series(1, 300) g
) r
JOIN bench_heading h ON h.n = r.heading JOIN bench_clause a ON a.n = r.a
JOIN bench_clause b ON b.n = r.b JOIN bench_tail w ON w.n = r.tail;

INSERT INTO obligations_incident (created_at, updated_at, slug, name, aliases, operation_type,
    summary, sources)
SELECT now(), now(), 'bench-incident-' || r.g, 'Operation ' || initcap(w.text), '{}',
    (ARRAY['espionage','disruption','destruction','data_theft','influence','ransomware'])
        [1 + r.g % 6],
    a.text || '. ' || b.text || '.', '{}'
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

# The same definitions as the models' GinIndex entries, built once after the bulk load
# (far faster than keeping them current row by row).
GIN_INDEXES = """
CREATE INDEX obligation_search ON obligations_obligation USING gin (search_vector);
CREATE INDEX provision_search ON instruments_provision USING gin (search_vector);
CREATE INDEX instrument_search ON instruments_instrument USING gin (search_vector);
"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
