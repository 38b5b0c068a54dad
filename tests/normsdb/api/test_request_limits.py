"""Bodies the API cannot take: too large, nested too deep, text too long for a field. Each is
a JSON 4xx naming the problem, never a 500 or an HTML page."""

import json

import pytest

from normsdb.models import LONG_TEXT_MAX


def post_raw(client, body):
    return client.generic("POST", "/api/v1/instruments/", body, content_type="application/json")


def test_a_body_over_the_upload_limit_is_a_json_413(editor_api, settings):
    response = post_raw(editor_api, b'{"summary": "' + b"x" * (50 * 1024 * 1024) + b'"}')
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


def test_a_body_nested_900_levels_deep_is_a_400(editor_api):
    response = post_raw(editor_api, "[" * 900 + "]" * 900)
    assert response.status_code == 400 and "nest" in response.json()["detail"]


def test_a_body_nested_a_million_levels_deep_is_a_400(editor_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 3_000_000
    response = post_raw(editor_api, "[" * 1_000_000 + "]" * 1_000_000)
    assert response.status_code == 400


def test_a_summary_of_over_a_megabyte_of_distinct_words_is_a_400_naming_the_field(editor_api, cast):
    words = " ".join(f"w{n:07d}" for n in range(130_000))  # 1.17 MB, all different
    body = {
        "slug": "huge",
        "title": "Huge",
        "short_title": "Huge",
        "kind": "treaty",
        "legal_force": "binding",
        "scope": "global",
        "status": "in_force",
        "summary": words,
    }
    response = post_raw(editor_api, json.dumps(body))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["summary"]


def test_a_summary_at_the_limit_is_taken(editor_api, cast):
    etag = editor_api.get("/api/v1/instruments/test-report/")["ETag"]
    response = editor_api.patch(
        "/api/v1/instruments/test-report/", {"summary": "x" * LONG_TEXT_MAX}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_unstorable_text_is_still_a_400(editor_api, text):
    response = post_raw(editor_api, json.dumps({"title": text}))
    assert response.status_code == 400
