"""Search on the test cast: the filters, a title prefix, exact counts, sorting, states, the
API's parameters, and a small, fixed number of SQL statements whatever the page size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from obligations.models import LegalQuestion
from tests.factories import make_obligation

MAX_QUERIES = 6


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.fixture
def sixty_matches(cast, search_index):
    for number in range(60):
        make_obligation(
            slug=f"hospital-duty-{number}",
            instrument=cast.treaty,
            topics=[cast.hospitals],
            summary=f"States must keep hospital number {number} safe from attacks on hospitals.",
        )
    search_index()
    return cast


def test_the_api_runs_the_same_queries_for_one_and_fifty_results(client, sixty_matches):
    one = count_queries(client, "/api/v1/search/", {"q": "hospitals", "page_size": 1})
    fifty = count_queries(client, "/api/v1/search/", {"q": "hospitals", "page_size": 50})
    assert one == fifty <= MAX_QUERIES


def test_the_api_runs_the_same_queries_with_filters(client, sixty_matches):
    params = {"q": "hospitals", "topic": "critical-infrastructure", "state": "DE"}
    one = count_queries(client, "/api/v1/search/", {**params, "page_size": 1})
    fifty = count_queries(client, "/api/v1/search/", {**params, "page_size": 50})
    assert one == fifty <= MAX_QUERIES


def test_the_page_runs_the_same_queries_for_a_few_results_and_a_full_page(
    client, cast, search_index
):
    for number in range(5):
        make_obligation(instrument=cast.treaty, summary=f"Never attack hospitals ({number}).")
    search_index()
    few = count_queries(client, "/search/", {"q": "attack hospitals"})
    for number in range(60):
        make_obligation(instrument=cast.treaty, summary=f"Never attack hospitals ({number}).")
    search_index()
    full = count_queries(client, "/search/", {"q": "attack hospitals"})
    assert few == full <= MAX_QUERIES


def test_a_misspelt_query_that_falls_back_stays_within_the_limit(client, sixty_matches):
    assert count_queries(client, "/api/v1/search/", {"q": "hospittals zzqx"}) <= MAX_QUERIES


def search(client, **params):
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(result):
    return [hit["slug"] for hit in result["results"]]


def test_a_topic_filter_includes_the_topics_descendants(client, cast):
    # The binding obligation is tagged "hospitals", a grandchild of "critical-infrastructure".
    result = search(client, q="preserve stored data", topic="critical-infrastructure")
    assert slugs(result) == ["test-convention-art-1"]


def test_a_state_filter_keeps_records_of_instruments_binding_that_state(client, cast):
    germany = slugs(search(client, q="preserve", state="DE", type="obligation"))
    kenya = slugs(search(client, q="preserve", state="KE", type="obligation"))
    assert (germany, kenya) == (["test-convention-art-1"], [])


def test_the_modality_filter_keeps_obligations_only(client, cast):
    result = search(client, q="hospitals", modality="should")
    assert [(h["type"], h["slug"]) for h in result["results"]] == [
        ("obligation", "test-report-para-1")
    ]


def test_an_instrument_title_prefix_is_found_by_trigram_similarity(client, cast):
    assert "test-convention" in slugs(search(client, q="Testin"))


def test_facets_count_every_match_of_the_query(client, cast):
    result = search(client, q="hospitals")
    facets = result["facets"]
    assert sum(v["count"] for v in facets["type"]) == result["count"]
    # The binding obligation is found by its provision's heading, "Hospitals".
    assert {v["value"]: v["count"] for v in facets["modality"]} == {"must": 1, "should": 1}
    # The provision "Art. 1: Hospitals" counts under its treaty's topic.
    assert {v["value"] for v in facets["topic"]} == {"critical-infrastructure", "cybercrime"}


def sixty_obligations_on_preservation(cast, search_index):
    for number in range(60):
        make_obligation(instrument=cast.treaty, summary=f"Preserve traffic data, case {number}.")
    search_index()


def test_every_match_is_ranked_and_counted(client, cast, search_index):
    sixty_obligations_on_preservation(cast, search_index)
    result = search(client, q="traffic", page_size=5)
    assert result["count"] == 60 and "truncated" not in result


def test_the_last_page_holds_the_last_matches(client, cast, search_index):
    sixty_obligations_on_preservation(cast, search_index)
    result = search(client, q="traffic", page_size=50, page=2)
    assert len(result["results"]) == 10 and result["next"] is None


def test_results_sort_by_date_newest_first(client, cast, search_index):
    cast.treaty.adopted_on = datetime.date(2001, 11, 23)
    cast.treaty.save()
    cast.report.adopted_on = datetime.date(2015, 7, 22)
    cast.report.save()
    search_index()
    hits = search(client, q="hospitals", sort="date", type="obligation")["results"]
    assert [hit["slug"] for hit in hits] == ["test-report-para-1", "test-convention-art-1"]


def test_an_unknown_sort_is_a_400_naming_it(client, cast):
    response = client.get("/api/v1/search/", {"q": "hospitals", "sort": "alphabet"})
    assert response.status_code == 400 and "sort" in response.json()["errors"]


def test_an_unknown_parameter_is_a_400_naming_it(client, cast):
    response = client.get("/api/v1/search/", {"q": "hospitals", "colour": "red"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["colour"]


def test_a_state_is_found_by_name_and_by_code(client, cast):
    by_name = slugs(search(client, q="Germany", type="state"))
    by_code = slugs(search(client, q="KE", type="state"))
    assert (by_name, by_code) == (["DE"], ["KE"])


def test_a_state_hit_links_to_the_state_page(client, cast):
    hit = search(client, q="Kenya")["results"][0]
    assert hit["html_url"] == "http://testserver/states/KE/"


def test_a_provision_hit_links_to_its_anchor(client, cast):
    hit = search(client, q="hospitals", type="provision")["results"][0]
    assert hit["html_url"] == "http://testserver/instruments/test-convention/#p-art-1"


def test_a_state_binding_nothing_leaves_nothing(client, cast):
    assert search(client, q="hospitals", state="KE")["count"] == 0


def test_a_legal_question_is_searchable(client, cast, search_index):
    LegalQuestion.objects.create(
        slug="sovereignty", name="Sovereignty as a rule", description="Is it a rule of its own?"
    )
    search_index()
    assert slugs(search(client, q="sovereignty", type="legal_question")) == ["sovereignty"]
