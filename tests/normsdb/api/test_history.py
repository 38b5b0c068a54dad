"""The audit trail: API writes are recorded with their author and served per record."""

from instruments.models import Instrument


def change_summary(client, text):
    etag = client.get("/api/v1/instruments/test-report/")["ETag"]
    return client.patch("/api/v1/instruments/test-report/", {"summary": text}, HTTP_IF_MATCH=etag)


def test_an_api_update_is_recorded_in_the_history_with_the_editor(editor_api, cast_with_sanctions):
    change_summary(editor_api, "Eleven norms.")
    record = Instrument.history.filter(slug="test-report").latest("history_date")
    assert record.history_user == cast_with_sanctions.editor
    assert record.summary == "Eleven norms."


def test_the_history_endpoint_lists_versions_newest_first(api, editor_api, cast_with_sanctions):
    change_summary(editor_api, "Eleven norms.")
    results = api.get("/api/v1/instruments/test-report/history/").json()["results"]
    assert [entry["type"] for entry in results[:2]] == ["changed", "changed"]
    assert results[-1]["type"] == "created"


def test_the_history_endpoint_names_the_editor_to_staff_and_the_changed_field(
    editor_api, cast_with_sanctions
):
    change_summary(editor_api, "Eleven norms.")
    latest = editor_api.get("/api/v1/instruments/test-report/history/").json()["results"][0]
    assert latest["user"] == "editor"
    assert latest["changes"] == [{"field": "summary", "old": "", "new": "Eleven norms."}]


def test_the_history_endpoint_hides_editors_from_anonymous_clients(
    api, editor_api, cast_with_sanctions
):
    change_summary(editor_api, "Eleven norms.")
    latest = api.get("/api/v1/instruments/test-report/history/").json()["results"][0]
    assert latest["user"] is None and latest["type"] == "changed"


def test_every_resource_has_a_history_endpoint(api, cast_with_sanctions):
    response = api.get("/api/v1/states/DE/history/")
    assert response.status_code == 200
    assert response.json()["results"][0]["type"] == "created"


def test_the_history_of_an_unknown_record_is_a_404(api, cast_with_sanctions):
    assert api.get("/api/v1/norms/no-such-norm/history/").status_code == 404
