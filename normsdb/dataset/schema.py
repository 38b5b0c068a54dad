"""The normsdb/1 format as declared in schema.json (JSON Schema, draft 2020-12), and what the
import and export take from it: the record types, the canonical key order, and the check of
one record against its definition with errors worded for people.

The schema says everything about a record that one record can show: keys, types, required
keys, enumerations, lengths, patterns, the rules between keys of one record (only a position
has an author). What needs other records — references, uniqueness, cycles — and the order
of two dates is checked by the import (normsdb.dataset.checks).

Records are validated one at a time with jsonschema_rs, a conforming draft 2020-12
validator written in Rust: about 2 µs a record here, where the pure-Python `jsonschema`
takes about 85 µs (an hour and a half for a million records). Any other conforming
validator accepts the same files; the tests check the shipped data with `jsonschema`.
"""

import json
from functools import cache
from pathlib import Path

import jsonschema_rs

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]
FORMAT = DEFS["document"]["properties"]["format"]["const"]


def ref_name(node):
    """The definition a schema node points to ("#/$defs/instrument" → "instrument")."""
    ref = node.get("$ref", "")
    return ref.removeprefix("#/$defs/") if ref.startswith("#/$defs/") else None


def record_type(node):
    """The record definition of a list or object property, or None for a plain value."""
    name = ref_name(node.get("items", {})) if node.get("type") == "array" else ref_name(node)
    return name if name and DEFS[name].get("type") == "object" else None


# Top-level key → record definition, in the document's canonical order.
TOP_LEVEL = {
    key: record_type(node)
    for key, node in DEFS["document"]["properties"].items()
    if key != "format"
}


def key_order(name):
    """A record's keys in canonical order: as the schema declares them (required first)."""
    return list(DEFS[name]["properties"])


@cache
def nested_types(name):
    """{key: record definition} for the keys of a record that hold nested records."""
    return {
        key: child
        for key, node in DEFS[name]["properties"].items()
        if (child := record_type(node)) and child != "provision_ref"
    }


@cache
def default(name, key):
    """The value a missing optional key stands for (false for adopted_without_vote)."""
    return DEFS[name]["properties"][key].get("default")


@cache
def validator(name):
    """A compiled validator for one record definition."""
    return jsonschema_rs.Draft202012Validator(
        {**SCHEMA, "$ref": f"#/$defs/{name}"}, validate_formats=True
    )


def record_errors(name, record):
    """[(path parts below the record, message)] for a record of definition `name`."""
    check = validator(name)
    if check.is_valid(record):
        return []
    found = []
    for error in check.iter_errors(record):
        path = list(error.instance_path)
        kind = error.kind
        if kind.name == "required":
            found.append((path + [kind.property], "required"))
        elif kind.name == "additionalProperties":
            found += [(path + [key], "unknown key") for key in kind.unexpected]
        else:
            found.append((path, message(error)))
    return sorted(found, key=lambda item: path_key(item[0]))


def path_key(parts):
    """Sorts paths as they read: provisions[2] before provisions[10]."""
    return [f"{part:09d}" if isinstance(part, int) else part for part in parts]


TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
}


def message(error):
    """One validation error in words, using the schema's own descriptions where the bare
    keyword would say little (a pattern, a rule between keys)."""
    keyword = error.kind.name
    node = schema_node(error.schema_path[:-1])
    found = json.dumps(error.instance, ensure_ascii=False)
    if keyword == "type":
        wanted = node["type"]
        return f"must be {TYPE_WORDS.get(wanted, wanted)}, found {found}"
    if keyword == "enum":
        return f"must be one of {', '.join(node['enum'])}; found {found}"
    if keyword == "const":
        rule = described(error.schema_path)
        return rule[1] if rule else f"must be {json.dumps(node['const'])}, found {found}"
    if keyword == "minLength":
        return "must not be empty"
    if keyword == "maxLength":
        return f"is longer than {node['maxLength']} characters"
    if keyword == "minItems":
        return "must not be empty"
    if keyword == "uniqueItems":
        return "lists a value twice"
    if keyword in ("pattern", "format") and "description" in node:
        rule = (True, node["description"])
    else:
        rule = described(error.schema_path)
    if rule is None:
        return error.message
    is_value, text = rule
    if is_value:  # a shared value definition: "a date YYYY-MM-DD"
        return f"must be {text[0].lower()}{text[1:].rstrip('.')}; found {found}"
    return text


def schema_node(path):
    node = SCHEMA
    for part in path:
        node = node[part]
    return node


def described(schema_path):
    """(is a value definition, description) of the deepest described node on the path that
    is a rule (inside allOf/then/not/oneOf) or a shared value definition such as `date`."""
    parts = list(schema_path)
    for end in range(len(parts), 1, -1):
        node = schema_node(parts[:end])
        if not isinstance(node, dict) or "description" not in node:
            continue
        if end == 2:  # $defs/<name>
            is_value = node.get("type") != "object"
            return (True, node["description"]) if is_value else None
        if any(part in ("allOf", "then", "not", "oneOf", "anyOf") for part in parts[2:end]):
            return False, node["description"]
    return None


def format_path(parts):
    """["instruments", 3, "participants", 12, "state"] → instruments[3].participants[12].state"""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
