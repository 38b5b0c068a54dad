"""Writes: a token and model permissions to write, the model's own validation, If-Match
against lost updates, and the change recorded in the history with its author."""

import pytest

from instruments.models import Instrument
from obligations.models import Obligation

NEW_INSTRUMENT = {
    "slug": "new-declaration",
    "title": "Declaration on Testing",
    "kind": "declaration",
    "legal_force": "politically_binding",
    "scope": "global",
    "status": "adopted",
    "topics": ["health"],
}


def test_an_anonymous_write_is_a_401(api, cast_with_sanctions):
    response = api.post("/api/v1/instruments/", NEW_INSTRUMENT, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_user_without_model_permissions_gets_a_403(reader_api, cast_with_sanctions):
    response = reader_api.post("/api/v1/instruments/", NEW_INSTRUMENT, format="json")
    assert response.status_code == 403
    assert not Instrument.objects.filter(slug="new-declaration").exists()


def test_an_editor_with_a_token_creates_a_record(editor_api, cast_with_sanctions):
    response = editor_api.post("/api/v1/instruments/", NEW_INSTRUMENT, format="json")
    assert response.status_code == 201
    assert response["Location"] == "http://testserver/api/v1/instruments/new-declaration/"


def test_a_created_record_is_saved_with_its_links(editor_api, cast_with_sanctions):
    editor_api.post("/api/v1/instruments/", NEW_INSTRUMENT, format="json")
    created = Instrument.objects.get(slug="new-declaration")
    assert list(created.topics.values_list("slug", flat=True)) == ["health"]


def test_an_editor_cannot_write_what_their_permissions_do_not_cover(
    editor_api, cast_with_sanctions
):
    response = editor_api.post("/api/v1/topics/", {"slug": "new", "name": "New"}, format="json")
    assert response.status_code == 403


def test_an_editor_updates_a_record_with_the_current_etag(editor_api, cast_with_sanctions):
    etag = editor_api.get("/api/v1/instruments/test-report/")["ETag"]
    response = editor_api.patch(
        "/api/v1/instruments/test-report/", {"summary": "Eleven norms."}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert Instrument.objects.get(slug="test-report").summary == "Eleven norms."


def test_an_update_answers_with_the_new_etag(editor_api, cast_with_sanctions):
    etag = editor_api.get("/api/v1/instruments/test-report/")["ETag"]
    response = editor_api.patch(
        "/api/v1/instruments/test-report/", {"summary": "Eleven norms."}, HTTP_IF_MATCH=etag
    )
    assert response["ETag"] == editor_api.get("/api/v1/instruments/test-report/")["ETag"]


def test_an_editor_replaces_an_obligation_with_put(editor_api, cast_with_sanctions):
    url = "/api/v1/obligations/test-report-para-1/"
    etag = editor_api.get(url)["ETag"]
    body = {
        "slug": "test-report-para-1",
        "instrument": "test-report",
        "provision": {"instrument": "test-report", "provision": "para. 1"},
        "duty_bearer": "states",
        "modality": "should_not",
        "summary": "States should not harm hospitals.",
        "deadline": "P1M",
        "norms": ["protect-hospitals"],
    }
    assert editor_api.put(url, body, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert Obligation.objects.get(slug="test-report-para-1").modality == "should_not"


def test_an_update_without_if_match_is_a_428(editor_api, cast_with_sanctions):
    response = editor_api.patch("/api/v1/instruments/test-report/", {"summary": "Eleven."})
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]


def test_an_update_with_a_stale_etag_is_a_412(editor_api, cast_with_sanctions):
    etag = editor_api.get("/api/v1/instruments/test-report/")["ETag"]
    Instrument.objects.filter(slug="test-report").update(summary="Changed by someone else.")
    response = editor_api.patch(
        "/api/v1/instruments/test-report/", {"summary": "Eleven norms."}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert Instrument.objects.get(slug="test-report").summary == "Changed by someone else."


def test_the_second_of_two_updates_from_the_same_version_is_a_412(editor_api, cast_with_sanctions):
    url = "/api/v1/instruments/test-report/"
    etag = editor_api.get(url)["ETag"]
    editor_api.patch(url, {"summary": "First."}, HTTP_IF_MATCH=etag)
    assert editor_api.patch(url, {"summary": "Second."}, HTTP_IF_MATCH=etag).status_code == 412


def test_an_update_is_validated_like_the_admin_validates_it(editor_api, cast_with_sanctions):
    etag = editor_api.get("/api/v1/instruments/test-convention/")["ETag"]
    response = editor_api.patch(
        "/api/v1/instruments/test-convention/",
        {"opened_for_signature_on": "2001-11-23", "entered_into_force_on": "2000-01-01"},
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Entry into force cannot precede opening for signature."]
    }


def test_an_invalid_deadline_is_a_400_naming_the_field(editor_api, cast_with_sanctions):
    body = {
        "slug": "new-obligation",
        "instrument": "test-report",
        "duty_bearer": "states",
        "modality": "must",
        "summary": "Report within a day.",
        "deadline": "one day",
    }
    response = editor_api.post("/api/v1/obligations/", body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid value for deadline."


def test_a_provision_of_another_instrument_is_refused(editor_api, cast_with_sanctions):
    body = {
        "slug": "new-obligation",
        "instrument": "test-report",
        "provision": {"instrument": "test-convention", "provision": "Art. 1"},
        "duty_bearer": "states",
        "modality": "must",
        "summary": "Report within a day.",
    }
    response = editor_api.post("/api/v1/obligations/", body, format="json")
    assert list(response.json()["errors"]) == ["provision"]


@pytest.mark.parametrize("url", ["/api/v1/incidents/", "/api/v1/attributions/"])
def test_transgressions_are_read_only_in_the_api(editor_api, cast_with_sanctions, url):
    response = editor_api.post(url, {}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
