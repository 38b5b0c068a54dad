"""Load test: the production server (gunicorn + whitenoise, DEBUG off) on loopback, driven by a
mixed workload — pages, API lists and details, searches, and a share of writes through the
API with a token — by N concurrent clients for S seconds. Prints throughput and
p50/p95/p99 per kind of request, errors, the page cache's hit rate (X-Page-Cache) and the
load average. A benchmark, not a test: `make load ARGS="--seconds 60"`.

It serves any checkout (`--root`, default this one) against any database (`--database-url`,
default DATABASE_URL or the embedded server), so the same workload measures an older
commit: `git worktree add /tmp/old <commit>` and
`python -m tests.bench.load --root /tmp/old --database-url postgres://…/normsdb_old --prepare`.
It reads the database with SQL of its own, not the ORM, so it fits an older schema too.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
SEARCHES = ["critical infrastructure", "preservation of stored data", "attribution", "health",
            "countermeasures", "24/7 point of contact", "vulnerability", "critcal infrastucture",
            "sanctions", "election"]  # fmt: skip
READ_WEIGHTS = {"page": 45, "api-list": 15, "api-detail": 25, "search": 15}


def main():
    options = arguments()
    database_url = options.database_url or os.environ.get("DATABASE_URL") or embedded_url()
    environment = server_environment(options, database_url)
    if options.prepare:
        prepare(options.root, environment)
    workload = Workload.from_database(database_url, with_search=not options.no_search)
    token = issue_token(options.root, environment)
    port = free_port()
    manage(options.root, environment, "collectstatic", "--noinput", "-v0")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "normsdb.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
         str(options.workers), "--log-level", "warning"],
        cwd=options.root, env=environment,
    )  # fmt: skip
    try:
        wait_until_up(port)
        workload.check_search(port)
        print(
            f"{options.root} on {database_url.split('@')[-1]}; cache: "
            f"{environment.get('REDIS_URL') or 'per-process memory'}\n"
            f"gunicorn with {options.workers} workers on 127.0.0.1:{port}; {options.clients} "
            f"clients for {options.seconds} s; writes {options.writes:.0%}; {workload.describe()}"
        )
        load_before = os.getloadavg()
        results = drive(port, workload, token, options)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results, options.seconds, load_before, load_after)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="The checkout to serve.")
    parser.add_argument("--database-url", default="", help="Default: DATABASE_URL, or embedded.")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--writes", type=float, default=0.05, help="Share of writes (0.05).")
    parser.add_argument("--no-search", action="store_true", help="Leave searches out.")
    parser.add_argument(
        "--prepare", action="store_true", help="Migrate, and load the curated data if empty."
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def embedded_url():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "normsdb.settings")
    import django

    django.setup()
    from django.db import connection

    from normsdb.pgtools import database_url

    return database_url(connection.settings_dict["NAME"])


def server_environment(options, database_url):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": os.path.join(tempfile.gettempdir(), "normsdb-load-static"),
        # The load generator is one address: keep the API rate limits out of the measurement.
        "API_ANON_RATE": "100000000/minute",
        "API_USER_RATE": "100000000/minute",
        "REDIS_URL": options.redis_url,
        "AXES_ENABLED": "0",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return environment


def manage(root, environment, *arguments):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=root,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def prepare(root, environment):
    manage(root, environment, "migrate", "--noinput")
    manage(root, environment, "import_dataset", "--if-empty", "data/normsdb.json")


TOKEN = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user, _ = get_user_model().objects.get_or_create(
    username="load-test-writer", defaults={"is_staff": True, "is_superuser": True})
print(Token.objects.get_or_create(user=user)[0].key)
"""


def issue_token(root, environment):
    """A superuser's token for the writes (created in the target database if missing)."""
    return manage(root, environment, "shell", "-c", TOKEN).strip().splitlines()[-1]


