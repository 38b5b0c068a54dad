"""Every resource answers its list and its detail, by slug (states by code, rows without a
slug by id)."""

import pytest


@pytest.mark.parametrize(
    ("url", "count"),
    [
        ("/api/v1/instruments/", 2),
        ("/api/v1/provisions/", 2),
        ("/api/v1/norms/", 1),
        ("/api/v1/obligations/", 2),
        ("/api/v1/response-measures/", 2),
        ("/api/v1/topics/", 4),
        ("/api/v1/states/", 2),
        ("/api/v1/organizations/", 1),
        ("/api/v1/participations/", 2),
        ("/api/v1/incidents/", 1),
        ("/api/v1/attributions/", 1),
        ("/api/v1/response-actions/", 1),
    ],
)
def test_every_resource_lists_its_records_with_a_count(api, cast_with_sanctions, url, count):
    body = api.get(url).json()
    assert body["count"] == count
    assert len(body["results"]) == count


@pytest.mark.parametrize(
    ("url", "key", "value"),
    [
        ("/api/v1/instruments/test-convention/", "symbol", "ETS No. 999"),
        ("/api/v1/norms/protect-hospitals/", "code", "T-1"),
        ("/api/v1/obligations/test-convention-art-1/", "modality", "must"),
        ("/api/v1/response-measures/targeted-sanctions/", "escalation_level", 4),
        ("/api/v1/topics/hospitals/", "parent", "health"),
        ("/api/v1/states/DE/", "name", "Germany"),
        ("/api/v1/organizations/coe/", "acronym", "CoE"),
        ("/api/v1/incidents/operation-test/", "operation_type", "disruption"),
    ],
)
def test_every_resource_with_a_slug_shows_one_record(api, cast_with_sanctions, url, key, value):
    response = api.get(url)
    assert response.status_code == 200
    assert response.json()[key] == value


def test_a_provision_is_shown_by_its_id(api, cast_with_sanctions):
    body = api.get(f"/api/v1/provisions/{cast_with_sanctions.article.pk}/").json()
    assert (body["instrument"], body["label"]) == ("test-convention", "Art. 1")


def test_a_participation_is_shown_by_its_id(api, cast_with_sanctions):
    participation = cast_with_sanctions.treaty.participations.get(state=cast_with_sanctions.germany)
    body = api.get(f"/api/v1/participations/{participation.pk}/").json()
    assert (body["state"], body["status"]) == ("DE", "party")


def test_an_attribution_is_shown_by_its_id(api, cast_with_sanctions):
    body = api.get(f"/api/v1/attributions/{cast_with_sanctions.attribution.pk}/").json()
    assert (body["incident"], body["by"]) == ("operation-test", "DE")


def test_a_response_action_is_shown_by_its_id(api, cast_with_sanctions):
    body = api.get(f"/api/v1/response-actions/{cast_with_sanctions.response.pk}/").json()
    assert (body["measure"], body["by"]) == ("public-attribution", ["DE"])


def test_a_state_can_be_asked_for_in_lower_case(api, cast_with_sanctions):
    assert api.get("/api/v1/states/de/").status_code == 200


def test_an_instrument_carries_its_provisions_participation_counts_and_relations(
    api, cast_with_sanctions
):
    body = api.get("/api/v1/instruments/test-convention/").json()
    assert "Art. 1" in [p["label"] for p in body["provisions"]]
    assert body["participation_counts"] == {"party": 1, "signatory": 1}
    assert body["relations"][0]["instrument"] == "test-report"


def test_a_record_links_to_itself_in_the_api_and_to_its_page(api, cast_with_sanctions):
    body = api.get("/api/v1/instruments/test-convention/").json()
    assert body["url"] == "http://testserver/api/v1/instruments/test-convention/"
    assert body["html_url"] == "http://testserver/instruments/test-convention/"


def test_a_norm_lists_the_instruments_that_articulate_it(api, cast_with_sanctions):
    body = api.get("/api/v1/norms/protect-hospitals/").json()
    assert [i["slug"] for i in body["instruments"]] == ["test-convention", "test-report"]


def test_an_obligation_carries_its_instrument_provision_and_norms(api, cast_with_sanctions):
    body = api.get("/api/v1/obligations/test-convention-art-1/").json()
    assert body["instrument_detail"]["title"] == "Convention on Testing Cybercrime"
    assert body["provision"] == {"instrument": "test-convention", "provision": "Art. 1"}
    assert body["norms"] == ["protect-hospitals"]


def test_an_incident_carries_its_attributions_and_responses(api, cast_with_sanctions):
    body = api.get("/api/v1/incidents/operation-test/").json()
    assert [a["by"] for a in body["attributions"]] == ["DE"]
    assert [r["measure"] for r in body["responses"]] == ["public-attribution"]


def test_the_list_representation_is_compact(api, cast_with_sanctions):
    first = api.get("/api/v1/instruments/").json()["results"][0]
    assert "provisions" not in first and "summary" not in first


def test_search_finds_records_across_types(api, cast_with_sanctions):
    body = api.get("/api/v1/search/?q=hospitals").json()
    assert body["count"] >= 1
    assert "obligation" in {hit["type"] for hit in body["results"]}


def test_search_narrows_to_one_record_type(api, cast_with_sanctions):
    body = api.get("/api/v1/search/?q=hospitals&type=norm").json()
    assert {hit["type"] for hit in body["results"]} == {"norm"}


def test_an_unknown_record_is_a_json_404(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Instrument matches the given query."}
