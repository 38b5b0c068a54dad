"""Page-number pagination with count/next/previous/results, at most 200 records a page."""

from tests.factories import make_topic


def test_a_list_has_count_next_previous_and_results(api, cast_with_sanctions):
    body = api.get("/api/v1/topics/?page_size=1").json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["next"] == "http://testserver/api/v1/topics/?page=2&page_size=1"


def test_the_last_page_has_no_next_link(api, cast_with_sanctions):
    body = api.get("/api/v1/topics/?page_size=1&page=4").json()
    assert body["next"] is None
    assert body["previous"] == "http://testserver/api/v1/topics/?page=3&page_size=1"


def test_a_page_holds_twenty_records_unless_asked_otherwise(api, db):
    for number in range(25):
        make_topic(slug=f"topic-{number:02}")
    assert len(api.get("/api/v1/topics/").json()["results"]) == 20


def test_a_page_holds_at_most_two_hundred_records(api, db):
    for number in range(201):
        make_topic(slug=f"topic-{number:03}")
    body = api.get("/api/v1/topics/?page_size=500").json()
    assert len(body["results"]) == 200
    assert body["next"] is not None


def test_a_page_past_the_last_is_a_json_404(api, cast_with_sanctions):
    response = api.get("/api/v1/topics/?page=99")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_a_page_size_that_is_not_a_positive_number_is_a_400(api, cast_with_sanctions):
    response = api.get("/api/v1/topics/?page_size=0")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]
