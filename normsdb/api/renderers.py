"""CSV output for API lists (kept apart from normsdb.api, which DRF settings must not import
while DRF itself is loading)."""

import csv
import io
import json

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer


def csv_columns(serializer):
    """The flat columns of a serializer's records, in field order, whatever the data: a nested
    record's fields become `instrument_detail.title`, so every page has the same header."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns += [f"{name}.{column}" for column in csv_columns(field)]
        elif getattr(field, "csv_columns", None):
            columns += [f"{name}.{column}" for column in field.csv_columns]
        else:
            columns.append(name)
    return columns


def flatten(record, columns=(), prefix=""):
    """Nested API data → one flat CSV row: `provision.label`, lists joined with "; ", and a
    dict that has a column of its own as JSON."""
    row = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in columns:
            row.update(flatten(value, columns, f"{name}."))
        else:
            row[name] = cell(value)
    return row


def cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(v if isinstance(v, str) else cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def csv_text(rows, columns=None, header=True):
    """Rows as CSV text; without columns, those of the first row."""
    flat = [flatten(row, columns or ()) for row in rows]
    columns = columns or (list(flat[0]) if flat else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    if header:
        writer.writeheader()
    writer.writerows(flat)
    return buffer.getvalue()


class CSVRenderer(BaseRenderer):
    """Lists as CSV: one row per record, flat stable columns (the serializer's field order)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:  # 204, 304
            return b""
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        view = (renderer_context or {}).get("view")
        columns = csv_columns(view.get_serializer()) if hasattr(view, "get_serializer") else None
        return csv_text(rows, columns).encode("utf-8")
