"""CSV for every list, streamed whole with page_size=all; JSON-LD for instruments."""

import csv
import io

from tests.factories import make_topic


def rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_a_list_comes_as_csv_with_format_csv(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows(response)[0]["slug"] == "test-convention-art-1"


def test_a_list_comes_as_csv_when_the_client_accepts_text_csv(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [row["slug"] for row in rows(response)] == ["test-convention", "test-report"]


def test_csv_has_flat_columns_for_nested_values(api, cast_with_sanctions):
    first = rows(api.get("/api/v1/obligations/?format=csv"))[0]
    assert first["provision.provision"] == "Art. 1"
    assert first["norms"] == "protect-hospitals"


def test_csv_lists_are_filtered_like_json_ones(api, cast_with_sanctions):
    assert len(rows(api.get("/api/v1/obligations/?format=csv&modality=should"))) == 1


def test_csv_with_page_size_all_streams_every_row(api, db):
    for number in range(205):
        make_topic(slug=f"topic-{number:03}")
    response = api.get("/api/v1/topics/?format=csv&page_size=all")
    assert response.streaming
    assert len(rows(response)) == 205


def test_streamed_csv_has_one_header_row(api, db):
    for number in range(3):
        make_topic(slug=f"topic-{number}")
    content = b"".join(api.get("/api/v1/topics/?format=csv&page_size=all").streaming_content)
    assert content.decode().count("slug,name") == 1


def test_streamed_csv_of_an_empty_list_still_has_its_header(api, db):
    response = api.get("/api/v1/topics/?format=csv&page_size=all")
    assert b"".join(response.streaming_content).decode().startswith("slug,name,")


def test_an_instrument_comes_as_schema_org_legislation(api, cast_with_sanctions):
    body = api.get("/api/v1/instruments/test-convention/?format=jsonld").json()
    assert body["@context"] == "https://schema.org"
    assert body["@type"] == "Legislation"


def test_json_ld_names_and_identifies_the_instrument(api, cast_with_sanctions):
    body = api.get("/api/v1/instruments/test-convention/?format=jsonld").json()
    assert body["name"] == "Convention on Testing Cybercrime"
    assert body["identifier"] == "ETS No. 999"


def test_json_ld_carries_the_dates_and_the_page_url(api, cast_with_sanctions):
    body = api.get("/api/v1/instruments/test-convention/?format=jsonld").json()
    assert body["legislationDate"] == "2001-11-08"
    assert body["url"] == "http://testserver/instruments/test-convention/"


def test_json_ld_names_the_organization_behind_the_instrument(api, cast_with_sanctions):
    body = api.get("/api/v1/instruments/test-convention/?format=jsonld").json()
    assert body["legislationPassedBy"] == {
        "@type": "Organization",
        "name": "Council of Europe",
        "identifier": "coe",
    }


def test_json_ld_is_served_as_application_ld_json(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/test-convention/?format=jsonld")
    assert response["Content-Type"] == "application/ld+json"


def test_an_instrument_list_comes_as_a_json_ld_item_list(api, cast_with_sanctions):
    body = api.get("/api/v1/instruments/?format=jsonld").json()
    assert (body["@type"], body["numberOfItems"]) == ("ItemList", 2)
    assert body["itemListElement"][0]["@type"] == "Legislation"


def test_all_rows_stream_when_the_client_accepts_text_csv(api, db):
    for number in range(205):
        make_topic(slug=f"topic-{number:03}")
    response = api.get("/api/v1/topics/?page_size=all", HTTP_ACCEPT="text/csv")
    assert len(rows(response)) == 205
