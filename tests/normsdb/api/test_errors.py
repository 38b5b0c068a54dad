"""One JSON error shape, {"detail": …} plus "errors" by field for invalid input, whatever
went wrong and whatever format was asked for."""

import pytest
from rest_framework.throttling import SimpleRateThrottle


@pytest.fixture
def low_rates(monkeypatch):
    # DRF reads the rates into the class when it is imported; settings alone come too late.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"}
    )


def test_anonymous_requests_beyond_the_rate_get_a_429_with_retry_after(
    api, cast_with_sanctions, low_rates
):
    for _ in range(2):
        assert api.get("/api/v1/norms/").status_code == 200
    response = api.get("/api/v1/norms/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_editors_have_their_own_higher_rate(editor_api, cast_with_sanctions, low_rates):
    statuses = [editor_api.get("/api/v1/norms/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def error(response):
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_a_400_names_the_field(api, cast_with_sanctions):
    body = error(api.get("/api/v1/obligations/?duty_bearer=everyone"))
    assert body["detail"] == "Invalid value for duty_bearer."
    assert body["errors"]["duty_bearer"][0].startswith("Select a valid choice.")


def test_a_401_is_json(api, cast_with_sanctions):
    body = error(api.post("/api/v1/norms/", {}, format="json"))
    assert body == {"detail": "Authentication credentials were not provided."}


def test_a_wrong_token_is_a_json_401(api, cast_with_sanctions):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert error(api.get("/api/v1/norms/")) == {"detail": "Invalid token."}


def test_a_403_is_json(reader_api, cast_with_sanctions):
    body = error(reader_api.post("/api/v1/norms/", {}, format="json"))
    assert body == {"detail": "You do not have permission to perform this action."}


def test_a_404_is_json(api, cast_with_sanctions):
    assert error(api.get("/api/v1/norms/nothing/")) == {
        "detail": "No Norm matches the given query."
    }


def test_a_404_for_an_unknown_api_address_is_json(api, cast_with_sanctions):
    assert error(api.get("/api/v1/nothing/")) == {"detail": "Not found."}


def test_a_405_is_json(api, cast_with_sanctions):
    assert error(api.put("/api/v1/norms/", {}, format="json")) == {
        "detail": 'Method "PUT" not allowed.'
    }


def test_a_412_is_json(editor_api, cast_with_sanctions):
    response = editor_api.patch("/api/v1/instruments/test-report/", {}, HTTP_IF_MATCH='"old"')
    assert error(response)["detail"].startswith("The record changed since you read it")


def test_a_428_is_json(editor_api, cast_with_sanctions):
    response = editor_api.patch("/api/v1/instruments/test-report/", {})
    assert error(response)["detail"].startswith("Send If-Match")


def test_a_429_is_json(api, cast_with_sanctions, low_rates):
    for _ in range(2):
        api.get("/api/v1/norms/")
    assert error(api.get("/api/v1/norms/"))["detail"].startswith("Request was throttled.")


def test_an_error_asked_for_as_csv_is_still_json(api, cast_with_sanctions):
    body = error(api.get("/api/v1/obligations/?format=csv&modality=perhaps"))
    assert body["detail"] == "Invalid value for modality."


def test_an_error_asked_for_by_a_browser_is_json_not_an_html_page(api, cast_with_sanctions):
    response = api.get("/api/v1/norms/nothing/", HTTP_ACCEPT="text/html")
    assert error(response) == {"detail": "No Norm matches the given query."}


def test_a_search_error_is_json_too(api, cast_with_sanctions):
    body = error(api.get("/api/v1/search/?q=x&type=poem"))
    assert list(body["errors"]) == ["type"]


def test_any_origin_may_read_the_api(api, cast_with_sanctions):
    response = api.get("/api/v1/norms/", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_another_origin_is_not_invited_to_write(api, cast_with_sanctions):
    response = api.options(
        "/api/v1/norms/",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in response["Access-Control-Allow-Methods"]
