"""The file is read as a stream and written in sets: what that must not change."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from instruments.models import Instrument, Provision, State
from normsdb.dataset import DatasetError, dataset_import, export_bytes, prefetch, upsert, writer
from normsdb.dataset.checks import ERROR_LIMIT
from normsdb.dataset.export import write_document
from obligations.models import Obligation, Topic
from tests.normsdb.dataset.test_import import SMALL, table_counts

TRICKY = [
    'quotes " and backslashes \\ and a slash /',
    "control characters \x00 \x01 \x1f \b \f \n \r \t and DEL \x7f",
    "line and paragraph separators \u2028 \u2029",
    "accents été, Cyrillic Кибер, CJK 网络, emoji 🛰️, a zero-width joiner \u200d",
    "",
]


def test_records_written_one_by_one_are_the_bytes_of_json_dumps():
    records = [{"slug": f"s{i}", "name": text, "list": [1, True, None, []], "nested": {"a": {}}}
               for i, text in enumerate(TRICKY)]  # fmt: skip
    out = io.BytesIO()
    write_document(out, {"topics": iter(records), "states": iter([])})
    expected = json.dumps({"format": "normsdb/1", "topics": records}, ensure_ascii=False, indent=2)
    assert out.getvalue() == (expected + "\n").encode()


def test_tricky_text_round_trips_through_the_database_byte_for_byte(db):
    document = {
        "format": "normsdb/1",
        "topics": [{"slug": f"topic-{i}", "name": text.replace("\x00", "") or "empty",
                    "description": text.replace("\x00", "")} for i, text in enumerate(TRICKY)],
    }  # fmt: skip
    for topic in document["topics"]:  # canonical: empty fields are left out
        topic.pop("description") if not topic["description"] else None
    dataset_import(document=document)
    assert export_bytes() == (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def test_a_file_truncated_in_the_middle_of_a_record_changes_nothing(db, tmp_path):
    dataset_import(document=SMALL)
    before = table_counts()
    text = json.dumps(SMALL, indent=2)
    path = tmp_path / "truncated.json"
    path.write_text(text[: text.index('"slug": "budapest-art-29"') + 10])
    with pytest.raises(DatasetError) as raised:
        dataset_import(source=path)
    assert raised.value.errors == [
        "file: not valid JSON in obligations[0] (parse error: premature EOF)"
    ]
    assert table_counts() == before


def test_the_command_names_a_truncated_file(db, tmp_path):
    path = tmp_path / "truncated.json"
    path.write_text(json.dumps(SMALL)[:-40])
    with pytest.raises(CommandError, match=r"not valid JSON in obligations\[0\]"):
        call_command("import_dataset", str(path), stderr=io.StringIO())


def test_over_the_error_cap_the_first_errors_are_listed_and_all_are_counted(db):
    states = [{"code": f"X{i}", "name": "Nowhere"} for i in range(ERROR_LIMIT + 500)]
    with pytest.raises(DatasetError) as raised:
        dataset_import(document={"format": "normsdb/1", "states": states})
    assert (len(raised.value.errors), raised.value.total) == (ERROR_LIMIT, ERROR_LIMIT + 500)
    assert raised.value.errors[:2] == [
        'states[0].code: must be an ISO 3166-1 alpha-2 state code in upper case (DE); found "X0"',
        'states[1].code: must be an ISO 3166-1 alpha-2 state code in upper case (DE); found "X1"',
    ]


def test_the_command_says_how_many_errors_it_did_not_list(db, tmp_path):
    path = tmp_path / "many.json"
    topics = [{"slug": "t", "name": "T", "parent": f"missing-{i}"} for i in range(ERROR_LIMIT + 2)]
    path.write_text(json.dumps({"format": "normsdb/1", "topics": topics}))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="errors; nothing was imported"):
        call_command("import_dataset", str(path), stderr=stderr)
    assert "more." in stderr.getvalue().splitlines()[-1]


def test_unknown_and_repeated_top_level_keys_are_named(db):
    text = '{"format": "normsdb/1", "states": [], "states": [], "colours": {"a": [1]}}'
    with pytest.raises(DatasetError) as raised:
        dataset_import(source=io.BytesIO(text.encode()))
    assert raised.value.errors == [
        "colours: unknown top-level key",
        "states: appears twice in the document",
    ]


def test_a_document_without_the_format_is_refused(db):
    with pytest.raises(DatasetError) as raised:
        dataset_import(source=io.BytesIO(b'{"states": []}'))
    assert raised.value.errors == ['format: must be "normsdb/1", found nothing']


def test_standard_input_is_read_as_a_stream(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(SMALL).encode())))
    call_command("import_dataset", "-", stdout=io.StringIO(), stderr=io.StringIO())
    assert Obligation.objects.filter(slug="budapest-art-29").exists()


def record_restore(dropped):
    restore = upsert.ForeignKeys.restore

    def recording(self):
        dropped.extend((table, d.split("(")[1].split(")")[0]) for table, _, d in self.dropped)
        restore(self)

    return recording


def test_a_bulk_import_drops_and_restores_the_foreign_keys_and_indexes(db, monkeypatch):
    def foreign_keys():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
            )
            return cursor.fetchall()

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
            )
            return cursor.fetchall()

    before, indexes_before = foreign_keys(), indexes()
    dropped = []
    monkeypatch.setattr(upsert.ForeignKeys, "restore", record_restore(dropped))
    monkeypatch.setattr(writer, "BULK_ROWS", 0)  # every insert counts as bulk
    monkeypatch.setattr(upsert, "BULK_INDEX_ROWS", 0)
    dataset_import(document=SMALL)
    assert foreign_keys() == before and indexes() == indexes_before
    assert ("obligations_obligation", "instrument_id") in dropped
    assert Provision.objects.get(label="Art. 29").parent.label == "Chapter III"


def test_history_rows_record_creation_change_and_deletion(db):
    dataset_import(document=SMALL)
    changed = json.loads(json.dumps(SMALL))
    changed["states"][0]["name"] = "Eesti"
    del changed["states"][1]
    del changed["instruments"][0]["participants"]
    dataset_import(document=changed, replace=True, reason="test")
    history = State.history.model.objects.order_by("code", "history_id")
    assert list(history.values_list("code", "name", "history_type")) == [
        ("EE", "Estonia", "+"),
        ("EE", "Eesti", "~"),
        ("FR", "France", "+"),
        ("FR", "France", "-"),
    ]


def test_an_instruments_history_keeps_its_topics(db):
    dataset_import(document=SMALL)
    record = Instrument.objects.get().history.get()
    assert [t.topic.slug for t in record.topics.all()] == ["cybercrime"]


def test_replace_deletes_in_sets_with_history(db):
    dataset_import(document=SMALL)
    report = dataset_import(document={"format": "normsdb/1"}, replace=True)
    assert not Topic.objects.exists() and not Obligation.objects.exists()
    assert report.deleted["provisions"] == 2 and report.deleted["topics"] == 2
    assert Obligation.history.filter(history_type="-").count() == 1


def test_a_parent_that_is_new_too_is_found(db):
    document = {"format": "normsdb/1", "topics": [
        {"slug": "a-child", "name": "Child", "parent": "b-parent"},
        {"slug": "b-parent", "name": "Parent", "parent": "c-root"},
        {"slug": "c-root", "name": "Root"},
    ]}  # fmt: skip
    dataset_import(document=document)
    assert Topic.objects.get(slug="a-child").ancestors()[0].slug == "c-root"


def test_a_loop_through_a_stored_topic_is_named(db):
    dataset_import(document={"format": "normsdb/1", "topics": [
        {"slug": "a", "name": "A"}, {"slug": "b", "name": "B", "parent": "a"}]})  # fmt: skip
    with pytest.raises(DatasetError) as raised:
        dataset_import(document={"format": "normsdb/1", "topics": [
            {"slug": "a", "name": "A", "parent": "b"}]})  # fmt: skip
    assert raised.value.errors == ["topics[0].parent: the parent chain loops"]


def test_provisions_listed_before_their_new_parents_are_written_parents_first(db):
    document = json.loads(json.dumps(SMALL))
    document["instruments"][0]["provisions"] = [
        {"label": "Art. 29(1)", "order": 3, "parent": "Art. 29"},
        {"label": "Art. 29", "order": 2, "parent": "Chapter III"},
        {"label": "Chapter III", "order": 1},
    ]
    dataset_import(document=document)
    deepest = Provision.objects.get(label="Art. 29(1)")
    assert (deepest.parent.label, deepest.parent.parent.label) == ("Art. 29", "Chapter III")


def test_a_committed_import_that_changed_something_calls_the_post_import_hook(db, monkeypatch):
    calls = []
    monkeypatch.setattr("normsdb.dataset.after_import.run", lambda: calls.append("run"))
    dataset_import(document=SMALL)
    dataset_import(document=SMALL)  # unchanged: nothing to follow up
    changed = json.loads(json.dumps(SMALL))
    changed["states"][0]["name"] = "Eesti"
    dataset_import(document=changed, dry_run=True)  # nothing committed
    assert calls == ["run"]


def test_the_prefetched_obligations_are_those_of_the_export_snapshot(transactional_db, monkeypatch):
    dataset_import(document=SMALL)
    plain = export_bytes()
    monkeypatch.setattr(prefetch, "LARGE", -2)  # every list is large; reltuples may be -1
    assert export_bytes() == plain