class Workload:
    def __init__(self, reads, writes):
        self.reads = reads  # kind -> [url]
        self.writes = writes  # [(url, field, text)]
        self.search_note = ""

    @classmethod
    def from_database(cls, url, *, with_search):
        with psycopg.connect(url) as connection:

            def column(sql):
                return [row[0] for row in connection.execute(sql)]

            instruments = column("SELECT slug FROM instruments_instrument ORDER BY slug LIMIT 40")
            norms = column("SELECT slug FROM obligations_norm ORDER BY slug LIMIT 30")
            obligations = column("SELECT slug FROM obligations_obligation ORDER BY slug LIMIT 60")
            states = column("SELECT code FROM instruments_state ORDER BY code LIMIT 40")
            statements = connection.execute(
                "SELECT slug, statement FROM obligations_norm ORDER BY slug LIMIT 10"
            ).fetchall()
            organizations = connection.execute(
                "SELECT slug, name FROM instruments_organization ORDER BY slug LIMIT 10"
            ).fetchall()
        if not instruments:
            sys.exit("The database is empty: run `make run` once, or pass --prepare.")
        reads = {
            "page": ["/", "/instruments/", "/norms/", "/responses/", "/obligations/", "/matrix/"]
            + [f"/instruments/{s}/" for s in instruments] + [f"/norms/{s}/" for s in norms]
            + [f"/states/{c}/" for c in states],
            "api-list": ["/api/v1/instruments/", "/api/v1/obligations/?legal_force=binding",
                         "/api/v1/norms/", "/api/v1/response-measures/",
                         "/api/v1/states/?region=Europe", "/api/v1/topics/"],
            "api-detail": [f"/api/v1/instruments/{s}/" for s in instruments]
            + [f"/api/v1/obligations/{s}/" for s in obligations]
            + [f"/api/v1/norms/{s}/" for s in norms],
        }  # fmt: skip
        if with_search:
            reads["search"] = [f"/search/?q={q.replace(' ', '+')}" for q in SEARCHES] + [
                f"/api/v1/search/?q={q.replace(' ', '+')}" for q in SEARCHES
            ]
        # What editors do: reword a norm's statement, correct an organisation's name.
        writes = [(f"/api/v1/norms/{slug}/", "statement", text) for slug, text in statements]
        writes += [(f"/api/v1/organizations/{slug}/", "name", text) for slug, text in organizations]
        return cls(reads, writes)

    def check_search(self, port):
        """Search is being rebuilt: if it fails here, leave it out of the mix and say so."""
        if "search" not in self.reads:
            self.search_note = "searches left out (--no-search)"
            return
        failing = [url for url in (self.reads["search"][0], self.reads["search"][-1])
                   if get_status(port, url) != 200]  # fmt: skip
        if failing:
            del self.reads["search"]
            self.search_note = f"searches left out: {', '.join(failing)} failed on this build"

    def describe(self):
        urls = sum(len(v) for v in self.reads.values())
        return f"{urls} read URLs, {len(self.writes)} write targets. {self.search_note}".strip()

    def next_request(self, rng, write_share, counter):
        """(kind, method, url, body) for the next request."""
        if self.writes and rng.random() < write_share:
            url, field, text = rng.choice(self.writes)
            return "write", "PATCH", url, json.dumps({field: f"{text} ({next(counter)})"[:200]})
        kinds = [kind for kind in READ_WEIGHTS if kind in self.reads]
        kind = rng.choices(kinds, weights=[READ_WEIGHTS[k] for k in kinds])[0]
        return kind, "GET", rng.choice(self.reads[kind]), None


def get_status(port, url):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", url)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get_status(port, "/healthz") == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("the server did not come up")


class Counter:
    def __init__(self):
        self.value, self.lock = 0, threading.Lock()

    def __next__(self):
        with self.lock:
            self.value += 1
            return self.value


def drive(port, workload, token, options):
    results = defaultdict(list)  # kind -> [(seconds, ok, cache)]
    lock = threading.Lock()
    stop_at = time.monotonic() + options.seconds
    counter = Counter()
    writer_headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "If-Match": "*",
    }

    def client(seed):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local = defaultdict(list)
        while time.monotonic() < stop_at:
            kind, method, url, body = workload.next_request(rng, options.writes, counter)
            headers = writer_headers if method != "GET" else {}
            started = time.monotonic()
            try:
                connection.request(method, url, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok, cache = response.status == 200, response.getheader("X-Page-Cache", "")
            except (OSError, http.client.HTTPException):
                ok, cache = False, ""
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local[kind].append((time.monotonic() - started, ok, cache))
        with lock:
            for kind, values in local.items():
                results[kind].extend(values)

    threads = [
        threading.Thread(target=client, args=(options.seed * 1000 + n,))
        for n in range(options.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def report(results, seconds, load_before, load_after):
    total = sum(len(v) for v in results.values())
    errors = sum(1 for v in results.values() for _, ok, _ in v if not ok)
    print(f"\n{total:,} requests in {seconds} s = {total / seconds:,.0f} req/s; errors: {errors}")
    print(f"{'kind':<12}{'requests':>10}{'req/s':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'mean ms':>9}{'cache hit':>11}")  # fmt: skip
    for kind in sorted(results):
        times = [t * 1000 for t, _, _ in results[kind]]
        failed = sum(1 for _, ok, _ in results[kind] if not ok)
        marked = [cache for _, _, cache in results[kind] if cache]
        hits = f"{sum(c == 'hit' for c in marked) / len(marked):.0%}" if marked else "-"
        print(
            f"{kind:<12}{len(times):>10,}{len(times) / seconds:>8.1f}{failed:>8}"
            f"{percentile(times, 0.5):>9.1f}{percentile(times, 0.95):>9.1f}"
            f"{percentile(times, 0.99):>9.1f}{statistics.fmean(times):>9.1f}{hits:>11}"
        )
    print(
        "load average (1, 5, 15 min): before "
        + ", ".join(f"{v:.2f}" for v in load_before)
        + "; after "
        + ", ".join(f"{v:.2f}" for v in load_after)
        + f"; {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
