"""Benchmark the search at a million obligations: `make bench-search` runs
`python -m tests.bench.search` (not collected by pytest: no test_ prefix).

It builds, once, a synthetic database of 20,000 instruments, 1,000,000 provisions (50 each)
and 1,000,000 obligations (one per provision), plus norms, measures, incidents, topic tags
and parties, written by INSERT … SELECT on the server, in a separate database on the
project's server (`normsdb_bench`, kept between runs); then its search documents and index
through the very code the site runs (normsdb.search.reindex). Then, for each query of a fixed
mix — common words, rare words, phrases, misspellings, filters by topic, state, legal force
and modality — it prints p50/p95 of the API (Django's test client: routing, middleware, DRF,
JSON; the page cache off) and of the same query in plain SQL over the search documents (the
match, the ranking of every match, the page and the facet counts), and the exactness check:
the API's count equals SQL's count of matching records.

The SQL is written here by hand from what each query means, not taken from the search code:
websearch_to_tsquery('normsdb', …) for words, phrases and exclusions; the respelt words for a
misspelling; `'=word'` forms for a short word (the documents hold words of six letters or
fewer unstemmed, marked "=", beside their stems; migration normsdb/0008); a recursive walk
of the topic tree; the parties of binding instruments in force for a state. Both sides match
the same lexemes, because Tantivy indexes PostgreSQL's own analysis of each document (the
tsvector's lexemes at their positions): an equal count means equal matching, not luck.

Nothing measured is sampled, truncated or cached: every match is ranked and counted on both
sides, and the cache is cleared before every API request.
"""

import argparse
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

from tests.bench.search_corpus import (
    INSTRUMENTS,
    LINKS,
    OBLIGATIONS,
    OTHER_RECORDS,
    PROVISIONS,
    load_vocabulary,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="normsdb_bench")
    parser.add_argument("--rebuild", action="store_true", help="Build the database again.")
    parser.add_argument("--reindex", action="store_true", help="Rebuild documents and index.")
    parser.add_argument("--instruments", type=int, default=20_000)
    parser.add_argument("--obligations", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40, help="Timed runs per query.")
    parser.add_argument("--backend", default="tantivy", choices=["tantivy", "postgres"])
    parser.add_argument("--build-only", action="store_true")
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "normsdb.settings")
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ["SEARCH_BACKEND"] = options.backend
    # The rate limit stays in the path (one upsert per request) but never refuses the bench.
    os.environ["API_ANON_RATE"] = "1000000/minute"
    import django

    django.setup()
    Bench(options).run()


