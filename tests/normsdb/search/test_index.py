"""Keeping the search current: single edits reach both backends on commit, the rebuild
command and `reindex`, a lost index folder rebuilt on the next search, one writer at a time."""

import shutil
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from normsdb.search import Filters, engine, reindex, search
from tests.factories import make_obligation


def slugs(text, **filters):
    return [hit.slug for hit in search(text, Filters.from_params(filters), page_size=50).hits]


def test_a_new_record_is_found_once_its_transaction_commits(
    cast, backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_obligation(slug="zebra-duty", instrument=cast.treaty, summary="Protect zebras.")
    assert slugs("zebras") == ["zebra-duty"]


def test_a_record_is_not_found_before_its_transaction_commits(cast, backend):
    make_obligation(slug="zebra-duty", instrument=cast.treaty, summary="Protect zebras.")
    assert slugs("zebras") == []


def test_a_deleted_record_leaves_the_index_on_commit(
    cast, backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cast.voluntary.delete()
    assert "test-report-para-1" not in slugs("attack hospitals online")


def test_renaming_an_instrument_renames_its_obligations_hits(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cast.treaty.short_title = "Zanzibar Accord"
        cast.treaty.save()
    hit = search("preserve stored data").hits[0]
    assert hit.slug == "test-convention-art-1" and hit.title.startswith("Zanzibar Accord")


def test_a_new_topic_tag_reaches_the_topic_filter_on_commit(
    cast, backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cast.voluntary.topics.add(cast.cybercrime)
    assert slugs("attack hospitals online", topic="cybercrime", type="obligation") == [
        "test-report-para-1"
    ]


def test_reindex_of_some_types_keeps_the_others(cast):
    reindex(["state"], fresh=True)  # rewrites them all, so the index must be written
    assert slugs("Kenya") == ["KE"] and "protect-hospitals" in slugs("hospitals")


def test_reindex_refuses_an_unknown_type(db):
    with pytest.raises(ValueError, match="planet"):
        reindex(["planet"])


def test_the_rebuild_command_says_what_it_indexed(cast, capsys):
    call_command("rebuild_search_index")
    assert "Indexed" in capsys.readouterr().out and slugs("Kenya") == ["KE"]


def test_a_lost_index_folder_is_rebuilt_on_the_next_search(cast):
    shutil.rmtree(engine.folder())
    engine._open.clear()
    assert slugs("Kenya") == ["KE"]


def test_a_writer_waits_for_another_process_holding_the_lock(cast):
    engine.folder().mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fasteners, sys, time\n"
            "with fasteners.InterProcessLock(sys.argv[1]):\n"
            "    print('held', flush=True); time.sleep(1.5)",
            str(engine.folder() / "writer.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    reindex(["state"], fresh=True)  # rewrites them all, so the index must be written
    waited = time.monotonic() - started
    holder.wait()
    assert waited > 0.5 and slugs("Kenya") == ["KE"]


def test_moving_a_topic_moves_its_records_under_the_new_parent_on_commit(
    cast, backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cast.health.parent = cast.cybercrime
        cast.health.save()
    # Both obligations are tagged below health (health, hospitals), now under cybercrime.
    found = slugs("hospitals", topic="cybercrime", type="obligation")
    facets = search("hospitals", Filters.from_params({"type": "obligation"})).facets["topic"]
    assert sorted(found) == ["test-convention-art-1", "test-report-para-1"]
    assert [v["value"] for v in facets] == ["cybercrime"]


def test_a_deleted_record_is_no_longer_counted_on_commit(
    cast, backend, django_capture_on_commit_callbacks
):
    before = search("hospitals").total
    with django_capture_on_commit_callbacks(execute=True):
        cast.voluntary.delete()
    assert search("hospitals").total == before - 1


DOCUMENT_COLUMNS = [
    "type", "record_id", "key", "title", "url", "name", "heading", "body", "extra", "vector",
    "legal_force", "kind", "modality", "duty_bearer", "instrument_id", "instrument_slug",
    "instrument_title", "topic_ids", "root_topics", "date", "prior",
]  # fmt: skip
QUERIES = ["critical infrastructure", "budapest", "attribution", "health care", "preservation"]
TOPICS = ["state-responsibility", "sovereignty", "international-law"]


def matches(text, **filters):
    result = search(text, Filters.from_params(filters), page_size=200)
    assert result.total <= 200
    return result.total, sorted(hit.slug for hit in result.hits)


def search_state():
    """The documents (their ids aside), the lexicon, and what a few searches match. Not the
    order: ties are broken by document id, and rewritten documents get new ids."""
    from normsdb.models import SearchDocument, SearchWord

    return (
        sorted(SearchDocument.objects.values_list(*DOCUMENT_COLUMNS)),
        sorted(SearchWord.objects.values_list("word", "stem", "documents")),
        {q: matches(q) for q in QUERIES},
        {topic: matches("attribution", topic=topic) for topic in TOPICS},
    )


def test_after_an_import_only_changed_documents_are_rewritten_and_all_is_as_if_rebuilt(db):
    """An import that changes a few records rewrites their documents (and those showing
    them) only; documents, lexicon and index then equal a rebuild from nothing."""
    import copy
    import json

    from normsdb.dataset import dataset_import
    from normsdb.models import SearchDocument
    from tests.conftest import DATASET

    document = json.loads(DATASET.read_text())
    dataset_import(document=document, reason="first")
    before = set(SearchDocument.objects.values_list("id", flat=True))

    changed = copy.deepcopy(document)
    budapest = next(i for i in changed["instruments"] if i["slug"] == "budapest-convention")
    budapest["title"] += " (retitled)"  # its provisions and obligations show the title
    changed["obligations"][0]["summary"] = "A duty reworded with a zymurgical word."
    gone = changed["obligations"].pop()["slug"]
    child = next(t for t in changed["topics"] if t.get("parent"))
    del child["parent"]  # records tagged below it get another top-level topic
    moved = next(t for t in changed["topics"] if t["slug"] == "attribution")
    moved["parent"] = "sovereignty"  # same top-level topic: only the index's ancestors change
    dataset_import(document=changed, replace=True, reason="second")

    after = set(SearchDocument.objects.values_list("id", flat=True))
    rewritten = after - before
    assert 0 < len(rewritten) < len(after) / 4
    assert not SearchDocument.objects.filter(type="obligation", key=gone).exists()
    assert slugs("zymurgical") == [changed["obligations"][0]["slug"]]
    left_behind = {"state-responsibility"} | {
        t["slug"] for t in changed["topics"] if t.get("parent") == "state-responsibility"
    }
    tagged = {  # tagged with the moved topic, and nothing that stayed under its old parent
        o["slug"]
        for o in changed["obligations"]
        if "attribution" in o.get("topics", []) and not left_behind & set(o["topics"])
    }
    tagged &= set(matches("attribution")[1])  # those that hold the word
    assert tagged and tagged <= set(matches("attribution", topic="sovereignty")[1])
    assert not tagged & set(matches("attribution", topic="state-responsibility")[1])
    incremental = search_state()

    reindex(fresh=True)
    assert search_state() == incremental
