"""The copy of the dataset the /data/ page offers: an export of the current data, with its
SHA-256 checksum and the time it was made, rebuilt when the data changes.

"Changed" is read from the data versions (normsdb.models.DataVersion) that database
triggers bump with every committed change: the file is named after them, so a file whose
name matches the current versions is current. A new one is written, under an advisory
lock so that two workers do not both build it, from one snapshot that also gives the
versions it is named after; older files are then removed.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .export import write_export
from .schema import SCHEMA_PATH

LOCK = "normsdb.dataset.publish"


@dataclass
class Published:
    path: Path
    size: int
    sha256: str
    generated_at: str  # ISO 8601, UTC
    counts: dict

    @property
    def records(self):
        return sum(self.counts.values())

    @property
    def listed(self):
        """[("response measures", 26), …] for people."""
        return [(kind.replace("_", " "), count) for kind, count in self.counts.items()]


def folder():
    return Path(settings.DATA_DIR) / "published"


def versions_key(cursor):
    """A short name for the current data versions of every kind of record."""
    cursor.execute("SELECT kind, version FROM normsdb_dataversion ORDER BY kind")
    state = ",".join(f"{kind}={version}" for kind, version in cursor.fetchall())
    return hashlib.sha256(state.encode()).hexdigest()[:20]


def current():
    """The published export of the current data, built first if there is none."""
    with connection.cursor() as cursor:
        key = versions_key(cursor)
    return read(key) or build()


def read(key):
    meta = folder() / f"normsdb-{key}.meta.json"
    if not meta.exists():
        return None
    facts = json.loads(meta.read_text())
    return Published(path=folder() / facts.pop("file"), **facts)


def build():
    folder().mkdir(parents=True, exist_ok=True)
    snapshot = not connection.in_atomic_block
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            if snapshot:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK])
            key = versions_key(cursor)  # the snapshot the export reads
        found = read(key)  # another worker may have built it while this one waited
        if found:
            return found
        target = folder() / f"normsdb-{key}.json"
        partial = target.with_suffix(".partial")
        with open(partial, "wb") as raw:
            out = HashingWriter(raw)
            counts = write_export(out)
        os.replace(partial, target)
        published = Published(
            path=target,
            size=out.size,
            sha256=out.digest.hexdigest(),
            generated_at=timezone.now().replace(microsecond=0).isoformat(),
            counts=counts,
        )
        facts = {**published.__dict__, "file": target.name}
        del facts["path"]
        meta = folder() / f"normsdb-{key}.meta.json"
        meta.write_text(json.dumps(facts, indent=2))
    for old in folder().glob("normsdb-*"):
        if not old.name.startswith(f"normsdb-{key}"):
            old.unlink(missing_ok=True)
    return published


class HashingWriter:
    """A binary file that also counts and hashes what is written to it."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)


def schema_facts():
    data = SCHEMA_PATH.read_bytes()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
