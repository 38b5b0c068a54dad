"""/data/: the current export with its schema, checksums and date, rebuilt when data changes."""

import hashlib
import json

import jsonschema
import pytest

from normsdb.dataset import SCHEMA_PATH, dataset_import, export_bytes
from tests.normsdb.dataset.test_import import SMALL


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def content(response):
    return b"".join(response.streaming_content)


def test_the_page_offers_the_export_and_its_checksum(client, db):
    dataset_import(document=SMALL)
    page = client.get("/data/")
    exported = content(client.get("/data/normsdb.json"))
    assert exported == export_bytes()
    assert hashlib.sha256(exported).hexdigest() in page.content.decode()


def test_the_schema_is_served_for_tools(client, db):
    response = client.get("/data/schema.json")
    schema = json.loads(content(response))
    assert response["Content-Type"] == "application/schema+json"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert content(client.get("/data/schema.json")) == SCHEMA_PATH.read_bytes()


def test_the_checksums_file_lists_both_files(client, db):
    dataset_import(document=SMALL)
    lines = client.get("/data/SHA256SUMS").content.decode().splitlines()
    exported = content(client.get("/data/normsdb.json"))
    assert lines == [
        f"{hashlib.sha256(exported).hexdigest()}  normsdb.json",
        f"{hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest()}  schema.json",
    ]


def test_a_change_to_the_data_gives_a_new_export(client, db):
    dataset_import(document=SMALL)
    before = content(client.get("/data/normsdb.json"))
    changed = json.loads(json.dumps(SMALL))
    changed["states"][0]["name"] = "Eesti"
    dataset_import(document=changed)
    after = content(client.get("/data/normsdb.json"))
    assert b'"Eesti"' in after and before != after


def test_an_unchanged_database_reuses_the_export(client, db, settings):
    dataset_import(document=SMALL)
    client.get("/data/")
    files = sorted(p.name for p in (settings.DATA_DIR / "published").iterdir())
    client.get("/data/")
    assert sorted(p.name for p in (settings.DATA_DIR / "published").iterdir()) == files
    assert len(files) == 2  # the export and its facts


def test_every_page_links_to_the_data(client, db):
    assert 'href="/data/"' in client.get("/").content.decode()


def test_the_downloaded_file_validates_and_round_trips(client, db):
    dataset_import(document=SMALL)
    downloaded = content(client.get("/data/normsdb.json"))
    schema = json.loads(content(client.get("/data/schema.json")))
    jsonschema.Draft202012Validator(schema).validate(json.loads(downloaded))
    again = dataset_import(document=json.loads(downloaded), reason="round trip")
    assert not again.changed and export_bytes() == downloaded
