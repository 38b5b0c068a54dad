"""The test cast, built visibly in Python: a binding treaty in force with a party and a
signatory, a voluntary report, a small topic tree, a norm both articulate, an editor and a
reader. The curated dataset has its own fixture (`curated`) and its own tests."""

import json
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from hypothesis.configuration import set_hypothesis_home_dir

from tests.factories import (
    make_instrument,
    make_norm,
    make_obligation,
    make_participation,
    make_provision,
    make_state,
    make_topic,
    make_user,
)

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "data" / "normsdb.json"

# Hypothesis (behind schemathesis) keeps its caches in the git-ignored data folder, not in
# a new top-level .hypothesis/.
set_hypothesis_home_dir(ROOT / ".normsdb" / "hypothesis")


@pytest.fixture(scope="session", autouse=True)
def end_stray_sessions(django_db_setup, django_db_blocker):
    """Threads of the live server may keep a connection open past the end of the run, which
    stops the test database from being dropped: end them before it is."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hashing test passwords with the production hasher costs a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Tests change data through the ORM, which does not bump the data version; the page
    cache has its own tests (tests/normsdb/test_page_cache.py)."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def clear_cache():
    """Throttle counters and cached pages live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db):
    infrastructure = make_topic(slug="critical-infrastructure", name="Critical infrastructure")
    health = make_topic(slug="health", name="Health", parent=infrastructure)
    hospitals = make_topic(slug="hospitals", name="Hospitals", parent=health)
    cybercrime = make_topic(slug="cybercrime", name="Cybercrime")
    germany = make_state(code="DE", name="Germany", region="Europe")
    kenya = make_state(code="KE", name="Kenya", region="Africa")
    treaty = make_instrument(
        slug="test-convention",
        title="Convention on Testing Cybercrime",
        short_title="Test Convention",
        symbol="ETS No. 999",
        topics=[cybercrime],
    )
    report = make_instrument(
        slug="test-report",
        title="Report of the Group of Testing Experts",
        kind="report",
        legal_force="voluntary",
        scope="global",
        status="adopted",
    )
    norm = make_norm(
        slug="protect-hospitals", code="T-1", title="Protect hospitals", topics=[health]
    )
    article = make_provision(instrument=treaty, label="Art. 1", heading="Hospitals", order=1)
    paragraph = make_provision(instrument=report, label="para. 1", heading="Norms", order=1)
    binding = make_obligation(
        slug="test-convention-art-1",
        instrument=treaty,
        provision=article,
        modality="must",
        norms=[norm],
        topics=[hospitals],
    )
    voluntary = make_obligation(
        slug="test-report-para-1",
        instrument=report,
        provision=paragraph,
        modality="should",
        norms=[norm],
        topics=[health],
        summary="States should not attack hospitals online.",
    )
    make_participation(state=germany, instrument=treaty, status="party")
    make_participation(state=kenya, instrument=treaty, status="signatory")
    editor = make_user(
        "editor",
        staff=True,
        permissions=[
            "instruments.add_instrument",
            "instruments.change_instrument",
            "instruments.view_instrument",
            "obligations.add_obligation",
            "obligations.change_obligation",
            "obligations.view_obligation",
        ],
    )
    reader = make_user("reader")
    return type(
        "Cast",
        (),
        {
            "infrastructure": infrastructure,
            "health": health,
            "hospitals": hospitals,
            "cybercrime": cybercrime,
            "germany": germany,
            "kenya": kenya,
            "treaty": treaty,
            "report": report,
            "norm": norm,
            "article": article,
            "paragraph": paragraph,
            "binding": binding,
            "voluntary": voluntary,
            "editor": editor,
            "reader": reader,
        },
    )


def load_curated():
    from normsdb.dataset import dataset_import

    return dataset_import(document=json.loads(DATASET.read_text()), reason="test fixture")


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    """The shipped dataset, imported once per module inside a transaction rolled back after."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            load_curated()
            yield
            transaction.set_rollback(True)


def pytest_collection_modifyitems(config, items):
    """In CI (NORMSDB_REQUIRE_BROWSER=1) a browser test may not be skipped silently."""
    if os.environ.get("NORMSDB_REQUIRE_BROWSER") != "1":
        return
    config.pluginmanager.register(RequireBrowser(), "require-browser")


class RequireBrowser:
    def pytest_runtest_logreport(self, report):
        if report.skipped and "browser" in report.keywords:
            report.outcome = "failed"
            report.longrepr = (
                "Browser test skipped, but NORMSDB_REQUIRE_BROWSER=1 (CI) requires it."
            )
