"""Import and export of the normsdb/1 format: all or nothing, every error named, upserts."""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from instruments.models import Instrument, Participation, Provision, State
from normsdb.dataset import DatasetError, dataset_export, dataset_import, export_bytes
from obligations.models import Obligation

SMALL = {
    "format": "normsdb/1",
    "organizations": [{"slug": "coe", "name": "Council of Europe", "acronym": "CoE"}],
    "topics": [
        {"slug": "cybercrime", "name": "Cybercrime"},
        {
            "slug": "evidence-preservation",
            "name": "Preservation of electronic evidence",
            "parent": "cybercrime",
        },
    ],
    "states": [
        {"code": "EE", "name": "Estonia", "region": "Europe"},
        {"code": "FR", "name": "France", "region": "Europe"},
    ],
    "instruments": [
        {
            "slug": "budapest-convention",
            "title": "Convention on Cybercrime",
            "kind": "treaty",
            "legal_force": "binding",
            "scope": "regional",
            "status": "in_force",
            "short_title": "Budapest Convention",
            "symbol": "ETS No. 185",
            "organization": "coe",
            "opened_for_signature_on": "2001-11-23",
            "entered_into_force_on": "2004-07-01",
            "topics": ["cybercrime"],
            "provisions": [
                {"label": "Chapter III", "heading": "International co-operation", "order": 23},
                {
                    "label": "Art. 29",
                    "heading": "Expedited preservation of stored computer data",
                    "order": 29,
                    "parent": "Chapter III",
                },
            ],
            "participants": [
                {
                    "state": "EE",
                    "status": "party",
                    "signed_on": "2001-11-23",
                    "consented_on": "2003-05-12",
                }
            ],
        }
    ],
    "norms": [
        {
            "slug": "cooperate",
            "title": "Cooperate in investigations",
            "statement": "States help each other gather electronic evidence.",
        }
    ],
    "obligations": [
        {
            "slug": "budapest-art-29",
            "instrument": "budapest-convention",
            "duty_bearer": "state_parties",
            "modality": "must",
            "summary": "Preserve stored data quickly when another party asks.",
            "provision": "Art. 29",
            "norms": ["cooperate"],
            "topics": ["evidence-preservation"],
            "deadline": "P60D",
            "deadline_trigger": "at least, while a request is prepared",
        }
    ],
}


def table_counts():
    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(tables):
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our table names
            counts[table] = cursor.fetchone()[0]
    return counts


def test_an_import_creates_the_records_and_links_them(db):
    dataset_import(document=SMALL)
    obligation = Obligation.objects.get(slug="budapest-art-29")
    assert (obligation.provision.label, obligation.provision.parent.label) == (
        "Art. 29",
        "Chapter III",
    )
    assert list(obligation.norms.values_list("slug", flat=True)) == ["cooperate"]


def test_importing_the_same_file_twice_leaves_everything_unchanged(db):
    dataset_import(document=SMALL)
    report = dataset_import(document=SMALL)
    assert not any(report.created.values()) and not any(report.updated.values())
    assert report.unchanged["instruments"] == 1 and report.unchanged["provisions"] == 2


def test_a_changed_record_is_updated_in_place_and_keeps_its_history(db):
    dataset_import(document=SMALL)
    pk = Instrument.objects.get().pk
    newer = copy.deepcopy(SMALL)
    newer["instruments"][0]["summary"] = "The first treaty on computer crime."
    report = dataset_import(document=newer)
    instrument = Instrument.objects.get()
    assert (report.updated["instruments"], instrument.pk) == (1, pk)
    assert instrument.history.count() == 2


def test_a_changed_many_to_many_set_counts_as_an_update(db):
    dataset_import(document=SMALL)
    newer = copy.deepcopy(SMALL)
    newer["obligations"][0]["topics"] = ["cybercrime"]
    assert dataset_import(document=newer).updated["obligations"] == 1


def test_without_replace_nothing_is_deleted(db):
    dataset_import(document=SMALL)
    smaller = copy.deepcopy(SMALL)
    smaller["states"] = smaller["states"][:1]
    dataset_import(document=smaller)
    assert State.objects.filter(code="FR").exists()


