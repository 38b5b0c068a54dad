"""CSV output for API lists (kept apart from normsdb.api, which DRF settings must not import
while DRF itself is loading)."""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer


def flatten(record, prefix=""):
    """Nested API data → one flat CSV row: `organization.slug`, lists joined with "; "."""
    row = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            row[name] = "; ".join(
                v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
                for v in value
            )
        elif value is None:
            row[name] = ""
        else:
            row[name] = value
    return row


def csv_text(rows, header=None):
    buffer = io.StringIO()
    flat = [flatten(r) for r in rows]
    header = header or (list(flat[0]) if flat else [])
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(flat)
    return buffer.getvalue(), header


class CSVRenderer(BaseRenderer):
    """Lists as CSV: one row per record, flat stable columns (the serializer's field order)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        return csv_text(rows)[0].encode("utf-8")
