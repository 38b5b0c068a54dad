"""The normsdb/1 dataset format: its schema, and the streaming import and export.

- schema.json / schema.py — the format, declared once (JSON Schema, draft 2020-12)
- reader.py — the file, record by record
- staging.py — records into temporary tables by COPY
- checks.py — references, uniqueness, cycles (SQL) and rules within a record
- upsert.py, writer.py — staged records into the model tables, with history
- importer.py — dataset_import(), all or nothing
- export.py — the canonical document, written record by record (prefetch.py: its largest
  list read on a second connection sharing the snapshot)
- publish.py — the copy the /data/ page offers, rebuilt when the data changes
- measure.py — what an import or export cost (time, CPU, memory)
- after_import.py — what follows a committed import
"""

from .export import dataset_export, export_bytes, write_export
from .importer import DatasetError, ImportReport, dataset_import
from .schema import FORMAT, SCHEMA, SCHEMA_PATH, TOP_LEVEL

__all__ = [
    "FORMAT",
    "SCHEMA",
    "SCHEMA_PATH",
    "TOP_LEVEL",
    "DatasetError",
    "ImportReport",
    "dataset_export",
    "dataset_import",
    "export_bytes",
    "write_export",
]
