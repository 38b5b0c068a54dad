"""The citation resolver on the curated dataset: the six forms lawyers write, an unknown
citation and an ambiguous one, through the page (/resolve/) and the API (/api/v1/resolve/)."""

import pytest

from instruments.models import Provision
from normsdb.search.resolver import resolve

pytestmark = pytest.mark.usefixtures("curated")

FORMS = [
    ("A/70/174 para 13(f)", "/instruments/ungge-2015-report/#p-para-13-f"),
    ("A/RES/73/27", "/instruments/unga-res-73-27/"),
    ("ETS No. 185, Art. 29", "/instruments/budapest-convention/#p-art-29"),
    ("CETS 224 art 9", "/instruments/budapest-second-protocol/#p-art-9"),
    ("Budapest Convention Art. 32(b)", "/instruments/budapest-convention/#p-art-32"),
    ("OJ L 129I, 17.5.2019, p. 1", "/instruments/eu-council-regulation-2019-796/"),
]


@pytest.mark.parametrize("cite, url", FORMS, ids=[cite for cite, _ in FORMS])
def test_the_page_redirects_a_citation_to_its_record(client, db, cite, url):
    response = client.get("/resolve/", {"cite": cite})
    assert (response.status_code, response["Location"]) == (302, url)


@pytest.mark.parametrize("cite, url", FORMS, ids=[cite for cite, _ in FORMS])
def test_the_api_gives_the_record_of_a_citation(client, db, cite, url):
    body = client.get("/api/v1/resolve/", {"cite": cite}).json()
    assert body["match"]["html_url"] == "http://testserver" + url


def test_a_point_below_a_provision_resolves_to_the_provision_and_says_so(db):
    resolution = resolve("Budapest Convention Art. 32(b)")
    assert resolution.record == Provision.objects.get(
        instrument__slug="budapest-convention", label="Art. 32"
    )
    assert "(b)" in resolution.note and "Art. 32" in resolution.note


def test_an_official_journal_reference_shared_by_two_acts_is_ambiguous(client, db):
    response = client.get("/api/v1/resolve/", {"cite": "OJ L 129I, 17.5.2019"})
    slugs = {entry["html_url"].split("/")[-2] for entry in response.json()["alternatives"]}
    assert response.status_code == 300
    assert slugs == {"eu-council-regulation-2019-796", "eu-council-decision-2019-797"}


def test_the_page_lists_the_alternatives_of_an_ambiguous_citation(client, db):
    response = client.get("/resolve/", {"cite": "OJ L 129I, 17.5.2019"})
    page = response.content.decode()
    assert response.status_code == 300 and "Several records fit" in page
    assert "/instruments/eu-council-decision-2019-797/" in page


def test_an_unknown_citation_is_a_404_saying_what_was_understood(client, db):
    response = client.get("/api/v1/resolve/", {"cite": "ETS No. 999, Art. 1"})
    body = response.json()
    assert response.status_code == 404 and body["match"] is None
    assert "ETS No. 999" in body["understood"] and "Art. 1" in body["understood"]


def test_the_page_of_an_unknown_citation_is_a_404_saying_what_was_understood(client, db):
    response = client.get("/resolve/", {"cite": "ETS No. 999, Art. 1"})
    assert response.status_code == 404
    assert "no instrument has that symbol or title" in response.content.decode()


def test_a_known_instrument_without_the_provision_names_the_instrument(client, db):
    body = client.get("/api/v1/resolve/", {"cite": "ETS No. 185, Art. 99"}).json()
    assert "Convention on Cybercrime" in body["understood"] and "Art. 99" in body["understood"]
    assert body["alternatives"][0]["html_url"].endswith("/instruments/budapest-convention/")


def test_a_citation_by_short_title_alone_finds_the_instrument(db):
    assert resolve("UN Charter").record.slug == "un-charter"


def test_the_api_needs_a_citation(client, db):
    response = client.get("/api/v1/resolve/")
    assert response.status_code == 400 and "cite" in response.json()["errors"]


def test_the_api_refuses_an_unknown_parameter(client, db):
    response = client.get("/api/v1/resolve/", {"cite": "A/RES/73/27", "lang": "fr"})
    assert response.status_code == 400 and "lang" in response.json()["errors"]


def test_markup_in_a_citation_is_echoed_escaped(client, db):
    response = client.get("/resolve/", {"cite": "<script>alert(1)</script> Art. 1"})
    assert response.status_code == 404 and "<script>alert(1)" not in response.content.decode()