def test_replace_makes_the_database_equal_to_the_file(db):
    dataset_import(document=SMALL)
    smaller = copy.deepcopy(SMALL)
    smaller["states"] = smaller["states"][:1]
    del smaller["instruments"][0]["participants"]
    report = dataset_import(document=smaller, replace=True)
    assert not State.objects.filter(code="FR").exists() and not Participation.objects.exists()
    assert report.deleted["states"] == 1


def test_five_different_mistakes_are_all_reported_with_paths_and_nothing_changes(db):
    dataset_import(document=SMALL)
    before = table_counts()
    broken = copy.deepcopy(SMALL)
    broken["instruments"][0]["kind"] = "pact"  # unknown enum value
    broken["obligations"][0]["norms"] = ["no-such-norm"]  # dangling slug
    broken["instruments"][0]["participants"][0]["signed_on"] = "2001-13-45"  # bad date
    broken["norms"][0]["colour"] = "blue"  # unknown key
    broken["states"].append({"code": "EE", "name": "Estonia again"})  # duplicate code
    with pytest.raises(DatasetError) as raised:
        dataset_import(document=broken)
    errors = "\n".join(raised.value.errors)
    assert all(
        path in errors
        for path in [
            "instruments[0].kind",
            "obligations[0].norms[0]",
            "instruments[0].participants[0].signed_on",
            "norms[0].colour",
            "states[2].code",
        ]
    ), errors
    assert table_counts() == before


def test_the_command_lists_every_error_and_exits_non_zero(db, tmp_path):
    broken = copy.deepcopy(SMALL)
    broken["instruments"][0]["participants"][0]["state"] = "XX"
    broken["obligations"][0]["modality"] = "shall"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_dataset", str(path), stderr=stderr)
    assert 'instruments[0].participants[0].state: unknown state code "XX"' in stderr.getvalue()


def test_an_unknown_provision_label_is_named(db):
    broken = copy.deepcopy(SMALL)
    broken["obligations"][0]["provision"] = "Art. 99"
    with pytest.raises(DatasetError) as raised:
        dataset_import(document=broken)
    assert any(
        e.startswith("obligations[0].provision: unknown provision label")
        for e in raised.value.errors
    )


def test_a_topic_loop_is_reported(db):
    broken = copy.deepcopy(SMALL)
    broken["topics"][0]["parent"] = "evidence-preservation"
    with pytest.raises(DatasetError) as raised:
        dataset_import(document=broken)
    assert "topics[0].parent: the parent chain loops" in raised.value.errors


def test_model_rules_apply_as_in_the_admin(db):
    broken = copy.deepcopy(SMALL)
    broken["instruments"][0]["entered_into_force_on"] = "1999-01-01"
    with pytest.raises(DatasetError) as raised:
        dataset_import(document=broken)
    assert any("Entry into force cannot precede" in e for e in raised.value.errors)


def test_a_file_that_is_not_json_is_a_clear_error(db, tmp_path):
    path = tmp_path / "notjson.json"
    path.write_text("{ nope")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_dataset", str(path))


def test_a_dry_run_writes_nothing(db, tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL))
    call_command("import_dataset", str(path), "--dry-run", stdout=io.StringIO())
    assert not Instrument.objects.exists()


def test_import_records_history_with_the_given_user(db, tmp_path):
    from tests.factories import make_user

    make_user("archivist")
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL))
    call_command("import_dataset", str(path), "--user", "archivist", stdout=io.StringIO())
    record = Instrument.objects.get().history.get()
    assert (record.history_user.username, record.history_type) == ("archivist", "+")


def test_export_of_an_import_is_the_canonical_document(db):
    dataset_import(document=SMALL)
    exported = dataset_export()
    assert exported["instruments"][0]["provisions"][1] == {
        "label": "Art. 29",
        "heading": "Expedited preservation of stored computer data",
        "order": 29,
        "parent": "Chapter III",
    }
    assert list(exported) == [
        "format",
        "organizations",
        "topics",
        "states",
        "instruments",
        "norms",
        "obligations",
    ]


