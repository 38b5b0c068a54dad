"""Search on the test cast: the filters, a title prefix, and a small, fixed number of SQL
statements whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_obligation

MAX_QUERIES = 6


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.fixture
def sixty_matches(cast):
    for number in range(60):
        make_obligation(
            slug=f"hospital-duty-{number}",
            instrument=cast.treaty,
            topics=[cast.hospitals],
            summary=f"States must keep hospital number {number} safe from attacks on hospitals.",
        )
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


def test_the_page_runs_the_same_queries_for_a_few_results_and_a_full_page(client, cast):
    for number in range(5):
        make_obligation(instrument=cast.treaty, summary=f"Never attack hospitals ({number}).")
    few = count_queries(client, "/search/", {"q": "attack hospitals"})
    for number in range(60):
        make_obligation(instrument=cast.treaty, summary=f"Never attack hospitals ({number}).")
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
    assert {v["value"]: v["count"] for v in facets["modality"]} == {"should": 1}
    # The provision "Art. 1: Hospitals" counts under its treaty's topic.
    assert {v["value"] for v in facets["topic"]} == {"critical-infrastructure", "cybercrime"}


def sixty_obligations_on_preservation(cast):
    from tests.factories import make_obligation

    for number in range(60):
        make_obligation(instrument=cast.treaty, summary=f"Preserve traffic data, case {number}.")


def test_every_match_is_ranked_and_counted_in_a_collection_of_normal_size(cast):
    from normsdb.search import search

    sixty_obligations_on_preservation(cast)
    result = search("traffic", page_size=5)
    assert (result.total, result.truncated) == (60, False)


def test_ranking_is_capped_in_a_very_large_collection(cast, monkeypatch):
    from django.db import connection

    from normsdb import search as search_module

    sixty_obligations_on_preservation(cast)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE obligations_obligation")  # the size the planner knows
    monkeypatch.setattr(search_module, "EXACT_RANKING_ROWS", 10)
    result = search_module.search("traffic", page_size=5)
    assert (result.total, result.truncated) == (search_module.MAX_MATCHES, True)
    assert "Very many records match" in result.message
