"""Following changes: Atom feeds, the sitemap, robots.txt and public history pages."""

import feedparser
import pytest

from instruments.models import Instrument
from normsdb.search import reindex


def test_the_feed_of_changes_parses_as_atom_with_the_records(client, cast_with_incident):
    feed = feedparser.parse(client.get("/feeds/changes/").content)
    assert feed.version == "atom10" and not feed.bozo
    assert "Test Convention" in [entry.title for entry in feed.entries]


def test_a_list_feed_keeps_the_lists_filters(client, cast_with_incident):
    feed = feedparser.parse(client.get("/feeds/instruments/?kind=report").content)
    assert [entry.title for entry in feed.entries] == ["Report of the Group of Testing Experts"]


def test_a_list_page_links_its_feed_with_its_filters(client, cast_with_incident):
    page = client.get("/obligations/?modality=must").content.decode()
    assert 'type="application/atom+xml"' in page and "/feeds/obligations/?modality=must" in page


def test_a_search_feed_parses_as_atom_with_the_searchs_matches(client, cast_with_incident):
    reindex()
    page = client.get("/search/?q=hospitals").content.decode()
    assert 'href="/feeds/search/?q=hospitals"' in page
    feed = feedparser.parse(client.get("/feeds/search/?q=hospitals").content)
    assert feed.version == "atom10" and not feed.bozo
    links = [entry.link for entry in feed.entries]
    assert links and all(link.startswith("http://testserver/") for link in links)
    assert "http://testserver/norms/protect-hospitals/" in [entry.link for entry in feed.entries]


def test_a_search_feed_without_words_or_with_a_bad_filter_is_a_404(client, cast_with_incident):
    assert client.get("/feeds/search/").status_code == 404
    assert client.get("/feeds/search/?q=hospitals&type=poem").status_code == 404


def test_an_unknown_feed_is_a_404(client, db):
    assert client.get("/feeds/nothing/").status_code == 404


def test_a_feed_with_a_bad_filter_is_a_404_not_an_error(client, cast_with_incident):
    assert client.get("/feeds/instruments/?kind=poem").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/instruments/test-convention/",
        "/norms/protect-hospitals/",
        "/obligations/test-convention-art-1/",
        "/responses/public-attribution/",
        "/incidents/op-hospital/",
        "/states/DE/",
        "/topics/health/",
        "/positions/",
        "/glossary/",
    ],
)
def test_the_sitemap_lists_every_record_page(client, cast_with_incident, path):
    assert f"<loc>http://testserver{path}</loc>" in client.get("/sitemap.xml").content.decode()


def test_robots_txt_points_at_the_sitemap(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text and "Disallow: /admin/" in text


def test_the_public_history_shows_the_changed_field_but_not_the_editor(client, cast, admin_user):
    instrument = Instrument.objects.get(slug="test-report")
    instrument._history_user = admin_user
    instrument.summary = "Eleven norms."
    instrument.save()
    page = client.get("/history/instrument/test-report/").content.decode()
    main = page.split("<main")[1].split("</main>")[0]
    assert "Eleven norms." in main and "summary" in main and " by admin" not in main


def test_staff_see_who_changed_a_record(admin_client, cast, admin_user):
    instrument = Instrument.objects.get(slug="test-report")
    instrument._history_user = admin_user
    instrument.summary = "Eleven norms."
    instrument.save()
    assert "by admin" in admin_client.get("/history/instrument/test-report/").content.decode()


def test_the_history_of_an_unknown_record_is_a_404(client, db):
    assert client.get("/history/instrument/nothing/").status_code == 404
    assert client.get("/history/poem/nothing/").status_code == 404


def test_an_unknown_url_is_the_styled_404_even_with_debug_on(client, settings, db):
    settings.DEBUG = True
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404 and "Page not found" in page and "URLconf" not in page


def test_a_path_without_its_final_slash_is_redirected(client, db):
    response = client.get("/glossary")
    assert response.status_code == 301 and response["Location"] == "/glossary/"
