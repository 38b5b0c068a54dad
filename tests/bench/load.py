import http.client
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

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from instruments.models import Instrument, State
from obligations.models import Norm, Obligation


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


class Command(BaseCommand):
    help = (
        "Load test: start the production server (gunicorn + whitenoise, DEBUG off) on "
        "loopback against the current database, drive a bounded mixed workload (pages, search, "
        "API lists and details) with N concurrent clients for S seconds, and print throughput, "
        "p50/p95/p99 and errors per kind of request. A benchmark, not a test."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)

    def handle(self, *args, **options):
        urls = self.workload()
        port = self.free_port()
        environment = {
            **os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "SITE_URL": "http://127.0.0.1",
            "STATIC_ROOT": os.path.join(tempfile.gettempdir(), "normsdb-load-static"),
            # The load generator is one address: keep the API throttle out of the measurement.
            "API_ANON_RATE": "1000000/minute",
        }  # fmt: skip
        if not environment.get("REDIS_URL") and self.redis_is_up():
            # One cache for all workers, as in production behind a load balancer.
            environment["REDIS_URL"] = "redis://127.0.0.1:6379/1"
        self.stdout.write(f"cache: {environment.get('REDIS_URL') or 'per-process memory'}")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=environment,
                       check=True)  # fmt: skip
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        server = subprocess.Popen(
            [gunicorn, "normsdb.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
             str(options["workers"]), "--log-level", "warning"],
            env=environment, cwd=settings.BASE_DIR,
        )  # fmt: skip
        try:
            self.wait_until_up(port)
            self.stdout.write(
                f"gunicorn with {options['workers']} workers on 127.0.0.1:{port}; "
                f"{options['clients']} clients for {options['seconds']} s over {len(urls)} URLs"
            )
            results = self.drive(port, urls, options["clients"], options["seconds"])
        finally:
            server.terminate()
            server.wait(timeout=30)
        self.report(results, options["seconds"])

    def workload(self):
        instruments = list(Instrument.objects.values_list("slug", flat=True)[:40])
        norms = list(Norm.objects.values_list("slug", flat=True)[:30])
        obligations = list(Obligation.objects.values_list("slug", flat=True)[:60])
        states = list(State.objects.values_list("code", flat=True)[:40])
        if not instruments:
            raise CommandError("The database is empty: run `make run` once to load the data.")
        queries = ["critical infrastructure", "preservation of stored data", "attribution",
                   "health", "countermeasures", "24/7 point of contact", "vulnerability",
                   "critcal infrastucture", "sanctions", "election"]  # fmt: skip
        kinds = {
            "page": ["/", "/instruments/", "/norms/", "/responses/", "/obligations/", "/matrix/"]
            + [f"/instruments/{s}/" for s in instruments] + [f"/norms/{s}/" for s in norms]
            + [f"/states/{c}/" for c in states],
            "search": [f"/search/?q={q.replace(' ', '+')}" for q in queries]
            + [f"/api/v1/search/?q={q.replace(' ', '+')}" for q in queries],
            "api-list": ["/api/v1/instruments/", "/api/v1/obligations/?legal_force=binding",
                         "/api/v1/norms/", "/api/v1/participations/?instrument=budapest-convention",
                         "/api/v1/response-measures/", "/api/v1/states/?region=Europe"],
            "api-detail": [f"/api/v1/instruments/{s}/" for s in instruments]
            + [f"/api/v1/obligations/{s}/" for s in obligations]
            + [f"/api/v1/norms/{s}/" for s in norms],
        }  # fmt: skip
        return [(kind, url) for kind, paths in kinds.items() for url in paths]

    def redis_is_up(self):
        try:
            with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
                return True
        except OSError:
            return False

    def free_port(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def wait_until_up(self, port):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise CommandError("the server did not come up")

    def drive(self, port, urls, clients, seconds):
        results = defaultdict(list)  # kind -> [(seconds, ok)]
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds

        def client(seed):
            rng = random.Random(seed)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local = defaultdict(list)
            while time.monotonic() < stop_at:
                kind, url = rng.choice(urls)
                started = time.monotonic()
                try:
                    connection.request("GET", url)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                local[kind].append((time.monotonic() - started, ok))
            with lock:
                for kind, values in local.items():
                    results[kind].extend(values)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def report(self, results, seconds):
        total = sum(len(v) for v in results.values())
        errors = sum(1 for v in results.values() for _, ok in v if not ok)
        self.stdout.write(
            f"\n{total:,} requests in {seconds} s = {total / seconds:,.0f} req/s; errors: {errors}"
        )
        self.stdout.write(f"{'kind':<12}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
                          f"{'p99 ms':>9}{'mean ms':>9}")  # fmt: skip
        for kind in sorted(results):
            times = [t * 1000 for t, _ in results[kind]]
            failed = sum(1 for _, ok in results[kind] if not ok)
            self.stdout.write(
                f"{kind:<12}{len(times):>10,}{failed:>8}{percentile(times, 0.5):>9.1f}"
                f"{percentile(times, 0.95):>9.1f}{percentile(times, 0.99):>9.1f}"
                f"{statistics.fmean(times):>9.1f}"
            )