def test_export_is_deterministic(db):
    dataset_import(document=SMALL)
    assert export_bytes() == export_bytes()


def test_the_if_empty_flag_skips_a_database_that_has_data(db, tmp_path):
    dataset_import(document=SMALL)
    changed = copy.deepcopy(SMALL)
    changed["states"][0]["name"] = "Eesti"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed))
    call_command("import_dataset", str(path), "--if-empty", stdout=io.StringIO())
    assert State.objects.get(code="EE").name == "Estonia"


def test_provisions_absent_from_a_merged_file_are_kept(db):
    dataset_import(document=SMALL)
    fewer = copy.deepcopy(SMALL)
    fewer["instruments"][0]["provisions"] = fewer["instruments"][0]["provisions"][:1]
    fewer["obligations"] = []
    dataset_import(document=fewer)
    assert Provision.objects.count() == 2


WITH_INCIDENT = {
    **copy.deepcopy(SMALL),
    "response_measures": [
        {
            "slug": "public-attribution",
            "name": "Public attribution",
            "category": "diplomatic",
            "escalation_level": 2,
            "description": "Naming the state responsible, in public.",
            "legal_basis": [{"instrument": "budapest-convention", "provision": "Art. 29"}],
            "attribution_threshold": "confident",
        }
    ],
    "incidents": [
        {
            "slug": "op-test",
            "name": "Operation Test",
            "operation_type": "disruption",
            "summary": "A disruptive operation against a test network.",
            "victims": ["EE"],
            "attributions": [
                {
                    "by": "FR",
                    "date": "2020-02-01",
                    "confidence": "confident",
                    "to_states": ["EE"],
                    "source_url": "https://example.org/statement",
                }
            ],
            "breaches": [{"norm": "cooperate", "alleged_by": ["FR"]}],
            "responses": [
                {
                    "measure": "public-attribution",
                    "date": "2020-02-02",
                    "by": ["FR", "coe"],
                    "legal_basis": {"instrument": "budapest-convention", "provision": "Art. 29"},
                }
            ],
        }
    ],
}


def test_incidents_round_trip_with_their_nested_records(db):
    dataset_import(document=WITH_INCIDENT)
    exported = dataset_export()
    assert exported["incidents"] == WITH_INCIDENT["incidents"]
    assert not any(dataset_import(document=exported).updated.values())


def test_a_broken_incident_is_named_with_paths_and_changes_nothing(db):
    dataset_import(document=WITH_INCIDENT)
    before = table_counts()
    broken = copy.deepcopy(WITH_INCIDENT)
    broken["incidents"][0]["responses"][0]["measure"] = "carpet-bombing"
    broken["incidents"][0]["attributions"][0]["confidence"] = "certain"
    broken["incidents"][0]["breaches"][0]["norm"] = "no-such-norm"
    with pytest.raises(DatasetError) as raised:
        dataset_import(document=broken)
    errors = "\n".join(raised.value.errors)
    assert 'incidents[0].responses[0].measure: unknown response measure "carpet-bombing"' in errors
    assert "incidents[0].attributions[0].confidence" in errors
    assert 'incidents[0].breaches[0].norm: unknown norm "no-such-norm"' in errors
    assert table_counts() == before


def test_replace_into_an_empty_database_keeps_the_incidents_nested_records(db):
    from obligations.models import Attribution, ResponseAction

    report = dataset_import(document=WITH_INCIDENT, replace=True)
    assert (Attribution.objects.count(), ResponseAction.objects.count()) == (1, 1)
    assert not any(report.deleted.values())


def test_replace_deletes_a_nested_record_the_file_no_longer_holds(db):
    from obligations.models import Attribution

    dataset_import(document=WITH_INCIDENT)
    fewer = copy.deepcopy(WITH_INCIDENT)
    fewer["incidents"][0]["attributions"] = []
    report = dataset_import(document=fewer, replace=True)
    assert not Attribution.objects.exists() and report.deleted["attributions"] == 1
