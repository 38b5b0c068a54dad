"""What an import or export cost: wall time, CPU time of this process and of the database
server's backend that did the work, and this process's peak memory.

The backend is a separate process with its own memory; its CPU time is read from /proc
when the server runs on this machine (embedded, or a local service), else left out. On a
machine shared with other work, CPU seconds say what the wall time cannot.
"""

import os
import resource
import time
from pathlib import Path

from django.db import connection

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid):
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Usage:
    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pid = cursor.fetchone()[0]
        self.backend = backend_cpu(self.pid)
        self.cpu, self.started = own_cpu(), time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started
        self.cpu = own_cpu() - self.cpu
        after = backend_cpu(self.pid)
        self.backend = after - self.backend if None not in (after, self.backend) else None
        self.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def summary(self, records):
        rate = records / max(self.seconds, 1e-6)
        backend = f", database backend {self.backend:.0f} s" if self.backend is not None else ""
        return (
            f"{records:,} records in {self.seconds:.1f} s ({rate:,.0f}/s); CPU: this process "
            f"{self.cpu:.0f} s{backend}; peak memory of this process {self.peak_mb:,.0f} MB"
        )
