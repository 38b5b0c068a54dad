"""dataset_import(): a normsdb/1 file into the database, all or nothing.

The file is read once, record by record (normsdb.dataset.reader); each record is checked
against the schema and its own rules and copied into staging tables; then SQL checks the
references, uniqueness and parent chains of the whole file at once; only a file without a
single error is written, by set-based statements, all in ONE transaction. A failed import
changes nothing and names every error with its path (the first ERROR_LIMIT of them, and
how many there are).
"""

import io
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from django.db import connection, transaction
from django.utils import timezone

from . import after_import
from .checks import ERROR_LIMIT, SqlChecks, record_rules
from .reader import DocumentReader, NotJSON
from .schema import TOP_LEVEL, format_path, nested_types, path_key, record_errors
from .staging import Stage, create_tables
from .upsert import Writes
from .writer import Writer

NESTED_KINDS = ["members", "provisions", "participants", "relations", "recorded_votes", "votes",
                "stances", "attributions", "breaches", "responses"]  # fmt: skip
PROGRESS_EVERY = 10_000


class DatasetError(Exception):
    """The file cannot be imported: `errors` are the first ERROR_LIMIT problems with their
    paths, in file order; `total` counts them all."""

    def __init__(self, errors, total=None):
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__(f"{self.total} error(s) in the dataset")


@dataclass
class ImportReport:
    records: int = 0  # top-level records read
    created: dict = field(default_factory=lambda: defaultdict(int))
    updated: dict = field(default_factory=lambda: defaultdict(int))
    unchanged: dict = field(default_factory=lambda: defaultdict(int))
    deleted: dict = field(default_factory=lambda: defaultdict(int))
    seconds: dict = field(default_factory=dict)  # phase → wall time

    def add(self, kind, *, created=0, updated=0, unchanged=0, deleted=0):
        for name, count in (("created", created), ("updated", updated),
                            ("unchanged", unchanged), ("deleted", deleted)):  # fmt: skip
            if count:
                getattr(self, name)[kind] += count

    @property
    def kinds(self):
        names = set(self.created) | set(self.updated) | set(self.unchanged) | set(self.deleted)
        return [kind for kind in [*TOP_LEVEL, *NESTED_KINDS] if kind in names]

    @property
    def changed(self):
        return (
            any(self.created.values()) or any(self.updated.values()) or any(self.deleted.values())
        )

    def lines(self):
        for kind in self.kinds:
            line = (
                f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
                f"{self.unchanged[kind]} unchanged"
            )
            if self.deleted[kind]:
                line += f", {self.deleted[kind]} deleted"
            yield line


class Errors:
    """Errors as they are found, kept in file order: the first ERROR_LIMIT, and a count."""

    def __init__(self):
        self.found = []
        self.total = 0

    def add(self, path, message, count=1):
        self.total += count
        self.found.append((path, message))

    def first(self):
        ordered = sorted(self.found, key=lambda item: sort_key(item[0]))
        return [f"{path}: {message}" for path, message in ordered[:ERROR_LIMIT]]


def sort_key(path):
    """instruments[3].participants[12] sorts by list order, then by index, as it reads."""
    parts = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p]
    first = list(TOP_LEVEL).index(parts[0]) if parts[0] in TOP_LEVEL else -1
    return [first, *path_key(parts)]


def dataset_import(
    *, source=None, document=None, replace=False, user=None, reason="dataset import",
    progress=None, dry_run=False,
) -> ImportReport:  # fmt: skip
    """Make the database hold the file's records; all or nothing.

    `source` is a path or a binary file (read incrementally); `document`, a parsed
    document (tests, small tools). Records are matched by slug (states by code, nested
    records by their natural key) and updated in place, so their history continues.
    Without `replace` nothing is deleted. Raises DatasetError; returns an ImportReport.
    """
    progress = progress or (lambda phase, done: None)
    if document is not None:
        stream = io.BytesIO(orjson.dumps(document))
        return run(stream, replace=replace, user=user, reason=reason, progress=progress,
                   dry_run=dry_run)  # fmt: skip
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            return run(stream, replace=replace, user=user, reason=reason, progress=progress,
                       dry_run=dry_run)  # fmt: skip
    return run(source, replace=replace, user=user, reason=reason, progress=progress,
               dry_run=dry_run)  # fmt: skip


def run(stream, *, replace, user, reason, progress, dry_run):
    report = ImportReport()
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            # Memory for the hash joins and sorts over a million staged rows, in the
            # database server's process, for this transaction only (the default is 4 MB).
            cursor.execute("SET LOCAL work_mem = '128MB'")
            started = time.monotonic()
            errors, staged_rows = stage_file(stream, cursor, report, progress)
            report.seconds["read"] = time.monotonic() - started
            progress("checking", report.records)
            checks = SqlChecks(cursor, merging=not replace)
            checks.run()
            for path, message in checks.errors:
                errors.add(path, message, count=0)
            errors.total += checks.total
            report.seconds["check"] = time.monotonic() - started - report.seconds["read"]
            if errors.total:
                raise DatasetError(errors.first(), errors.total)
            progress("writing", report.records)
            user_id = user.pk if user is not None else None
            writes = Writes(cursor, timezone.now(), user_id, reason)
            Writer(writes, report, replace=replace, staged_rows=staged_rows).run()
            report.seconds["write"] = time.monotonic() - started - sum(report.seconds.values())
        if dry_run:
            transaction.set_rollback(True)
    if report.changed and not dry_run:
        started = time.monotonic()
        after_import.run()
        report.seconds["search"] = time.monotonic() - started
    return report


def stage_file(stream, cursor, report, progress):
    """Read, check and stage every record; returns the Errors found on the way and the
    number of rows staged."""
    errors = Errors()
    create_tables(cursor)
    stage = Stage(cursor)
    reader = DocumentReader(stream)
    try:
        for kind, index, record in reader.records():
            type_name = TOP_LEVEL[kind]
            problems = record_errors(type_name, record)
            bad = verdicts(type_name, problems)
            problems += record_rules(kind, record, () not in bad, bad)
            for path, message in problems:
                if len(errors.found) <= ERROR_LIMIT:
                    errors.add(format_path([kind, index, *path]), message)
                else:
                    errors.total += 1
            stage.add(kind, index, record, bad)
            report.records += 1
            if report.records % PROGRESS_EVERY == 0:
                progress("reading", report.records)
    except NotJSON as error:
        stage.close()  # end the COPY under way, so that the transaction can roll back
        errors.add("file", str(error))
        raise DatasetError(errors.first(), errors.total) from None
    for path, message in reader.errors:
        errors.add(path, message)
    stage.flush()
    stage.analyze()
    return errors, sum(stage.counts.values())


def verdicts(type_name, problems):
    """Which parts of a record failed the schema: () for its own fields, (key, index) for
    a nested record, (key, None) for a nested object such as recorded_vote."""
    nested = nested_types(type_name)
    bad = set()
    for path, _ in problems:
        if len(path) >= 2 and path[0] in nested:
            bad.add((path[0], path[1] if isinstance(path[1], int) else None))
        else:
            bad.add(())
    return bad