class Bench:
    def __init__(self, options):
        self.options = options

    def say(self, text=""):
        print(text, flush=True)

    def run(self):
        from django.db import connection

        options = self.options
        started = time.monotonic()
        built = self.use_database(options.database, rebuild=options.rebuild)
        if built:
            self.say(f"Reusing {options.database}, {built} (--rebuild to build it again).")
        else:
            self.build(options.instruments, options.obligations)
            seconds = time.monotonic() - started
            with connection.cursor() as cursor:
                cursor.execute(
                    f"COMMENT ON DATABASE {options.database} IS '{COMPLETE} in {seconds:.0f} s'"
                )
            self.say(f"Built {options.database} in {seconds:.0f} s.")
        self.index(force=options.reindex or not built)
        self.describe()
        if options.build_only:
            return
        self.say(f"Load average before timing: {load()} ({os.cpu_count()} CPUs).")
        rows = self.benchmark(options.runs)
        self.say(f"Load average after timing: {load()}.")
        self.report(rows)

    # --- the database ---------------------------------------------------------------------

    def use_database(self, name, *, rebuild):
        """Point this process's connection at the bench database, creating it if needed;
        returns how a complete one already there was built, or "" when it must be built."""
        from django.core.management import call_command
        from django.db import connection, connections

        from normsdb.pgtools import lift_statement_timeout

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
            if not complete:  # missing, or left half-built by an interrupted run
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {name}")
        connections.close_all()
        connection.settings_dict["NAME"] = name
        # Building a million records is maintenance, not a request: no statement_timeout
        # on this new session.
        lift_statement_timeout()
        call_command("migrate", interactive=False, verbosity=0)
        return complete

    def build(self, instruments, obligations):
        """The curated dataset, then synthetic records written by INSERT … SELECT: clauses cut
        from the curated texts (real word frequencies and phrases) plus one made-up word per
        record drawn with Zipf frequencies from 50,000 (rare words at every frequency)."""
        from django.db import connection

        from normsdb.dataset import dataset_import

        rng = random.Random(SEED)
        document = json.loads(DATASET.read_text())
        self.step("curated dataset", lambda: dataset_import(document=document, reason="bench"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.25)")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET synchronous_commit = off")
            self.step("vocabulary", lambda: load_vocabulary(cursor, document, rng))
            self.step("instruments", lambda: cursor.execute(INSTRUMENTS.format(count=instruments)))
            self.step("provisions", lambda: cursor.execute(PROVISIONS))
            self.step("obligations", lambda: cursor.execute(OBLIGATIONS.format(count=obligations)))
            self.step("topics, parties", lambda: cursor.execute(LINKS))
            self.step("norms, measures, incidents", lambda: cursor.execute(OTHER_RECORDS))
            self.step("vacuum analyze", lambda: cursor.execute("VACUUM ANALYZE"))

    def index(self, *, force):
        """The search documents and the index, by the site's own code; kept between runs."""
        from django.db import connection

        from normsdb.models import SearchDocument
        from normsdb.search import engine, reindex

        if not force and SearchDocument.objects.exists() and engine.folder().exists():
            return
        self.step("search documents and index (normsdb.search.reindex)", reindex)
        with connection.cursor() as cursor:
            self.step("vacuum analyze", lambda: cursor.execute("VACUUM ANALYZE"))

    def step(self, label, action):
        started = time.monotonic()
        action()
        self.say(f"  {label}: {time.monotonic() - started:.1f} s")

    def describe(self):
        from django.conf import settings
        from django.db import connection

        from normsdb.search import engine

        with connection.cursor() as cursor:
            cursor.execute(DESCRIBE)
            row = cursor.fetchone()
        index_size = sum(f.stat().st_size for f in engine.folder().rglob("*") if f.is_file())
        self.say(
            f"{row[0]:,} instruments, {row[1]:,} provisions, {row[2]:,} obligations, "
            f"{row[3]:,} search documents, {row[4]:,} lexicon words; database {row[5]}, "
            f"search documents {row[6]}; Tantivy index {index_size / 2**20:,.0f} MB "
            f"(backend: {settings.SEARCH_BACKEND})."
        )

    # --- the timings ------------------------------------------------------------------------

    def benchmark(self, runs):
        from django.core.cache import cache
        from django.test import Client, override_settings

        client = Client()
        rows = []
        with override_settings(DEBUG=False, PAGE_CACHE_SECONDS=0):
            for label, params, reference in self.queries():
                body = self.get(client, params)
                reference = (*reference[:2], {"q": params["q"], **reference[2]})
                count, _page = self.reference(reference)
                for _ in range(3):  # warm up
                    self.get(client, params)
                self.reference(reference)
                api, sql = [], []
                for run in range(runs):
                    cache.clear()
                    started = time.perf_counter()
                    self.get(client, params)
                    api.append((time.perf_counter() - started) * 1000)
                    # SQL that takes seconds is timed on fewer runs (SLOW_SQL_RUNS), shown.
                    if run < SLOW_SQL_RUNS or statistics.median(sql) < 1000:
                        started = time.perf_counter()
                        self.reference(reference)
                        sql.append((time.perf_counter() - started) * 1000)
                rows.append((label, params, body, count, api, sql))
                self.say(f"  timed {label}: {describe(params)}")
        return rows

    def get(self, client, params):
        response = client.get("/api/v1/search/", params)
        if response.status_code != 200:
            raise SystemExit(f"{params}: HTTP {response.status_code} {response.content[:200]}")
        return response.json()

    def reference(self, reference):
        """The count of matching records and the first page, in plain SQL."""
        from django.db import connection

        condition, tsquery, params = reference
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE.format(condition=condition, tsquery=tsquery), params)
            count, page = cursor.fetchone()[:2]
        return count, page

    def queries(self):
        """(label, API parameters, (SQL condition, SQL tsquery, SQL parameters)). The rare
        words are picked from the lexicon by frequency, so they exist whatever the seed."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(RARE, [10, 40])
            (rare,) = cursor.fetchone()
            cursor.execute(RARE, [2, 5])
            (rarest,) = cursor.fetchone()
        web = "websearch_to_tsquery('normsdb', %(q)s)"
        plain = ("TRUE", web, {})
        return [
            ("common word", {"q": "attribution"}, plain),
            ("common word", {"q": "states"}, plain),
            ("common words", {"q": "critical infrastructure"}, plain),
            ("common words", {"q": "information security"}, plain),
            ("rare word", {"q": rare}, plain),
            ("rare word", {"q": rarest}, plain),
            ("phrase", {"q": '"mutual legal assistance"'}, plain),
            ("phrase", {"q": '"critical infrastructure" -espionage'}, plain),
            ("short word", {"q": "data protection"}, ("TRUE", "CAST(%(tsquery)s AS tsquery)", {
                "tsquery": "('=data' | '=datas') & 'protect'"})),
            ("misspelling", {"q": "atribution"}, ("TRUE", web, {"q": "attribution"})),
            ("misspelling", {"q": "critcal infrastucture"},
             ("TRUE", web, {"q": "critical infrastructure"})),
            ("topic", {"q": "cooperation", "topic": "critical-infrastructure"},
             (TOPIC, web, {"topic": "critical-infrastructure"})),
            ("state", {"q": "preservation", "state": "DE"}, (STATE, web, {"state": "DE"})),
            ("legal force", {"q": "attribution", "legal_force": "binding"},
             ("d.legal_force = 'binding'", web, {})),
            ("modality", {"q": "incident notification", "modality": "must"},
             ("d.modality = 'must'", web, {})),
            ("sort by date", {"q": "attribution", "sort": "date"}, plain),
        ]  # fmt: skip

    def report(self, rows):
        self.say("")
        self.say(
            "count: matching records, by the API and by SQL (= when equal); times in ms, the API "
            f"over {self.options.runs} runs with the cache off, SQL over `runs`."
        )
        self.say(
            f"{'class':13} {'query':46} {'API count':>9} {'SQL count':>9}   "
            f"{'API p50':>7} {'p95':>6}   {'SQL p50':>7} {'p95':>7} {'runs':>4}"
        )
        failures = []
        for label, params, body, count, api, sql in rows:
            same = "=" if body["count"] == count else "≠"
            p95 = percentile(api, 0.95)
            self.say(
                f"{label:13} {describe(params)[:46]:46} {body['count']:>9,} {same}{count:>8,}   "
                f"{statistics.median(api):>7.1f} {p95:>6.1f}   "
                f"{statistics.median(sql):>7.1f} {percentile(sql, 0.95):>7.1f} {len(sql):>4}"
            )
            if "truncated" in body:
                failures.append(f"{describe(params)}: the answer has `truncated`")
            if body["count"] != count:
                failures.append(f"{describe(params)}: API count {body['count']} ≠ SQL {count}")
            if p95 > 30:
                failures.append(f"{describe(params)}: API p95 {p95:.1f} ms > 30 ms")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.say("")
        self.say(f"Peak memory of this process (Django, the index reader): {peak:,.0f} MB.")
        self.say(f"Load average: {load()} on {os.cpu_count()} CPUs.")
        self.say("All queries exact and within 30 ms p95." if not failures else "Not met:")
        for failure in failures:
            self.say(f"  {failure}")


def describe(params):
    return " ".join(f"{k}={v}" if k != "q" else v for k, v in params.items())


def load():
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


DATASET = Path(__file__).resolve().parents[2] / "data" / "normsdb.json"
SEED = 20250501
COMPLETE = "complete, built"
SLOW_SQL_RUNS = 5

DESCRIBE = """
SELECT (SELECT COUNT(*) FROM instruments_instrument), (SELECT COUNT(*) FROM instruments_provision),
    (SELECT COUNT(*) FROM obligations_obligation), (SELECT COUNT(*) FROM normsdb_searchdocument),
    (SELECT COUNT(*) FROM normsdb_searchword), pg_size_pretty(pg_database_size(current_database())),
    pg_size_pretty(pg_total_relation_size('normsdb_searchdocument'))
