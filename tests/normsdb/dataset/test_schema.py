"""The schema is the format: it agrees with the models field by field, it is valid draft
2020-12, and the shipped data validates with the reference Python implementation alone."""

import json

import jsonschema
import pytest
from django.db import models

from instruments.models import (
    Instrument,
    InstrumentRelation,
    Membership,
    Organization,
    Participation,
    Provision,
    RecordedVote,
    State,
)
from normsdb.dataset import SCHEMA, SCHEMA_PATH
from normsdb.dataset.schema import DEFS, key_order, record_errors
from obligations.models import (
    AllegedBreach,
    Attribution,
    Incident,
    LegalQuestion,
    Norm,
    Obligation,
    ResponseAction,
    ResponseMeasure,
    Stance,
    Topic,
)
from tests.conftest import DATASET

# Record definition → (model, {format key: model field}). Keys that are not fields of the
# model itself: nested records (reverse relations) and the vote lists (Vote rows).
CARRIED = {
    "organization": (Organization, {"slug": "slug", "name": "name", "acronym": "acronym",
                                    "url": "url", "members": "memberships"}),
    "membership": (Membership, {"state": "state", "joined_on": "joined_on",
                                "left_on": "left_on", "source_url": "source_url"}),
    "topic": (Topic, {"slug": "slug", "name": "name", "parent": "parent",
                      "description": "description"}),
    "legal_question": (LegalQuestion, {"slug": "slug", "name": "name",
                                       "description": "description", "order": "order"}),
    "state": (State, {"code": "code", "name": "name", "region": "region",
                      "subregion": "subregion"}),
    "instrument": (Instrument, {
        "slug": "slug", "title": "title", "kind": "kind", "legal_force": "legal_force",
        "scope": "scope", "status": "status", "short_title": "short_title",
        "symbol": "symbol", "organization": "organization",
        "author": ("author_state", "author_organization"),
        "binds_members_of": "binds_members_of", "region": "region",
        "adopted_on": "adopted_on", "adopted_without_vote": "adopted_without_vote",
        "opened_for_signature_on": "opened_for_signature_on",
        "entered_into_force_on": "entered_into_force_on", "summary": "summary",
        "source_url": "source_url", "topics": "topics", "provisions": "provisions",
        "participants": "participations", "relations": "relations_from",
        "recorded_vote": "recorded_vote", "stances": "stances",
        "last_reviewed_on": "last_reviewed_on"}),
    "provision": (Provision, {"label": "label", "heading": "heading", "summary": "summary",
                              "order": "order", "parent": "parent",
                              "source_url": "source_url"}),
    "participant": (Participation, {"state": "state", "organization": "organization",
                                    "status": "status", "signed_on": "signed_on",
                                    "consented_on": "consented_on", "note": "note",
                                    "source_url": "source_url"}),
    "relation": (InstrumentRelation, {"kind": "kind", "instrument": "to_instrument",
                                      "note": "note"}),
    "recorded_vote": (RecordedVote, {"in_favour": "in_favour", "against": "against",
                                     "abstaining": "abstaining", "source_url": "source_url",
                                     "date": "date", "meeting": "meeting", "yes": None,
                                     "no": None, "abstain": None, "absent": None}),
    "stance": (Stance, {"question": "question", "stance": "stance", "summary": "summary",
                        "provision": "provision"}),
    "norm": (Norm, {"slug": "slug", "title": "title", "statement": "statement",
                    "code": "code", "topics": "topics", "origin": "origin"}),
    "obligation": (Obligation, {
        "slug": "slug", "instrument": "instrument", "duty_bearer": "duty_bearer",
        "modality": "modality", "summary": "summary", "provision": "provision",
        "norms": "norms", "topics": "topics", "deadline": "deadline",
        "deadline_trigger": "deadline_trigger", "verification": "verification"}),
    "response_measure": (ResponseMeasure, {
        "slug": "slug", "name": "name", "category": "category",
        "escalation_level": "escalation_level", "description": "description",
        "legal_basis": "legal_basis", "responds_to": "responds_to",
        "attribution_threshold": "attribution_threshold", "reversible": "reversible",
        "conditions": "conditions"}),
    "incident": (Incident, {
        "slug": "slug", "name": "name", "operation_type": "operation_type",
        "summary": "summary", "aliases": "aliases",
        "started_on": ("started_on", "started_on_precision"),
        "start_unknown": "start_unknown", "ended_on": ("ended_on", "ended_on_precision"),
        "disclosed_on": "disclosed_on", "victims": "victims", "sectors": "sectors",
        "sources": "sources", "attributions": "attributions", "breaches": "breaches",
        "responses": "responses"}),
    "attribution": (Attribution, {
        "by": ("by_state", "by_organization"), "date": "date", "confidence": "confidence",
        "to_states": "to_states", "to_group": "to_group", "basis": "basis",
        "joint_with": "joint_with", "summary": "summary", "source_url": "source_url"}),
    "breach": (AllegedBreach, {"norm": "norm",
                               "alleged_by": ("alleged_by_states", "alleged_by_organizations"),
                               "source_url": "source_url"}),
    "response": (ResponseAction, {"measure": "measure", "date": "date",
                                  "by": ("by_states", "by_organizations"),
                                  "description": "description", "legal_basis": "legal_basis",
                                  "source_url": "source_url"}),
}  # fmt: skip

