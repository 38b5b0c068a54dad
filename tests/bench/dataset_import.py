"""Benchmark the dataset import and export at scale: `make bench-import` or

    python -m tests.bench.dataset_import --obligations 1000000

It writes a synthetic normsdb/1 file (streaming, in canonical form) of the given size — per
50 obligations one instrument with 50 provisions and 5 or 6 participants (1,000,000
obligations: 20,000 instruments, 1,000,000 provisions, 110,000 participations), plus
states, topics, norms, organisations with members, legal questions, positions with
stances, a recorded vote, measures and incidents — then, in a fresh database on the
project's server, imports it, imports it again unchanged, and exports it, each by the
management command in its own process. It prints records per second (top-level records,
as the import command counts them), the peak memory of that process (ru_maxrss; the
PostgreSQL backend is a separate process with its own memory) and the load average, and
checks that the export is the file byte for byte. It asserts nothing else and is not
collected by pytest.
"""

import argparse
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORDS = (
    "state party shall adopt measures preserve stored computer data traffic request assistance "
    "critical infrastructure incident report authority competent cooperation international law "
    "sovereignty attribution response measure proportionate notify significant vulnerability "
    "disclosure supply chain integrity emergency team human rights privacy expression health "
    "energy finance transport election network service provider essential entity deadline"
).split()
PER_INSTRUMENT = 50
RETITLED = 10


