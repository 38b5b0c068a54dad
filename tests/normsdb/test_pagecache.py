"""Anonymous reads come from the cache until a write bumps the data version."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import State


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def test_a_repeated_anonymous_page_is_served_from_the_cache_with_one_query(client, cast):
    first, _ = queries_for(client, "/states/DE/")
    second, count = queries_for(client, "/states/DE/")
    assert second.content == first.content and count == 1


def test_a_write_through_the_admin_is_visible_at_once(client, admin_client, cast):
    client.get("/states/DE/")
    admin_client.post(
        reverse("admin:instruments_state_change", args=["DE"]),
        {"code": "DE", "name": "Bundesrepublik", "region": "Europe"},
    )
    assert "Bundesrepublik" in client.get("/states/DE/").content.decode()


def test_a_change_by_a_script_invalidates_what_was_cached(client, cast):
    client.get("/states/DE/")
    State.objects.filter(code="DE").update(name="Changed by a script")
    assert "Changed by a script" in client.get("/states/DE/").content.decode()


def test_an_import_bumps_the_version(client, db):
    from normsdb.dataset import dataset_import

    dataset_import(document={"format": "normsdb/1", "states": [{"code": "EE", "name": "Estonia"}]})
    client.get("/states/EE/")
    dataset_import(document={"format": "normsdb/1", "states": [{"code": "EE", "name": "Eesti"}]})
    assert "Eesti" in client.get("/states/EE/").content.decode()


def test_logged_in_users_are_never_served_from_the_cache(client, admin_client, cast):
    client.get("/instruments/test-convention/")
    page = admin_client.get("/instruments/test-convention/").content.decode()
    assert "history" in page


def test_cached_api_answers_keep_their_etag_and_304(client, cast):
    first = client.get("/api/v1/states/DE/")
    again = client.get("/api/v1/states/DE/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_cached_pages_keep_the_security_headers(client, cast):
    client.get("/")
    response = client.get("/")
    assert response["Content-Security-Policy"] and response["X-Frame-Options"] == "DENY"
