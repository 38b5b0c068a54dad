"""The NormsDB dataset format (`normsdb/1`): validation, import and export.

The format is specified in the project's `dataset-format.md`: one JSON document whose records
refer to each other by slug (states by code). Import is all or nothing: the whole document is
validated first, every error is reported with its path, and only a clean document is written,
in one transaction, with bulk queries and history rows. Export writes the canonical form:
records sorted, keys in the specified order, empty optional fields left out.
"""

import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from instruments.models import (
    Instrument,
    InstrumentRelation,
    Organization,
    Participation,
    Provision,
    State,
)
from obligations.models import (
    AllegedBreach,
    Attribution,
    Incident,
    Norm,
    Obligation,
    ResponseAction,
    ResponseMeasure,
    Topic,
)

FORMAT = "normsdb/1"
BATCH_SIZE = 2000

# Keys of each record in canonical order: required first, then optional, as in the spec.
RECORD_KEYS = {
    "organizations": (["slug", "name"], ["acronym", "url"]),
    "topics": (["slug", "name"], ["parent", "description"]),
    "states": (["code", "name"], ["region", "subregion"]),
    "instruments": (
        ["slug", "title", "kind", "legal_force", "scope", "status"],
        [
            "short_title",
            "symbol",
            "organization",
            "region",
            "adopted_on",
            "opened_for_signature_on",
            "entered_into_force_on",
            "summary",
            "source_url",
            "topics",
            "provisions",
            "participants",
            "relations",
            "last_reviewed_on",
        ],
    ),
    "provisions": (["label"], ["heading", "summary", "order", "parent", "source_url"]),
    "participants": (["state", "status"], ["signed_on", "consented_on", "note", "source_url"]),
    "relations": (["kind", "instrument"], ["note"]),
    "norms": (["slug", "title", "statement"], ["code", "topics"]),
    "obligations": (
        ["slug", "instrument", "duty_bearer", "modality", "summary"],
        ["provision", "norms", "topics", "deadline", "deadline_trigger", "verification"],
    ),
    "response_measures": (
        ["slug", "name", "category", "escalation_level", "description"],
        ["legal_basis", "responds_to", "attribution_threshold", "reversible", "conditions"],
    ),
    "incidents": (
        ["slug", "name", "operation_type", "summary"],
        [
            "aliases",
            "started_on",
            "ended_on",
            "disclosed_on",
            "victims",
            "sectors",
            "sources",
            "attributions",
            "breaches",
            "responses",
        ],
    ),
    "attributions": (
        ["by", "date", "confidence"],
        ["to_states", "to_group", "basis", "joint_with", "source_url"],
    ),
    "breaches": (["norm"], ["alleged_by", "source_url"]),
    "responses": (
        ["measure", "date", "by"],
        ["description", "legal_basis", "source_url"],
    ),
}
TOP_LEVEL = [
    "organizations",
    "topics",
    "states",
    "instruments",
    "norms",
    "obligations",
    "response_measures",
    "incidents",
]

