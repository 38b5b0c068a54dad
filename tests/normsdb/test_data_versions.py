"""Data versions (the page cache's keys) move with committed changes to data, in the same
transaction, by kind: never for a change that was rolled back, never for other kinds."""

import pytest
from django.db import transaction

from instruments.models import State
from normsdb.dataset import DatasetError, dataset_import
from normsdb.models import DataVersion


def versions():
    return dict(DataVersion.objects.values_list("kind", "version"))


def test_a_change_bumps_the_version_of_its_kind_only(cast):
    before = versions()
    State.objects.filter(code="DE").update(name="Deutschland")
    after = versions()
    assert after["instruments.state"] == before["instruments.state"] + 1
    assert {k: v for k, v in after.items() if k != "instruments.state"} == {
        k: v for k, v in before.items() if k != "instruments.state"
    }


def test_a_change_rolled_back_bumps_nothing(cast):
    before = versions()
    with transaction.atomic():
        State.objects.filter(code="DE").update(name="Deutschland")
        transaction.set_rollback(True)
    assert versions() == before


def test_an_import_bumps_the_kinds_it_changed_when_it_commits(db):
    before = versions()
    dataset_import(document={"format": "normsdb/1", "states": [{"code": "EE", "name": "Estonia"}]})
    after = versions()
    assert after["instruments.state"] > before.get("instruments.state", 0)
    assert after.get("obligations.incident") == before.get("obligations.incident")


def test_a_failed_import_bumps_nothing(cast):
    before = versions()
    document = {
        "format": "normsdb/1",
        "states": [{"code": "EE", "name": "Estonia"}],
        "topics": [{"slug": "t", "name": "T", "parent": "no-such-topic"}],
    }
    with pytest.raises(DatasetError):
        dataset_import(document=document)
    assert versions() == before


def test_an_import_that_changes_nothing_bumps_nothing(db):
    document = {"format": "normsdb/1", "states": [{"code": "EE", "name": "Estonia"}]}
    dataset_import(document=document)
    before = versions()
    dataset_import(document=document)
    assert versions() == before
