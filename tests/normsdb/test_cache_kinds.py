"""Every cached page and API answer declares the kinds of record it shows (@shows,
`cache_kinds`), so that a change to one kind keeps the other pages cached; a declaration
that missed a table the view reads would serve stale pages. Checked by reading the queries:
every data table a view reads belongs to a kind it declares."""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from normsdb.pagecache import kinds_of
from obligations.models import Incident
from tests.factories import make_provision

TABLE = re.compile(r"\b((?:instruments|obligations)_[a-z_]+)\b")


def table_kinds():
    """Each data table (many-to-many ones too) → the kind whose version it bumps, as the
    triggers of migration normsdb/0007 do."""
    kinds = {}
    for label in ("instruments", "obligations"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            owner = model._meta.auto_created or model
            if not owner.__name__.startswith("Historical"):
                kinds[model._meta.db_table] = owner._meta.label_lower
    return kinds


def kinds_read(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    known = table_kinds()
    return {known[t] for q in queries for t in TABLE.findall(q["sql"]) if t in known}


URLS = [
    "/",
    "/positions/",
    "/glossary/",
    "/compare/states/?s=DE&s=KE",
    "/instruments/",
    "/instruments/?kind=treaty&topic=health&state=DE",
    "/instruments/test-convention/",
    "/compare/?i=test-convention&i=test-report",
    "/states/",
    "/states/DE/",
    "/norms/",
    "/norms/protect-hospitals/",
    "/obligations/",
    "/obligations/?topic=health",
    "/obligations/test-convention-art-1/",
    "/responses/",
    "/responses/public-attribution/",
    "/topics/",
    "/topics/health/",
    "/matrix/",
    "/incidents/",
    "/incidents/op-hospital/",
    "/api/v1/instruments/",
    "/api/v1/instruments/?topic=health&state=DE",
    "/api/v1/instruments/test-convention/",
    "/api/v1/instruments/test-convention/?format=jsonld",
    "/api/v1/provisions/",
    "/api/v1/norms/",
    "/api/v1/norms/protect-hospitals/",
    "/api/v1/obligations/",
    "/api/v1/obligations/?topic=health&state=DE",
    "/api/v1/obligations/test-convention-art-1/",
    "/api/v1/response-measures/",
    "/api/v1/response-measures/public-attribution/",
    "/api/v1/topics/",
    "/api/v1/topics/health/",
    "/api/v1/states/",
    "/api/v1/states/DE/",
    "/api/v1/organizations/",
    "/api/v1/participations/",
    "/api/v1/incidents/",
    "/api/v1/incidents/op-hospital/",
    "/api/v1/attributions/",
    "/api/v1/response-actions/",
]


@pytest.fixture
def rich_cast(cast_with_incident):
    make_provision(
        instrument=cast_with_incident.treaty, label="Art. 2", parent=cast_with_incident.article
    )
    return cast_with_incident


@pytest.mark.parametrize("url", URLS)
def test_a_view_declares_every_kind_of_record_it_reads(client, rich_cast, url):
    declared = kinds_of(resolve(url.split("?")[0]).func)
    assert declared is not None, f"{url} declares nothing: every change empties its cache"
    assert kinds_read(client, url) <= declared, sorted(kinds_read(client, url) - declared)


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_a_change_to_incidents_keeps_the_instrument_pages_cached(client, page_cache_on, rich_cast):
    client.get("/instruments/test-convention/")
    client.get("/incidents/op-hospital/")
    Incident.objects.filter(slug="op-hospital").update(summary="Changed.")
    assert client.get("/instruments/test-convention/")["X-Page-Cache"] == "hit"
    assert client.get("/incidents/op-hospital/")["X-Page-Cache"] == "miss"