def synthetic_lists(obligations, seed=7, retitled=0):
    """{top-level key: records} of a valid canonical document, generated lazily."""
    from normsdb.dataset.export import Canonical

    rng = random.Random(seed)
    canonical = Canonical()
    instruments = max(1, obligations // PER_INSTRUMENT)
    states = [chr(65 + i // 26) + chr(65 + i % 26) for i in range(193)]

    def text(n):
        return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    def organizations():
        for n in range(10):
            members = [
                {"state": s, "joined_on": "1995-01-01"} for s in states[n * 10 : n * 10 + 12]
            ]
            record = {"slug": f"org-{n:02}", "name": f"Organisation {n}",
                      "url": f"https://example.org/{n}", "members": members}  # fmt: skip
            yield canonical("organization", record)

    def topics():
        for n in range(45):
            parent = f"topic-{n // 5:02}" if n >= 5 else None
            yield canonical(
                "topic", {"slug": f"topic-{n:02}", "name": f"Topic {n}", "parent": parent}
            )

    def questions():
        for n in range(8):
            yield canonical("legal_question", {"slug": f"question-{n}", "name": f"Question {n}",
                                               "description": text(12), "order": n})  # fmt: skip

    def all_states():
        for code in states:
            yield canonical("state", {"code": code, "name": f"State {code}", "region": "Region"})

    def instrument(i):
        slug = f"bench-instrument-{i:06}"
        position = i % 1000 == 1
        record = {
            "slug": slug, "title": text(8), "kind": "position" if position else "treaty",
            "legal_force": "binding", "scope": "regional", "status": "in_force",
            "organization": f"org-{i % 10:02}", "summary": text(40),
            "source_url": f"https://example.org/instruments/{i}",
            "topics": sorted({f"topic-{i % 45:02}", f"topic-{(i * 7) % 45:02}"}),
            "provisions": [{"label": f"Art. {n}", "heading": text(5), "order": n}
                           for n in range(1, PER_INSTRUMENT + 1)],
            "participants": [{"state": s, "status": "party", "signed_on": "2001-11-23",
                              "consented_on": "2004-07-01"}
                             for s in sorted(rng.sample(states, 5 + i % 2))],
            "last_reviewed_on": "2025-01-15",
        }  # fmt: skip
        if position:
            record["author"] = states[i % 193]
            record["stances"] = [{"question": f"question-{q}", "stance": "affirms",
                                  "summary": text(10), "provision": f"Art. {q + 1}"}
                                 for q in range(3)]  # fmt: skip
        if i == 2:
            record["kind"] = "resolution"
            votes = {"yes": states[:150], "no": states[150:160], "abstain": states[160:180]}
            record["recorded_vote"] = {"in_favour": 150, "against": 10, "abstaining": 20,
                                       "source_url": "https://example.org/vote", **votes,
                                       "absent": states[180:]}  # fmt: skip
        if i < retitled:  # a second file that changes a few instruments, and what shows them
            record["title"] += " (revised)"
        return canonical("instrument", record)

    def obligation_records():
        for i in range(instruments):
            for n in range(1, PER_INSTRUMENT + 1):
                yield canonical("obligation", {
                    "slug": f"bench-instrument-{i:06}-art-{n:02}",
                    "instrument": f"bench-instrument-{i:06}", "duty_bearer": "state_parties",
                    "modality": rng.choice(["must", "should", "may"]), "summary": text(30),
                    "provision": f"Art. {n}", "norms": [f"norm-{rng.randrange(50):02}"],
                    "topics": [f"topic-{rng.randrange(45):02}"],
                })  # fmt: skip

    def norms():
        for n in range(50):
            record = {"slug": f"norm-{n:02}", "title": text(5), "statement": text(20),
                      "topics": [f"topic-{n % 45:02}"]}  # fmt: skip
            yield canonical("norm", record)

    def measures():
        for n in range(26):
            yield canonical("response_measure", {
                "slug": f"measure-{n:02}", "name": f"Measure {n}", "category": "diplomatic",
                "escalation_level": 1 + n % 6, "description": text(15),
                "legal_basis": [{"instrument": "bench-instrument-000000", "provision": "Art. 1"}],
                "responds_to": [f"norm-{n:02}"], "attribution_threshold": "confident",
                "reversible": n % 2 == 0,
            })  # fmt: skip

    def incidents():
        for n in range(20):
            yield canonical("incident", {
                "slug": f"incident-{n:02}", "name": f"Incident {n}", "operation_type": "disruption",
                "summary": text(20), "started_on": ["2017", "2017-06", "2017-06-27"][n % 3],
                "victims": [states[n]],
                "attributions": [{"by": states[n + 1], "date": "2018-02-15",
                                  "confidence": "confident", "to_states": [states[n + 2]],
                                  "summary": text(8)}],
                "breaches": [{"norm": f"norm-{n:02}", "alleged_by": [states[n + 1], "org-01"]}],
                "responses": [{"measure": f"measure-{n:02}", "date": "2018-02-16",
                               "by": [states[n + 1], "org-01"]}],
            })  # fmt: skip

    return {
        "organizations": organizations(),
        "topics": topics(),
        "legal_questions": questions(),
        "states": all_states(),
        "instruments": (instrument(i) for i in range(instruments)),
        "norms": norms(),
        "obligations": obligation_records(),
        "response_measures": measures(),
        "incidents": incidents(),
    }


def write_synthetic(path, obligations, retitled=0):
    from normsdb.dataset.export import write_document

    with open(path, "wb") as out:
        return write_document(out, synthetic_lists(obligations, retitled=retitled))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fresh_database(name):
    import psycopg

    from normsdb.embedded import ensure_database
    from normsdb.pgtools import database_url

    server = database_url("postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ensure_database(server, name)
    return database_url(name)


def load():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def run(step, command, environment):
    started = time.monotonic()
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    wall = time.monotonic() - started
    if result.returncode:
        sys.exit(f"{step} failed:\n{result.stdout}\n{result.stderr}")
    return result, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--obligations", type=int, default=1_000_000)
    parser.add_argument("--database", default="normsdb_bench_import")
    parser.add_argument("--keep", action="store_true", help="Keep the file and its export.")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "normsdb.settings")
    import django

    django.setup()
    folder = Path(tempfile.mkdtemp(prefix="normsdb-bench-"))
    source, exported = folder / "synthetic.json", folder / "export.json"
    revised = folder / "revised.json"
    print(f"Before: {load()}")
    started = time.monotonic()
    counts = write_synthetic(source, options.obligations)
    write_synthetic(revised, options.obligations, retitled=RETITLED)
    print(
        f"Synthetic file: {', '.join(f'{n:,} {kind}' for kind, n in counts.items())}; "
        f"{source.stat().st_size / 1e6:,.0f} MB, written in {time.monotonic() - started:.0f} s "
        f"(and the same with {RETITLED} instruments retitled)"
    )
    environment = {**os.environ, "DATABASE_URL": fresh_database(options.database)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    run("migrate", [*manage, "migrate", "--noinput", "-v0"], environment)
    try:
        steps = [
            ("import", source),
            ("re-import", source),
            (f"import with {RETITLED} instruments retitled", revised),
        ]
        for step, path in steps:
            result, wall = run(step, [*manage, "import_dataset", str(path)], environment)
            lines = result.stdout.strip().splitlines()
            changed = [line for line in lines[:-1] if not re.search(r"0 created, 0 updated", line)]
            verdict = "everything unchanged" if not changed else f"{len(changed)} kinds changed"
            phases = [line for line in result.stderr.splitlines() if line.startswith("Time by")]
            print(f"{step}: {lines[-1]} (wall {wall:.1f} s; {verdict}); {load()}")
            print(f"  {phases[-1] if phases else ''}")
        result, wall = run("export", [*manage, "export_dataset", str(exported)], environment)
        same = sha256(exported) == sha256(revised)
        print(f"export: {result.stderr.strip().splitlines()[-1]} (wall {wall:.1f} s); {load()}")
        print(f"export identical to the imported file: {'yes' if same else 'NO'}")
    finally:
        if not options.keep:
            for path in (source, revised, exported):
                path.unlink(missing_ok=True)
            folder.rmdir()
        else:
            print(f"Files kept in {folder}")


if __name__ == "__main__":
    main()