DATE_KEYS = {
    "adopted_on",
    "opened_for_signature_on",
    "entered_into_force_on",
    "last_reviewed_on",
    "signed_on",
    "consented_on",
    "started_on",
    "ended_on",
    "disclosed_on",
    "date",
}
LIST_KEYS = {
    "topics",
    "norms",
    "responds_to",
    "aliases",
    "victims",
    "sectors",
    "sources",
    "to_states",
    "joint_with",
    "alleged_by",
    "by",
}
NESTED_KEYS = {"provisions", "participants", "relations", "attributions", "breaches", "responses"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Record type → (model, the model field each scalar key fills).
SCALARS = {
    "organizations": (Organization, ["name", "acronym", "url"]),
    "topics": (Topic, ["name", "description"]),
    "states": (State, ["name", "region", "subregion"]),
    "instruments": (
        Instrument,
        [
            "title",
            "kind",
            "legal_force",
            "scope",
            "status",
            "short_title",
            "symbol",
            "region",
            "adopted_on",
            "opened_for_signature_on",
            "entered_into_force_on",
            "summary",
            "source_url",
            "last_reviewed_on",
        ],
    ),
    "provisions": (Provision, ["heading", "summary", "order", "source_url"]),
    "participants": (Participation, ["status", "signed_on", "consented_on", "note", "source_url"]),
    "relations": (InstrumentRelation, ["note"]),
    "norms": (Norm, ["title", "statement", "code"]),
    "obligations": (
        Obligation,
        ["duty_bearer", "modality", "summary", "deadline", "deadline_trigger", "verification"],
    ),
    "response_measures": (
        ResponseMeasure,
        [
            "name",
            "category",
            "escalation_level",
            "description",
            "attribution_threshold",
            "reversible",
            "conditions",
        ],
    ),
    "incidents": (
        Incident,
        [
            "name",
            "operation_type",
            "summary",
            "aliases",
            "started_on",
            "ended_on",
            "disclosed_on",
            "sources",
        ],
    ),
    "attributions": (Attribution, ["date", "confidence", "to_group", "basis", "source_url"]),
    "breaches": (AllegedBreach, ["source_url"]),
    "responses": (ResponseAction, ["date", "description", "source_url"]),
}


class DatasetError(Exception):
    """The document cannot be imported; `errors` lists every problem with its path."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} error(s) in the dataset")
        self.errors = errors


@dataclass
class ImportReport:
    created: dict = field(default_factory=lambda: defaultdict(int))
    updated: dict = field(default_factory=lambda: defaultdict(int))
    unchanged: dict = field(default_factory=lambda: defaultdict(int))
    deleted: dict = field(default_factory=lambda: defaultdict(int))

    def count(self, kind, status):
        getattr(self, status)[kind] += 1

    @property
    def kinds(self):
        names = set(self.created) | set(self.updated) | set(self.unchanged) | set(self.deleted)
        order = TOP_LEVEL + sorted(NESTED_KEYS)
        return [name for name in order if name in names]

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


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


class Validator:
    """Checks a whole document and collects every error with its path.

    References may point to records elsewhere in the file or, unless the import replaces the
    database, to records already stored.
    """

    def __init__(self, document, *, replace):
        self.document = document
        self.replace = replace
        self.errors = []

    def error(self, path, message):
        self.errors.append(f"{path}: {message}")

    def run(self):
        doc = self.document
        if not isinstance(doc, dict):
            self.error("document", "must be a JSON object")
            return self.errors
        if doc.get("format") != FORMAT:
            self.error("format", f'must be "{FORMAT}", found {json.dumps(doc.get("format"))}')
        for key in doc:
            if key != "format" and key not in TOP_LEVEL:
                self.error(key, "unknown top-level key")
        for kind in TOP_LEVEL:
            if kind in doc and not isinstance(doc[kind], list):
                self.error(kind, "must be a list")
        self.load_known()
        for kind in TOP_LEVEL:
            for index, record in enumerate(self.records(kind)):
                self.check_record(kind, f"{kind}[{index}]", record)
        self.check_topic_cycles()
        return self.errors

    def records(self, kind):
        value = self.document.get(kind, [])
        return value if isinstance(value, list) else []

    def load_known(self):
        """Identifiers the references may use: from the file and, when merging, the database."""

        def from_file(kind, key="slug"):
            found, seen = set(), {}
            for index, record in enumerate(self.records(kind)):
                if isinstance(record, dict) and isinstance(record.get(key), str):
                    ident = record[key]
                    if ident in seen:
                        self.error(
                            f"{kind}[{index}].{key}",
                            f'duplicate {key} "{ident}" (also {kind}[{seen[ident]}])',
                        )
                    seen[ident] = index
                    found.add(ident)
            return found

        def stored(model, key="slug"):
            if self.replace:
                return set()
            return set(model.objects.values_list(key, flat=True))

        self.organizations = from_file("organizations") | stored(Organization)
        self.topics = from_file("topics") | stored(Topic)
        self.states = from_file("states", "code") | stored(State, "code")
        self.instruments = from_file("instruments") | stored(Instrument)
        self.norms = from_file("norms") | stored(Norm)
        self.measures = from_file("response_measures") | stored(ResponseMeasure)
        from_file("obligations")
        from_file("incidents")
        self.provisions = defaultdict(set)
        for record in self.records("instruments"):
            if isinstance(record, dict) and isinstance(record.get("provisions"), list):
                for provision in record["provisions"]:
                    if isinstance(provision, dict) and isinstance(provision.get("label"), str):
                        self.provisions[record.get("slug")].add(provision["label"])
        if not self.replace:
            for slug, label in Provision.objects.values_list("instrument__slug", "label"):
                self.provisions[slug].add(label)

    # -- one record ----------------------------------------------------------------------------

    def check_record(self, kind, path, record, **context):
        """Shape first (keys, types); references and model rules only on a sound shape."""
        if not isinstance(record, dict):
            self.error(path, "must be an object")
            return
        before = len(self.errors)
        required, optional = RECORD_KEYS[kind]
        for key in required:
            if key not in record or record[key] in (None, ""):
                self.error(f"{path}.{key}", "required")
        for key in record:
            if key not in required and key not in optional:
                self.error(f"{path}.{key}", "unknown key")
        for key, value in record.items():
            if key in required or key in optional:
                self.check_type(f"{path}.{key}", kind, key, value)
        if len(self.errors) == before:
            getattr(self, f"check_{kind}")(path, record, **context)

    def check_type(self, path, kind, key, value):
        if kind == "attributions" and key == "by":
            if not isinstance(value, str):
                self.error(path, "must be a state code or an organisation slug")
        elif key in NESTED_KEYS:
            if not isinstance(value, list):
                self.error(path, "must be a list")
        elif key in LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.error(path, "must be a list of strings")
            elif len(set(value)) != len(value):
                self.error(path, "lists a value twice")
        elif key in DATE_KEYS:
            if not isinstance(value, str) or not DATE_RE.match(value):
                self.error(path, f"must be a date YYYY-MM-DD, found {json.dumps(value)}")
            else:
                try:
                    datetime.date.fromisoformat(value)
                except ValueError:
                    self.error(path, f"not a real date: {json.dumps(value)}")
        elif key in ("escalation_level", "order"):
            if not isinstance(value, int) or isinstance(value, bool):
                self.error(path, "must be an integer")
        elif key == "reversible":
            if not isinstance(value, bool):
                self.error(path, "must be true or false")
        elif key == "legal_basis":
            pass  # a list (measures) or an object (responses): checked by the record
        elif not isinstance(value, str):
            self.error(path, "must be a string")

    def check_model_fields(self, path, kind, record, extra=None):
        """The admin's field validation: choices, lengths, URL and slug formats, model.clean()."""
        model, fields = SCALARS[kind]
        values = {name: model_value(record, name) for name in fields if name in record}
        if kind in (
            "organizations",
            "topics",
            "instruments",
            "norms",
            "obligations",
            "response_measures",
            "incidents",
        ):
            values["slug"] = record.get("slug")
        if kind == "states":
            values["code"] = record.get("code")
        values.update(extra or {})
        instance = model(**values)
        exclude = [f.name for f in model._meta.get_fields() if f.name not in values]
        try:
            instance.clean_fields(exclude=exclude)
            if kind != "attributions":  # its attributor is checked as a reference instead
                instance.clean()
                instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                where = path if name == "__all__" else f"{path}.{name}"
                for message in messages:
                    self.error(where, message)

    def check_ref(self, path, value, known, what):
        if value not in known:
            self.error(path, f'unknown {what} "{value}"')

    def check_refs(self, path, values, known, what):
        for index, value in enumerate(values or []):
            self.check_ref(f"{path}[{index}]", value, known, what)

    def check_actor(self, path, value):
        if value not in self.states and value not in self.organizations:
            self.error(path, f'unknown state code or organisation "{value}"')

    def check_nested(self, path, record, key, kind, **context):
        seen = {}
        for index, child in enumerate(record.get(key) or []):
            child_path = f"{path}.{key}[{index}]"
            before = len(self.errors)
            self.check_record(kind, child_path, child, **context)
            if len(self.errors) == before:
                natural = nested_key(kind, child)
                if natural in seen:
                    self.error(child_path, f"duplicate of {path}.{key}[{seen[natural]}]")
                seen[natural] = index

    # -- per kind ------------------------------------------------------------------------------

    def check_organizations(self, path, record):
        self.check_model_fields(path, "organizations", record)

    def check_topics(self, path, record):
        self.check_model_fields(path, "topics", record)
        if "parent" in record:
            self.check_ref(f"{path}.parent", record["parent"], self.topics, "topic")
            if record["parent"] == record.get("slug"):
                self.error(f"{path}.parent", "a topic cannot be its own parent")

    def check_topic_cycles(self):
        parents = {
            r["slug"]: r.get("parent")
            for r in self.records("topics")
            if isinstance(r, dict) and isinstance(r.get("slug"), str)
        }
        for index, record in enumerate(self.records("topics")):
            if not isinstance(record, dict):
                continue
            seen, node = {record.get("slug")}, parents.get(record.get("slug"))
            while node in parents:
                if node in seen:
                    self.error(f"topics[{index}].parent", "the parent chain loops")
                    break
                seen.add(node)
                node = parents[node]

    def check_states(self, path, record):
        self.check_model_fields(path, "states", record)
        if not re.fullmatch(r"[A-Z]{2}", str(record.get("code", ""))):
            self.error(f"{path}.code", "must be an ISO 3166-1 alpha-2 code in upper case")

    def check_instruments(self, path, record):
        self.check_model_fields(path, "instruments", record)
        if "organization" in record:
            self.check_ref(
                f"{path}.organization", record["organization"], self.organizations, "organization"
            )
        self.check_refs(f"{path}.topics", record.get("topics"), self.topics, "topic")
        slug = record.get("slug")
        self.check_nested(path, record, "provisions", "provisions", instrument=slug)
        self.check_nested(path, record, "participants", "participants", instrument=slug)
        self.check_nested(path, record, "relations", "relations", instrument=slug)

    def check_provisions(self, path, record, *, instrument):
        self.check_model_fields(path, "provisions", record, {"label": record.get("label")})
        if "parent" in record:
            if record["parent"] == record.get("label"):
                self.error(f"{path}.parent", "a provision cannot be its own parent")
            self.check_ref(
                f"{path}.parent", record["parent"], self.provisions[instrument], "provision label"
            )

    def check_participants(self, path, record, *, instrument):
        self.check_model_fields(path, "participants", record)
        self.check_ref(f"{path}.state", record.get("state"), self.states, "state code")

    def check_relations(self, path, record, *, instrument):
        self.check_model_fields(path, "relations", record, {"kind": record.get("kind")})
        if record.get("kind") not in InstrumentRelation.Kind.values:
            self.error(f"{path}.kind", f"unknown relation kind {json.dumps(record.get('kind'))}")
        self.check_ref(
            f"{path}.instrument", record.get("instrument"), self.instruments, "instrument"
        )
        if record.get("instrument") == instrument:
            self.error(f"{path}.instrument", "an instrument cannot relate to itself")

    def check_norms(self, path, record):
        self.check_model_fields(path, "norms", record)
        self.check_refs(f"{path}.topics", record.get("topics"), self.topics, "topic")

    def check_obligations(self, path, record):
        self.check_model_fields(path, "obligations", record)
        instrument = record.get("instrument")
        self.check_ref(f"{path}.instrument", instrument, self.instruments, "instrument")
        if "provision" in record and instrument in self.instruments:
            self.check_ref(
                f"{path}.provision",
                record["provision"],
                self.provisions[instrument],
                f"provision label in {instrument}:",
            )
        self.check_refs(f"{path}.norms", record.get("norms"), self.norms, "norm")
        self.check_refs(f"{path}.topics", record.get("topics"), self.topics, "topic")

    def check_legal_basis(self, path, basis):
        if not isinstance(basis, dict) or set(basis) != {"instrument", "provision"}:
            self.error(path, 'must be {"instrument": slug, "provision": label}')
            return
        self.check_ref(f"{path}.instrument", basis["instrument"], self.instruments, "instrument")
        if basis["instrument"] in self.instruments:
            self.check_ref(
                f"{path}.provision",
                basis["provision"],
                self.provisions[basis["instrument"]],
                f"provision label in {basis['instrument']}:",
            )

    def check_response_measures(self, path, record):
        self.check_model_fields(path, "response_measures", record)
        basis = record.get("legal_basis", [])
        if not isinstance(basis, list):
            self.error(f"{path}.legal_basis", "must be a list")
        else:
            for index, item in enumerate(basis):
                self.check_legal_basis(f"{path}.legal_basis[{index}]", item)
        self.check_refs(f"{path}.responds_to", record.get("responds_to"), self.norms, "norm")

    def check_incidents(self, path, record):
        self.check_model_fields(path, "incidents", record)
        self.check_refs(f"{path}.victims", record.get("victims"), self.states, "state code")
        self.check_refs(f"{path}.sectors", record.get("sectors"), self.topics, "topic")
        slug = record.get("slug")
        self.check_nested(path, record, "attributions", "attributions", incident=slug)
        self.check_nested(path, record, "breaches", "breaches", incident=slug)
        self.check_nested(path, record, "responses", "responses", incident=slug)

    def check_attributions(self, path, record, *, incident):
        self.check_model_fields(path, "attributions", record)
        self.check_actor(f"{path}.by", record.get("by"))
        self.check_refs(f"{path}.to_states", record.get("to_states"), self.states, "state code")
        self.check_refs(f"{path}.joint_with", record.get("joint_with"), self.states, "state code")

    def check_breaches(self, path, record, *, incident):
        self.check_ref(f"{path}.norm", record.get("norm"), self.norms, "norm")
        for index, actor in enumerate(record.get("alleged_by") or []):
            self.check_actor(f"{path}.alleged_by[{index}]", actor)
        self.check_model_fields(path, "breaches", record)

    def check_responses(self, path, record, *, incident):
        self.check_model_fields(path, "responses", record)
        self.check_ref(f"{path}.measure", record.get("measure"), self.measures, "response measure")
        for index, actor in enumerate(record.get("by") or []):
            self.check_actor(f"{path}.by[{index}]", actor)
        if "legal_basis" in record:
            self.check_legal_basis(f"{path}.legal_basis", record["legal_basis"])


def model_value(record, key):
    """The value a model field gets from a record key (absent optional → empty)."""
    value = record.get(key)
    if key in DATE_KEYS:
        return datetime.date.fromisoformat(value) if value else None
    if key in ("aliases", "sources"):
        return list(value or [])
    if key == "reversible":
        return value
    if key in ("order", "escalation_level"):
        return value if value is not None else 0
    return "" if value is None else value


def nested_key(kind, record):
    """How a nested record is matched with the stored one it updates."""
    if kind == "provisions":
        return record.get("label")
    if kind == "participants":
        return record.get("state")
    if kind == "relations":
        return (record.get("instrument"), record.get("kind"))
    if kind == "attributions":
        return (record.get("by"), record.get("date"))
    if kind == "breaches":
        return record.get("norm")
    if kind == "responses":
        return (record.get("measure"), record.get("date"), tuple(sorted(record.get("by") or [])))
    raise KeyError(kind)


def validate(document, *, replace=False):
    return Validator(document, replace=replace).run()


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


class DryRun(Exception):
    """Raised inside the transaction to roll back a dry run."""


def dataset_import(
    *, document, replace=False, user=None, reason="dataset import", progress=None, dry_run=False
):
    """Make the database hold the document's records; all or nothing.

    Records are matched by slug (states by code, nested records by their natural key) and
    updated in place, so their history continues. Without `replace` nothing is deleted.
    Raises DatasetError listing every problem; returns an ImportReport.
    """
    errors = validate(document, replace=replace)
    if errors:
        raise DatasetError(errors)
    writer = Writer(document, replace=replace, user=user, reason=reason, progress=progress)
    try:
        with transaction.atomic():
            writer.run()
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return writer.report


class Writer:
    def __init__(self, document, *, replace, user, reason, progress):
        self.doc = document
        self.replace = replace
        self.user = user
        self.reason = reason
        self.progress = progress or (lambda kind, done: None)
        self.report = ImportReport()
        self.now = timezone.now()

    def records(self, kind):
        return self.doc.get(kind, [])

    def run(self):
        self.write_organizations()
        self.write_topics()
        self.write_states()
        self.write_instruments()
        self.write_norms()
        self.write_obligations()
        self.write_measures()
        self.write_incidents()
        if self.replace:
            self.delete_absent()

    # -- generic upsert ------------------------------------------------------------------------

    def upsert(self, kind, existing, rows, *, m2m=()):
        """Create or update `rows` [(key, values, m2m_sets)] against `existing` {key: obj}.

        `values` maps model fields to their new values; `m2m_sets` maps each many-to-many
        field name in `m2m` to the set of target ids it should hold. Returns {key: obj}.
        """
        model = SCALARS[kind][0]
        current_m2m = self.current_m2m(model, m2m, [o.pk for o in existing.values()])
        to_create, to_update, result, pending_m2m = [], [], {}, {}
        changed_fields = set()
        for key, values, m2m_sets in rows:
            obj = existing.get(key)
            if obj is None:
                obj = model(**values)
                to_create.append(obj)
                self.report.count(kind, "created")
            else:
                diff = [name for name, value in values.items() if getattr(obj, name) != value]
                m2m_diff = [
                    name for name in m2m if current_m2m[name].get(obj.pk, set()) != m2m_sets[name]
                ]
                if diff or m2m_diff:
                    for name in diff:
                        setattr(obj, name, values[name])
                    changed_fields.update(diff)
                    obj.updated_at = self.now
                    to_update.append(obj)
                    self.report.count(kind, "updated")
                else:
                    self.report.count(kind, "unchanged")
            result[key] = obj
            pending_m2m[key] = m2m_sets
        if to_create:
            bulk_create_with_history(
                to_create,
                model,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=self.now,
            )
        if to_update:
            bulk_update_with_history(
                to_update,
                model,
                sorted(changed_fields | {"updated_at"}),
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=self.now,
            )
        for name in m2m:
            self.sync_m2m(
                model,
                name,
                {result[k].pk: s[name] for k, s in pending_m2m.items()},
                current_m2m[name],
            )
        self.progress(kind, len(rows))
        return result

    def current_m2m(self, model, names, owner_ids):
        current = {}
        for name in names:
            through, owner, target = m2m_columns(model, name)
            sets = defaultdict(set)
            if owner_ids:
                pairs = through.objects.filter(**{f"{owner}__in": owner_ids})
                for owner_id, target_id in pairs.values_list(owner, target):
                    sets[owner_id].add(target_id)
            current[name] = sets
        return current

    def sync_m2m(self, model, name, desired, current):
        through, owner, target = m2m_columns(model, name)
        to_add, to_remove = [], defaultdict(set)
        for owner_id, targets in desired.items():
            have = current.get(owner_id, set())
            to_add += [through(**{owner: owner_id, target: t}) for t in targets - have]
            for t in have - targets:
                to_remove[owner_id].add(t)
        if to_remove:
            condition = models.Q()
            for owner_id, targets in to_remove.items():
                condition |= models.Q(**{owner: owner_id, f"{target}__in": targets})
            through.objects.filter(condition).delete()
        through.objects.bulk_create(to_add, batch_size=BATCH_SIZE)

    def values(self, record_type, record, **extra):
        return {name: model_value(record, name) for name in SCALARS[record_type][1]} | extra

    # -- per kind ------------------------------------------------------------------------------

    def write_organizations(self):
        existing = {o.slug: o for o in Organization.objects.all()}
        rows = [
            (r["slug"], self.values("organizations", r, slug=r["slug"]), {})
            for r in self.records("organizations")
        ]
        self.upsert("organizations", existing, rows)
        self.organization_ids = dict(Organization.objects.values_list("slug", "id"))

    def write_topics(self):
        # Parents before children, one level at a time, so every parent id is known.
        records = self.records("topics")
        by_slug = {r["slug"]: r for r in records}

        def depth(record):
            level, parent = 0, record.get("parent")
            while parent in by_slug:
                level, parent = level + 1, by_slug[parent].get("parent")
            return level

        levels = defaultdict(list)
        for record in records:
            levels[depth(record)].append(record)
        existing = {t.slug: t for t in Topic.objects.all()}
        self.topic_ids = {slug: t.pk for slug, t in existing.items()}
        for level in sorted(levels):
            rows = []
            for r in levels[level]:
                parent_id = self.topic_ids[r["parent"]] if r.get("parent") else None
                rows.append(
                    (r["slug"], self.values("topics", r, slug=r["slug"], parent_id=parent_id), {})
                )
            written = self.upsert("topics", existing, rows)
            self.topic_ids.update({slug: t.pk for slug, t in written.items()})

    def write_states(self):
        existing = {s.code: s for s in State.objects.all()}
        rows = [
            (r["code"], self.values("states", r, code=r["code"]), {})
            for r in self.records("states")
        ]
        self.upsert("states", existing, rows)
        self.state_codes = set(State.objects.values_list("code", flat=True))

    def write_instruments(self):
        records = self.records("instruments")
        slugs = [r["slug"] for r in records]
        existing = {i.slug: i for i in Instrument.objects.filter(slug__in=slugs)}
        rows = []
        for r in records:
            values = self.values(
                "instruments",
                r,
                slug=r["slug"],
                organization_id=self.organization_ids.get(r.get("organization")),
            )
            topics = {self.topic_ids[t] for t in r.get("topics", [])}
            rows.append((r["slug"], values, {"topics": topics}))
        written = self.upsert("instruments", existing, rows, m2m=["topics"])
        self.instrument_ids = dict(Instrument.objects.values_list("slug", "id"))
        self.write_provisions(records, written)
        self.write_participants(records, written)
        self.write_relations(records, written)

    def write_provisions(self, records, instruments):
        ids = [i.pk for i in instruments.values()]
        existing = {
            (p.instrument_id, p.label): p for p in Provision.objects.filter(instrument_id__in=ids)
        }
        self.provision_ids = {key: p.pk for key, p in existing.items()}
        levels = defaultdict(list)
        for r in records:
            instrument_id = instruments[r["slug"]].pk
            by_label = {p["label"]: p for p in r.get("provisions", [])}
            for p in r.get("provisions", []):
                level, parent = 0, p.get("parent")
                while parent in by_label and level < 20:
                    level, parent = level + 1, by_label[parent].get("parent")
                levels[level].append((instrument_id, p))
        for level in sorted(levels):
            rows = []
            for instrument_id, p in levels[level]:
                parent_id = (
                    self.provision_ids[(instrument_id, p["parent"])] if p.get("parent") else None
                )
                values = self.values(
                    "provisions",
                    p,
                    instrument_id=instrument_id,
                    label=p["label"],
                    parent_id=parent_id,
                )
                rows.append(((instrument_id, p["label"]), values, {}))
            written = self.upsert("provisions", existing, rows)
            self.provision_ids.update({key: p.pk for key, p in written.items()})
        self.kept_provisions = {
            (instruments[r["slug"]].pk, p["label"])
            for r in records
            for p in r.get("provisions", [])
        }

    def provision_id(self, instrument_slug, label):
        key = (self.instrument_ids[instrument_slug], label)
        if key not in self.provision_ids:
            found = Provision.objects.get(instrument_id=key[0], label=label)
            self.provision_ids[key] = found.pk
        return self.provision_ids[key]

    def write_participants(self, records, instruments):
        ids = [i.pk for i in instruments.values()]
        existing = {
            (p.instrument_id, p.state_id): p
            for p in Participation.objects.filter(instrument_id__in=ids)
        }
        rows = []
        for r in records:
            instrument_id = instruments[r["slug"]].pk
            for p in r.get("participants", []):
                values = self.values(
                    "participants", p, instrument_id=instrument_id, state_id=p["state"]
                )
                rows.append(((instrument_id, p["state"]), values, {}))
        self.upsert("participants", existing, rows)
        self.kept_participants = {key for key, _, _ in rows}

    def write_relations(self, records, instruments):
        ids = [i.pk for i in instruments.values()]
        existing = {
            (r.from_instrument_id, r.to_instrument_id, r.kind): r
            for r in InstrumentRelation.objects.filter(from_instrument_id__in=ids)
        }
        rows = []
        for r in records:
            from_id = instruments[r["slug"]].pk
            for rel in r.get("relations", []):
                to_id = self.instrument_ids[rel["instrument"]]
                values = self.values(
                    "relations",
                    rel,
                    from_instrument_id=from_id,
                    to_instrument_id=to_id,
                    kind=rel["kind"],
                )
                rows.append(((from_id, to_id, rel["kind"]), values, {}))
        self.upsert("relations", existing, rows)
        self.kept_relations = {key for key, _, _ in rows}

    def write_norms(self):
        records = self.records("norms")
        existing = {n.slug: n for n in Norm.objects.filter(slug__in=[r["slug"] for r in records])}
        rows = [
            (
                r["slug"],
                self.values("norms", r, slug=r["slug"]),
                {"topics": {self.topic_ids[t] for t in r.get("topics", [])}},
            )
            for r in records
        ]
        self.upsert("norms", existing, rows, m2m=["topics"])
        self.norm_ids = dict(Norm.objects.values_list("slug", "id"))

    def write_obligations(self):
        records = self.records("obligations")
        existing = {
            o.slug: o for o in Obligation.objects.filter(slug__in=[r["slug"] for r in records])
        }
        rows = []
        for r in records:
            provision_id = (
                self.provision_id(r["instrument"], r["provision"]) if r.get("provision") else None
            )
            values = self.values(
                "obligations",
                r,
                slug=r["slug"],
                instrument_id=self.instrument_ids[r["instrument"]],
                provision_id=provision_id,
            )
            rows.append(
                (
                    r["slug"],
                    values,
                    {
                        "norms": {self.norm_ids[n] for n in r.get("norms", [])},
                        "topics": {self.topic_ids[t] for t in r.get("topics", [])},
                    },
                )
            )
        self.upsert("obligations", existing, rows, m2m=["norms", "topics"])

    def write_measures(self):
        records = self.records("response_measures")
        existing = {
            m.slug: m for m in ResponseMeasure.objects.filter(slug__in=[r["slug"] for r in records])
        }
        rows = []
        for r in records:
            basis = {
                self.provision_id(b["instrument"], b["provision"]) for b in r.get("legal_basis", [])
            }
            rows.append(
                (
                    r["slug"],
                    self.values("response_measures", r, slug=r["slug"]),
                    {
                        "legal_basis": basis,
                        "responds_to": {self.norm_ids[n] for n in r.get("responds_to", [])},
                    },
                )
            )
        self.upsert("response_measures", existing, rows, m2m=["legal_basis", "responds_to"])
        self.measure_ids = dict(ResponseMeasure.objects.values_list("slug", "id"))

    def actors(self, identifiers):
        states = {i for i in identifiers if i in self.state_codes}
        organizations = {self.organization_ids[i] for i in identifiers if i not in states}
        return states, organizations

    def write_incidents(self):
        records = self.records("incidents")
        existing = {
            i.slug: i for i in Incident.objects.filter(slug__in=[r["slug"] for r in records])
        }
        rows = [
            (
                r["slug"],
                self.values("incidents", r, slug=r["slug"]),
                {
                    "victims": set(r.get("victims", [])),
                    "sectors": {self.topic_ids[t] for t in r.get("sectors", [])},
                },
            )
            for r in records
        ]
        incidents = self.upsert("incidents", existing, rows, m2m=["victims", "sectors"])
        ids = [i.pk for i in incidents.values()]

        def key_of(kind, obj):
            if kind == "attributions":
                return (
                    obj.incident_id,
                    obj.by_state_id or obj.by_organization.slug,
                    obj.date.isoformat(),
                )
            if kind == "breaches":
                return (obj.incident_id, obj.norm.slug)
            by = sorted(
                [s.code for s in obj.by_states.all()] + [o.slug for o in obj.by_organizations.all()]
            )
            return (obj.incident_id, obj.measure.slug, obj.date.isoformat(), tuple(by))

        attributions = {
            key_of("attributions", a): a
            for a in Attribution.objects.filter(incident_id__in=ids).select_related(
                "by_organization"
            )
        }
        breaches = {
            key_of("breaches", b): b
            for b in AllegedBreach.objects.filter(incident_id__in=ids).select_related("norm")
        }
        responses = {
            key_of("responses", a): a
            for a in ResponseAction.objects.filter(incident_id__in=ids)
            .select_related("measure")
            .prefetch_related("by_states", "by_organizations")
        }

        attribution_rows, breach_rows, response_rows = [], [], []
        for r in records:
            incident_id = incidents[r["slug"]].pk
            for a in r.get("attributions", []):
                by_state = a["by"] if a["by"] in self.state_codes else None
                values = self.values(
                    "attributions",
                    a,
                    incident_id=incident_id,
                    by_state_id=by_state,
                    by_organization_id=None if by_state else self.organization_ids[a["by"]],
                )
                attribution_rows.append(
                    (
                        (incident_id,) + nested_key("attributions", a),
                        values,
                        {
                            "to_states": set(a.get("to_states", [])),
                            "joint_with": set(a.get("joint_with", [])),
                        },
                    )
                )
            for b in r.get("breaches", []):
                states, organizations = self.actors(b.get("alleged_by", []))
                values = self.values(
                    "breaches", b, incident_id=incident_id, norm_id=self.norm_ids[b["norm"]]
                )
                breach_rows.append(
                    (
                        (incident_id, b["norm"]),
                        values,
                        {
                            "alleged_by_states": states,
                            "alleged_by_organizations": organizations,
                        },
                    )
                )
            for a in r.get("responses", []):
                states, organizations = self.actors(a["by"])
                basis = a.get("legal_basis")
                values = self.values(
                    "responses",
                    a,
                    incident_id=incident_id,
                    measure_id=self.measure_ids[a["measure"]],
                    legal_basis_id=self.provision_id(basis["instrument"], basis["provision"])
                    if basis
                    else None,
                )
                response_rows.append(
                    (
                        (incident_id,) + nested_key("responses", a),
                        values,
                        {
                            "by_states": states,
                            "by_organizations": organizations,
                        },
                    )
                )
        written = {
            "attributions": self.upsert(
                "attributions", attributions, attribution_rows, m2m=["to_states", "joint_with"]
            ),
            "breaches": self.upsert(
                "breaches",
                breaches,
                breach_rows,
                m2m=["alleged_by_states", "alleged_by_organizations"],
            ),
            "responses": self.upsert(
                "responses", responses, response_rows, m2m=["by_states", "by_organizations"]
            ),
        }
        # What --replace must keep: every child the file holds, new or updated.
        self.kept_child_ids = {
            kind: [obj.pk for obj in rows.values()] for kind, rows in written.items()
        }

    # -- replace -------------------------------------------------------------------------------

    def delete_absent(self):
        """Delete what the file does not hold, dependants before what they depend on."""

        def delete(kind, queryset):
            count = queryset.count()
            if count:
                for obj in queryset:  # one by one, so each deletion gets its history row
                    obj.delete()
                self.report.deleted[kind] += count

        def slugs(kind, key="slug"):
            return {r[key] for r in self.records(kind)}

        incidents_kept = Incident.objects.filter(slug__in=slugs("incidents"))
        for kind, model in (
            ("attributions", Attribution),
            ("breaches", AllegedBreach),
            ("responses", ResponseAction),
        ):
            kept_ids = self.kept_child_ids[kind]
            delete(kind, model.objects.filter(incident__in=incidents_kept).exclude(pk__in=kept_ids))
        delete("incidents", Incident.objects.exclude(slug__in=slugs("incidents")))
        delete(
            "response_measures",
            ResponseMeasure.objects.exclude(slug__in=slugs("response_measures")),
        )
        delete("obligations", Obligation.objects.exclude(slug__in=slugs("obligations")))
        delete("norms", Norm.objects.exclude(slug__in=slugs("norms")))
        kept_instruments = slugs("instruments")
        in_file = Instrument.objects.filter(slug__in=kept_instruments)
        delete(
            "relations",
            InstrumentRelation.objects.filter(from_instrument__in=in_file).exclude(
                pk__in=[
                    r.pk
                    for r in InstrumentRelation.objects.filter(from_instrument__in=in_file)
                    if (r.from_instrument_id, r.to_instrument_id, r.kind) in self.kept_relations
                ]
            ),
        )
        delete(
            "participants",
            Participation.objects.filter(instrument__in=in_file).exclude(
                pk__in=[
                    p.pk
                    for p in Participation.objects.filter(instrument__in=in_file)
                    if (p.instrument_id, p.state_id) in self.kept_participants
                ]
            ),
        )
        absent_provisions = [
            p.pk
            for p in Provision.objects.filter(instrument__in=in_file).order_by("-parent_id")
            if (p.instrument_id, p.label) not in self.kept_provisions
        ]
        Provision.objects.filter(pk__in=absent_provisions).update(parent=None)
        delete("provisions", Provision.objects.filter(pk__in=absent_provisions))
        delete("instruments", Instrument.objects.exclude(slug__in=kept_instruments))
        delete("states", State.objects.exclude(code__in=slugs("states", "code")))
        absent_topics = Topic.objects.exclude(slug__in=slugs("topics"))
        absent_topics.update(parent=None)
        delete("topics", absent_topics)
        delete("organizations", Organization.objects.exclude(slug__in=slugs("organizations")))


def m2m_columns(model, name):
    """The through model of a many-to-many field and its owner and target id columns."""
    m2m = model._meta.get_field(name)
    through = m2m.remote_field.through
    return through, m2m.m2m_column_name(), m2m.m2m_reverse_name()


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def canonical(kind, values):
    """Order keys as the spec lists them and leave out empty optional fields."""
    required, optional = RECORD_KEYS[kind]
    out = {key: values[key] for key in required}
    for key in optional:
        value = values.get(key)
        if value is None or value == "" or value == []:
            continue
        out[key] = value
    return out


def iso(date):
    return date.isoformat() if date else None


def dataset_export():
    """The whole database as one canonical `normsdb/1` document."""
    doc = {"format": FORMAT}
    doc["organizations"] = [
        canonical(
            "organizations", {"slug": o.slug, "name": o.name, "acronym": o.acronym, "url": o.url}
        )
        for o in Organization.objects.order_by("slug")
    ]
    doc["topics"] = [
        canonical(
            "topics",
            {
                "slug": t.slug,
                "name": t.name,
                "description": t.description,
                "parent": t.parent.slug if t.parent else None,
            },
        )
        for t in Topic.objects.select_related("parent").order_by("slug")
    ]
    doc["states"] = [
        canonical(
            "states", {"code": s.code, "name": s.name, "region": s.region, "subregion": s.subregion}
        )
        for s in State.objects.order_by("code")
    ]
    doc["instruments"] = [
        export_instrument(i)
        for i in (
            Instrument.objects.order_by("slug")
            .select_related("organization")
            .prefetch_related(
                "topics",
                models.Prefetch("provisions", Provision.objects.select_related("parent")),
                models.Prefetch("participations", Participation.objects.order_by("state_id")),
                models.Prefetch(
                    "relations_from", InstrumentRelation.objects.select_related("to_instrument")
                ),
            )
        )
    ]
    doc["norms"] = [
        canonical(
            "norms",
            {
                "slug": n.slug,
                "title": n.title,
                "statement": n.statement,
                "code": n.code,
                "topics": sorted(t.slug for t in n.topics.all()),
            },
        )
        for n in Norm.objects.order_by("slug").prefetch_related("topics")
    ]
    doc["obligations"] = [
        canonical(
            "obligations",
            {
                "slug": o.slug,
                "instrument": o.instrument.slug,
                "duty_bearer": o.duty_bearer,
                "modality": o.modality,
                "summary": o.summary,
                "provision": o.provision.label if o.provision else None,
                "norms": sorted(n.slug for n in o.norms.all()),
                "topics": sorted(t.slug for t in o.topics.all()),
                "deadline": o.deadline,
                "deadline_trigger": o.deadline_trigger,
                "verification": o.verification,
            },
        )
        for o in Obligation.objects.order_by("slug")
        .select_related("instrument", "provision")
        .prefetch_related("norms", "topics")
    ]
    doc["response_measures"] = [
        canonical(
            "response_measures",
            {
                "slug": m.slug,
                "name": m.name,
                "category": m.category,
                "escalation_level": m.escalation_level,
                "description": m.description,
                "legal_basis": sorted(
                    (
                        {"instrument": p.instrument.slug, "provision": p.label}
                        for p in m.legal_basis.all()
                    ),
                    key=lambda b: (b["instrument"], b["provision"]),
                ),
                "responds_to": sorted(n.slug for n in m.responds_to.all()),
                "attribution_threshold": m.attribution_threshold,
                "reversible": m.reversible,
                "conditions": m.conditions,
            },
        )
        for m in ResponseMeasure.objects.order_by("slug").prefetch_related(
            models.Prefetch("legal_basis", Provision.objects.select_related("instrument")),
            "responds_to",
        )
    ]
    doc["incidents"] = [
        export_incident(i)
        for i in Incident.objects.order_by("slug").prefetch_related(
            "victims",
            "sectors",
            models.Prefetch(
                "attributions",
                Attribution.objects.select_related("by_organization").prefetch_related(
                    "to_states", "joint_with"
                ),
            ),
            models.Prefetch(
                "breaches",
                AllegedBreach.objects.select_related("norm").prefetch_related(
                    "alleged_by_states", "alleged_by_organizations"
                ),
            ),
            models.Prefetch(
                "responses",
                ResponseAction.objects.select_related(
                    "measure", "legal_basis__instrument"
                ).prefetch_related("by_states", "by_organizations"),
            ),
        )
    ]
    return {key: value for key, value in doc.items() if value != []}


def export_instrument(i):
    provisions = sorted(i.provisions.all(), key=lambda p: (p.order, p.label))
    return canonical(
        "instruments",
        {
            "slug": i.slug,
            "title": i.title,
            "kind": i.kind,
            "legal_force": i.legal_force,
            "scope": i.scope,
            "status": i.status,
            "short_title": i.short_title,
            "symbol": i.symbol,
            "organization": i.organization.slug if i.organization else None,
            "region": i.region,
            "adopted_on": iso(i.adopted_on),
            "opened_for_signature_on": iso(i.opened_for_signature_on),
            "entered_into_force_on": iso(i.entered_into_force_on),
            "summary": i.summary,
            "source_url": i.source_url,
            "topics": sorted(t.slug for t in i.topics.all()),
            "provisions": [
                canonical(
                    "provisions",
                    {
                        "label": p.label,
                        "heading": p.heading,
                        "summary": p.summary,
                        "order": p.order,
                        "parent": p.parent.label if p.parent else None,
                        "source_url": p.source_url,
                    },
                )
                for p in provisions
            ],
            "participants": [
                canonical(
                    "participants",
                    {
                        "state": p.state_id,
                        "status": p.status,
                        "signed_on": iso(p.signed_on),
                        "consented_on": iso(p.consented_on),
                        "note": p.note,
                        "source_url": p.source_url,
                    },
                )
                for p in i.participations.all()
            ],
            "relations": sorted(
                (
                    canonical(
                        "relations",
                        {
                            "kind": r.kind,
                            "instrument": r.to_instrument.slug,
                            "note": r.note,
                        },
                    )
                    for r in i.relations_from.all()
                ),
                key=lambda r: (r["instrument"], r["kind"]),
            ),
            "last_reviewed_on": iso(i.last_reviewed_on),
        },
    )


def export_incident(i):
    def actors(states, organizations):
        return sorted([s.code for s in states] + [o.slug for o in organizations])

    attributions = sorted(
        (
            canonical(
                "attributions",
                {
                    "by": a.by_state_id or a.by_organization.slug,
                    "date": iso(a.date),
                    "confidence": a.confidence,
                    "to_states": sorted(s.code for s in a.to_states.all()),
                    "to_group": a.to_group,
                    "basis": a.basis,
                    "joint_with": sorted(s.code for s in a.joint_with.all()),
                    "source_url": a.source_url,
                },
            )
            for a in i.attributions.all()
        ),
        key=lambda a: (a["date"], a["by"]),
    )
    breaches = sorted(
        (
            canonical(
                "breaches",
                {
                    "norm": b.norm.slug,
                    "alleged_by": actors(
                        b.alleged_by_states.all(), b.alleged_by_organizations.all()
                    ),
                    "source_url": b.source_url,
                },
            )
            for b in i.breaches.all()
        ),
        key=lambda b: b["norm"],
    )
    responses = sorted(
        (
            canonical(
                "responses",
                {
                    "measure": r.measure.slug,
                    "date": iso(r.date),
                    "by": actors(r.by_states.all(), r.by_organizations.all()),
                    "description": r.description,
                    "legal_basis": {
                        "instrument": r.legal_basis.instrument.slug,
                        "provision": r.legal_basis.label,
                    }
                    if r.legal_basis
                    else None,
                    "source_url": r.source_url,
                },
            )
            for r in i.responses.all()
        ),
        key=lambda r: (r["date"], r["measure"], r["by"]),
    )
    return canonical(
        "incidents",
        {
            "slug": i.slug,
            "name": i.name,
            "operation_type": i.operation_type,
            "summary": i.summary,
            "aliases": list(i.aliases),
            "started_on": iso(i.started_on),
            "ended_on": iso(i.ended_on),
            "disclosed_on": iso(i.disclosed_on),
            "victims": sorted(s.code for s in i.victims.all()),
            "sectors": sorted(t.slug for t in i.sectors.all()),
            "sources": list(i.sources),
            "attributions": attributions,
            "breaches": breaches,
            "responses": responses,
        },
    )


def dumps(document) -> str:
    """The canonical text of a document: two-space indent, UTF-8, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
