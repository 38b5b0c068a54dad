"""The test cast, built visibly in Python: a binding treaty in force with a party and a
signatory, a voluntary report, a small topic tree, a norm both articulate, an editor and a
reader. The curated dataset has its own fixture (`curated`) and its own tests."""

import datetime
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from hypothesis.configuration import set_hypothesis_home_dir
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from instruments.models import InstrumentRelation
from tests.factories import (
    make_attribution,
    make_incident,
    make_instrument,
    make_measure,
    make_norm,
    make_obligation,
    make_organization,
    make_participation,
    make_provision,
    make_response,
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
def site_url(settings):
    """Absolute URLs come from SITE_URL (normsdb.origin); the test client's host."""
    settings.SITE_URL = "http://testserver"


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
def patient_database_deadline(settings):
    """A request of the suite may wait on a busy shared CI machine for more than the
    production deadline of 2 s; the deadline itself is tested against real servers
    (tests/normsdb/test_frozen_database.py)."""
    settings.DATABASE_WAIT_SECONDS = 30


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

    from normsdb.search import reindex

    reindex()  # the search finds the cast (see search_index)
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


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(cast):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast.editor).key}")
    return client


@pytest.fixture
def reader_api(cast):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast.reader).key}")
    return client


@pytest.fixture
def cast_with_sanctions(cast):
    """The cast plus an organisation, a relation, two response measures (one needing a
    conclusive attribution) and an incident with an attribution and a response."""
    coe = make_organization(slug="coe", name="Council of Europe", acronym="CoE")
    cast.treaty.organization = coe
    cast.treaty.region = "Europe"
    cast.treaty.adopted_on = datetime.date(2001, 11, 8)
    cast.treaty.save()
    cast.report.adopted_on = datetime.date(2015, 7, 22)
    cast.report.save()
    cast.treaty.participations.filter(state=cast.germany).update(
        signed_on=datetime.date(2001, 11, 23), consented_on=datetime.date(2009, 3, 9)
    )
    cast.treaty.participations.filter(state=cast.kenya).update(signed_on=datetime.date(2020, 1, 10))
    InstrumentRelation.objects.create(
        from_instrument=cast.report, to_instrument=cast.treaty, kind="builds_on"
    )
    cast.coe = coe
    cast.admonition = make_measure(
        slug="public-attribution", responds_to=[cast.norm], legal_basis=[cast.paragraph]
    )
    cast.sanctions = make_measure(
        slug="targeted-sanctions",
        name="Targeted sanctions",
        category="economic",
        escalation_level=4,
        attribution_threshold="conclusive",
    )
    cast.incident = make_incident(
        slug="operation-test", started_on=datetime.date(2017, 6, 27), victims=[cast.kenya]
    )
    cast.attribution = make_attribution(
        incident=cast.incident, by_state=cast.germany, date=datetime.date(2018, 2, 15)
    )
    cast.response = make_response(
        incident=cast.incident,
        measure=cast.admonition,
        date=datetime.date(2018, 2, 15),
        by_states=[cast.germany],
    )
    return cast


@pytest.fixture
def cast_with_incident(cast):
    """The cast plus "Operation Hospital": an incident against Germany attributed to Kenya,
    with a breach of the hospital norm and a public attribution in response."""
    incident = make_incident(
        slug="op-hospital",
        name="Operation Hospital",
        started_on=datetime.date(2020, 3, 1),
        victims=[cast.germany],
    )
    measure = make_measure(
        slug="public-attribution",
        name="Public attribution",
        legal_basis=[cast.article],
        responds_to=[cast.norm],
    )
    make_attribution(
        incident=incident,
        by_state=cast.germany,
        date=datetime.date(2020, 4, 1),
        confidence="confident",
        to_states=[cast.kenya],
    )
    make_response(
        incident=incident, measure=measure, date=datetime.date(2020, 4, 2), by_states=[cast.germany]
    )
    from obligations.models import AllegedBreach

    AllegedBreach.objects.create(incident=incident, norm=cast.norm)
    return cast


def load_curated():
    """Import data/normsdb.json as `make run` does; dataset_import ends with the
    post-import hook (normsdb.dataset.after_import), so search is indexed too."""
    from normsdb.dataset import dataset_import

    return dataset_import(source=DATASET, reason="test fixture")


@pytest.fixture
def search_index(db):
    """Index what the test made with factories: a test's transaction never commits, so the
    on-commit indexing of single edits (normsdb.search.signals) does not run. Call it after
    making records; the cast calls it already."""
    from normsdb.search import reindex

    reindex()
    return reindex


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