# Model fields the format does not carry, and why.
NOT_CARRIED = {
    "id",  # records refer to each other by slug or code
    "created_at",  # the database's own times
    "updated_at",
}
ENCLOSING = {  # the record a nested one sits in
    Membership: "organization",
    Provision: "instrument",
    Participation: "instrument",
    InstrumentRelation: "from_instrument",
    RecordedVote: "instrument",
    Stance: "position",
    Attribution: "incident",
    AllegedBreach: "incident",
    ResponseAction: "incident",
}


def mapped_fields(mapping):
    for value in mapping.values():
        if isinstance(value, tuple):
            yield from value
        elif value is not None:
            yield value


@pytest.mark.parametrize("name", sorted(CARRIED))
def test_every_key_of_the_schema_is_a_field_of_the_model(name):
    model, mapping = CARRIED[name]
    assert list(mapping) == key_order(name)
    for field_name in mapped_fields(mapping):
        model._meta.get_field(field_name)  # raises if the model has no such field


@pytest.mark.parametrize("name", sorted(CARRIED))
def test_every_field_of_the_model_is_in_the_schema(name):
    model, mapping = CARRIED[name]
    fields = {
        f.name
        for f in model._meta.get_fields()
        if f.concrete or f.many_to_many and not f.auto_created
    }
    left = fields - set(mapped_fields(mapping)) - NOT_CARRIED - {ENCLOSING.get(model)}
    assert not left, f"{model.__name__} fields the format does not carry: {left}"


@pytest.mark.parametrize("name", sorted(CARRIED))
def test_lengths_and_choices_in_the_schema_are_the_models(name):
    model, mapping = CARRIED[name]
    for key, field_name in mapping.items():
        if not isinstance(field_name, str):
            continue
        field = model._meta.get_field(field_name)
        node = DEFS[name]["properties"][key]
        if isinstance(field, models.CharField) and not field.primary_key and field.choices:
            assert node["enum"] == [value for value, _ in field.choices], key
        elif isinstance(field, models.CharField | models.URLField) and "maxLength" in node:
            assert node["maxLength"] == field.max_length, key


def test_the_required_keys_come_first_in_every_record():
    for name, definition in DEFS.items():
        if definition.get("type") == "object" and name != "document":
            required = definition["required"]
            order = key_order(name)
            assert order[: len(required)] == required or name == "participant", name


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_shipped_data_validates_with_jsonschema_alone():
    validator = jsonschema.Draft202012Validator(
        json.loads(SCHEMA_PATH.read_text()),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [e.message for e in validator.iter_errors(json.loads(DATASET.read_text()))]
    assert errors == []


def test_jsonschema_refuses_what_the_import_refuses():
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    state = {"code": "xx", "name": "", "colour": "blue"}
    document = {"format": "normsdb/1", "states": [state]}
    assert len(list(validator.iter_errors(document))) == 3
    assert len(record_errors("state", state)) == 3


def test_errors_are_worded_for_people():
    record = {"slug": "Not a slug", "instrument": "x", "modality": "shall", "summary": "",
              "deadline": "24 hours", "norms": [1]}  # fmt: skip
    errors = {
        ".".join(map(str, path)): message for path, message in record_errors("obligation", record)
    }
    assert errors == {
        "deadline": 'must be an ISO 8601 duration: PT24H, P1M, P60D; found "24 hours"',
        "duty_bearer": "required",
        "modality": 'must be one of must, must_not, should, should_not, may; found "shall"',
        "norms.0": "must be a string, found 1",
        "slug": "must be a slug: letters, digits, hyphens and underscores "
        '(budapest-convention); found "Not a slug"',
        "summary": "must not be empty",
    }