"""
RARE = """
SELECT word FROM normsdb_searchword WHERE documents BETWEEN %s AND %s AND word ~ '^[a-z]{8,}$'
ORDER BY documents DESC, word LIMIT 1
"""
# The plain SQL of a search: every match ranked (ts_rank_cd, times the prior), counted, the
# first page, and the counts of every facet.
REFERENCE = """
WITH matches AS MATERIALIZED (
    SELECT d.id, d.type, d.legal_force, d.kind, d.modality, d.duty_bearer, d.root_topics,
        ts_rank_cd(d.vector, q, 1|32) * d.prior AS rank
    FROM normsdb_searchdocument d, {tsquery} AS q
    WHERE d.vector @@ q AND {condition}
)
SELECT (SELECT COUNT(*) FROM matches),
    (SELECT array_agg(id) FROM (SELECT id FROM matches ORDER BY rank DESC, id LIMIT 20) page),
    (SELECT json_object_agg(facet, n) FROM (
        SELECT 'type:' || type AS facet, COUNT(*) AS n FROM matches GROUP BY type
        UNION ALL SELECT 'legal_force:' || legal_force, COUNT(*) FROM matches GROUP BY legal_force
        UNION ALL SELECT 'kind:' || kind, COUNT(*) FROM matches GROUP BY kind
        UNION ALL SELECT 'modality:' || modality, COUNT(*) FROM matches GROUP BY modality
        UNION ALL SELECT 'duty_bearer:' || duty_bearer, COUNT(*) FROM matches GROUP BY duty_bearer
        UNION ALL SELECT 'topic:' || t, COUNT(*) FROM matches, unnest(root_topics) t GROUP BY t
    ) facets)
"""
TOPIC = """d.topic_ids && ARRAY(
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM obligations_topic WHERE slug = %(topic)s
        UNION SELECT c.id FROM obligations_topic c JOIN subtree s ON c.parent_id = s.id
    ) SELECT id FROM subtree)"""
# Binding, in force today, and the state a party (the bench has no organisation whose members
# an instrument binds).
STATE = """d.instrument_id IN (
    SELECT i.id FROM instruments_instrument i JOIN instruments_participation p
        ON p.instrument_id = i.id
    WHERE p.state_id = %(state)s AND p.status = 'party' AND i.legal_force = 'binding'
        AND i.status = 'in_force'
        AND (i.entered_into_force_on IS NULL OR i.entered_into_force_on <= CURRENT_DATE))"""


if __name__ == "__main__":
    main()
