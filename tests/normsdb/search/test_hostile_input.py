"""Hostile and odd input to the search page and the search API: each answers 200 with results
or a helpful message, or 400 naming the parameter it cannot use; never 500."""

import re

import pytest

from tests.factories import make_obligation

ENDPOINTS = ["/search/", "/api/v1/search/"]
endpoints = pytest.mark.parametrize("endpoint", ENDPOINTS)


def get(client, endpoint, **params):
    response = client.get(endpoint, params)
    assert response.status_code in (200, 400), (params, response.status_code)
    return response


def text(response):
    """What the user reads: the API's message and titles, or the page."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return " ".join([body.get("message", ""), *[h["title"] for h in body.get("results", [])]])
    return response.content.decode()


def found(response):
    if response["Content-Type"].startswith("application/json"):
        return response.json()["count"]
    match = re.search(r"(\d+) results?", response.content.decode())
    return int(match.group(1)) if match else 0


@endpoints
def test_an_empty_query_asks_for_words(client, cast, endpoint):
    response = get(client, endpoint, q="")
    assert response.status_code == 200 and "Type a few words" in text(response)


@endpoints
def test_a_query_of_stop_words_only_says_why_nothing_is_found(client, cast, endpoint):
    response = get(client, endpoint, q="the of and to")
    assert response.status_code == 200 and "very common words" in text(response)


@endpoints
def test_a_query_of_2000_characters_is_shortened_and_searched(client, cast, endpoint):
    response = get(client, endpoint, q=("hospitals " * 200)[:2000])
    assert response.status_code == 200 and "shortened" in text(response)
    assert found(response) > 0


@endpoints
def test_an_unbalanced_quote_is_searched_as_words(client, cast, endpoint):
    response = get(client, endpoint, q='"attack hospitals')
    assert response.status_code == 200 and found(response) > 0


@endpoints
def test_operator_characters_alone_get_a_helpful_message(client, cast, endpoint):
    response = get(client, endpoint, q="&|!:*()<>\\'\";--")
    assert response.status_code == 200 and "no words to search for" in text(response)


@endpoints
def test_operator_characters_around_words_are_ignored(client, cast, endpoint):
    response = get(client, endpoint, q="hospitals & | ! :* ( ) <-> ';--")
    assert response.status_code == 200 and found(response) > 0


@endpoints
def test_null_bytes_in_the_query_are_dropped(client, cast, endpoint):
    response = get(client, endpoint, q="hospi\x00tals\x00 online")
    assert response.status_code == 200


@endpoints
def test_a_null_byte_in_a_filter_is_a_400_naming_it(client, cast, endpoint):
    response = get(client, endpoint, q="hospitals", topic="\x00")
    assert response.status_code == 400 and "topic" in text_or_errors(response)


@endpoints
def test_emoji_beside_words_are_ignored(client, cast, endpoint):
    response = get(client, endpoint, q="🏥 hospitals 🚑")
    assert response.status_code == 200 and found(response) > 0


@endpoints
def test_emoji_alone_get_a_helpful_message(client, cast, endpoint):
    response = get(client, endpoint, q="😀🚀")
    assert response.status_code == 200 and "no words to search for" in text(response)


@endpoints
def test_right_to_left_text_is_searched(client, cast, endpoint):
    response = get(client, endpoint, q="حماية المستشفيات")
    assert response.status_code == 200 and found(response) == 0
    assert "Nothing" in text(response)


@endpoints
def test_mixed_direction_text_finds_the_latin_words(client, cast, endpoint):
    response = get(client, endpoint, q="hospitals \u202eمستشفيات\u202c")
    assert response.status_code == 200


def text_or_errors(response):
    if response["Content-Type"].startswith("application/json"):
        return " ".join(response.json().get("errors", {}))
    return response.content.decode()


@endpoints
@pytest.mark.parametrize(
    "name, value",
    [
        ("type", "planet"),
        ("topic", "no-such-topic"),
        ("topic", "../../etc/passwd"),
        ("legal_force", "sort-of"),
        ("kind", "poem"),
        ("modality", "perhaps"),
        ("duty_bearer", "nobody"),
        ("state", "ZZ"),
        ("state", "Germany"),
    ],
)
def test_an_unknown_filter_value_is_a_400_naming_the_parameter(client, cast, endpoint, name, value):
    response = get(client, endpoint, q="hospitals", **{name: value})
    assert response.status_code == 400 and name in text_or_errors(response)


@endpoints
def test_a_huge_page_number_is_refused_or_past_the_end(client, cast, endpoint):
    response = get(client, endpoint, q="hospitals", page="99999999999999999999")
    if endpoint.startswith("/api/"):
        assert response.status_code == 400 and "page" in response.json()["errors"]
    else:
        assert response.status_code == 200 and "past the last page" in text(response)


@endpoints
def test_a_page_past_the_last_says_so(client, cast, endpoint):
    response = get(client, endpoint, q="hospitals", page="9999")
    assert response.status_code == 200 and "past the last page" in text(response)


@endpoints
@pytest.mark.parametrize("page", ["-1", "0", "abc", "1e9", "\x00"])
def test_a_malformed_page_is_refused_or_read_as_the_first(client, cast, endpoint, page):
    response = get(client, endpoint, q="hospitals", page=page)
    if endpoint.startswith("/api/"):
        assert response.status_code == 400 and "page" in response.json()["errors"]
    else:
        assert response.status_code == 200 and found(response) > 0


@endpoints
@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "51", "10" * 20])
def test_a_bad_page_size_is_a_400_in_the_api(client, cast, endpoint, page_size):
    response = get(client, endpoint, q="hospitals", page_size=page_size)
    if endpoint.startswith("/api/"):
        assert response.status_code == 400 and "page_size" in response.json()["errors"]
    else:  # the page has a fixed size and ignores the parameter
        assert response.status_code == 200


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def stored_markup(cast, search_index):
    make_obligation(
        slug="markup",
        instrument=cast.treaty,
        summary=f"{PAYLOAD} States must protect hospitals from {PAYLOAD} attacks.",
    )
    search_index()


def test_api_snippets_are_escaped_with_only_mark_added(client, stored_markup):
    hits = client.get("/api/v1/search/", {"q": "protect hospitals"}).json()["results"]
    snippet = next(hit["snippet"] for hit in hits if hit["slug"] == "markup")
    assert "<mark>hospitals</mark>" in snippet and "&lt;img src=x" in snippet
    assert "<" not in re.sub(r"</?mark>", "", snippet)


def test_page_snippets_are_escaped_with_only_mark_added(client, stored_markup):
    page = client.get("/search/", {"q": "protect hospitals"}).content.decode()
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', page)
    assert any("<mark>hospitals</mark>" in s and "&lt;img src=x" in s for s in snippets)
    assert all("<" not in re.sub(r"</?mark>", "", s) for s in snippets)
    assert "<script>alert" not in page


@endpoints
def test_a_query_with_markup_is_echoed_escaped(client, cast, endpoint):
    response = get(client, endpoint, q="<script>alert(1)</script> hospitals")
    assert response.status_code == 200 and "<script>alert(1)" not in response.content.decode()
