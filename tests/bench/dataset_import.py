import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand

from normsdb.embedded import ensure_database
from normsdb.pgtools import database_url

WORDS = (
    "state party shall adopt measures preserve stored computer data traffic request assistance "
    "critical infrastructure incident report authority competent cooperation international law "
    "sovereignty attribution response measure proportionate notify significant vulnerability "
    "disclosure supply chain integrity emergency team human rights privacy expression health "
    "energy finance transport election network service provider essential entity deadline"
).split()


def synthetic_document(instruments, obligations_each, seed=7):
    """A valid normsdb/1 document of instruments × obligations with provisions and links."""
    rng = random.Random(seed)

    def text(n):
        return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    doc = {
        "format": "normsdb/1",
        "topics": [{"slug": f"topic-{i}", "name": f"Topic {i}"} for i in range(20)],
        "norms": [{"slug": f"norm-{i}", "title": text(5), "statement": text(20)}
                  for i in range(50)],
        "instruments": [],
        "obligations": [],
    }  # fmt: skip
    for i in range(instruments):
        slug = f"bench-instrument-{i}"
        doc["instruments"].append({
            "slug": slug, "title": text(8), "kind": "treaty", "legal_force": "binding",
            "scope": "regional", "status": "in_force", "summary": text(40),
            "topics": [f"topic-{i % 20}"],
            "provisions": [{"label": f"Art. {n}", "heading": text(5), "order": n}
                           for n in range(1, obligations_each + 1)],
        })  # fmt: skip
        for n in range(1, obligations_each + 1):
            doc["obligations"].append({
                "slug": f"{slug}-art-{n}", "instrument": slug, "duty_bearer": "state_parties",
                "modality": rng.choice(["must", "should", "may"]), "summary": text(30),
                "provision": f"Art. {n}", "norms": [f"norm-{rng.randrange(50)}"],
                "topics": [f"topic-{rng.randrange(20)}"],
            })  # fmt: skip
    return doc


class Command(BaseCommand):
    help = (
        "Measure the dataset import on a synthetic file (default 50,000 obligations with their "
        "provisions) in a separate database: prints records per second and peak memory of "
        "the importing process, for a first import and for a re-import with nothing changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instruments", type=int, default=500)
        parser.add_argument("--obligations-each", type=int, default=100)
        parser.add_argument("--database", default="normsdb_bench_import")

    def handle(self, *args, **options):
        document = synthetic_document(options["instruments"], options["obligations_each"])
        path = Path(tempfile.gettempdir()) / "normsdb-bench-import.json"
        path.write_text(json.dumps(document))
        self.stdout.write(
            f"Synthetic file: {len(document['instruments']):,} instruments, "
            f"{len(document['obligations']):,} obligations, "
            f"{sum(len(i['provisions']) for i in document['instruments']):,} provisions, "
            f"{path.stat().st_size / 1e6:.1f} MB"
        )
        url = self.fresh_database(options["database"])
        environment = {**os.environ, "DATABASE_URL": url}
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=environment, check=True)
        for run in ("first import", "re-import, unchanged"):
            started = time.monotonic()
            result = subprocess.run([*manage, "import_dataset", str(path)], env=environment,
                                    capture_output=True, text=True, check=True)  # fmt: skip
            summary = result.stdout.strip().splitlines()[-1]
            self.stdout.write(f"{run}: {summary} (wall {time.monotonic() - started:.1f} s)")

    def fresh_database(self, name):
        server = database_url("postgres")
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        ensure_database(server, name)
        return database_url(name)
