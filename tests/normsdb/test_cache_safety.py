"""What an anonymous client sends cannot empty the page cache or poison it: a failed login
changes no data version, and forged Host and X-Forwarded-Proto headers leave no foreign
origin in what the next client gets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from normsdb.models import DataVersion


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]


def versions():
    return dict(DataVersion.objects.values_list("kind", "version"))


def test_a_failed_admin_login_changes_no_data_version(client, cast):
    before = versions()
    client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "wrong"})
    assert versions() == before


def test_a_failed_admin_login_keeps_the_cached_pages(client, cast):
    client.get("/states/DE/")
    client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "wrong"})
    with CaptureQueriesContext(connection) as queries:
        client.get("/states/DE/")
    assert len(queries) == 1  # the data versions; the page itself came from the cache


FORGED = {"HTTP_HOST": "127.0.0.1:6666", "HTTP_X_FORWARDED_PROTO": "https"}
URLS = [
    "/api/v1/instruments/",
    "/api/v1/instruments/?page_size=1",
    "/api/v1/instruments/test-convention/",
    "/api/v1/instruments/test-convention/?format=jsonld",
    "/api/v1/provisions/?page_size=1&page=2",
    "/api/v1/obligations/test-convention-art-1/",
    "/instruments/test-convention/",
    "/norms/protect-hospitals/",
    "/obligations/test-convention-art-1/",
]


@pytest.mark.parametrize("url", URLS)
def test_forged_host_headers_leave_no_foreign_origin_for_the_next_client(client, cast, url):
    forged = client.get(url, **FORGED)
    honest = client.get(url)
    for response in (forged, honest):
        text = response.content.decode() + str(response.headers)
        assert "127.0.0.1:6666" not in text and "https://127.0.0.1" not in text


@pytest.mark.parametrize("url", URLS[:6] + ["/instruments/test-convention/"])
def test_absolute_links_are_on_site_url_whatever_the_headers(client, cast, url):
    assert "http://testserver/" in client.get(url, **FORGED).content.decode()
