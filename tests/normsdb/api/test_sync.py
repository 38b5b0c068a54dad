"""What a syncing client relies on: refused typos, the in-force filter, deletions, conditional
requests by date, and CSV pages that say how many rows there are."""

import datetime

from django.utils.http import http_date

from instruments.models import Instrument


def test_a_misspelt_parameter_is_a_400_naming_it(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?legalforce=binding")
    assert response.status_code == 400 and "legalforce" in response.json()["errors"]


def test_an_unknown_ordering_is_a_400_naming_it(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/?ordering=colour")
    assert response.status_code == 400 and "colour" in str(response.json()["errors"]["ordering"])


def test_the_in_force_filter_leaves_out_a_repealed_instruments_obligations(
    api, cast_with_sanctions
):
    Instrument.objects.filter(slug="test-convention").update(status="superseded")
    in_force = api.get("/api/v1/obligations/?in_force=true").json()["results"]
    not_in_force = api.get("/api/v1/obligations/?in_force=false").json()["results"]
    assert "test-convention-art-1" not in [o["slug"] for o in in_force]
    assert "test-convention-art-1" in [o["slug"] for o in not_in_force]


def test_a_treaty_not_yet_in_force_is_not_in_force(api, cast_with_sanctions):
    Instrument.objects.filter(slug="test-convention").update(
        entered_into_force_on=datetime.date.today() + datetime.timedelta(days=30)
    )
    slugs = [i["slug"] for i in api.get("/api/v1/instruments/?in_force=true").json()["results"]]
    assert "test-convention" not in slugs


def test_the_deletions_feed_lists_a_record_deleted_through_the_api(
    api, editor_api, cast_with_sanctions
):
    since = "2000-01-01T00:00:00Z"
    etag = editor_api.get("/api/v1/obligations/test-report-para-1/")["ETag"]
    from django.contrib.auth.models import Permission

    cast_with_sanctions.editor.user_permissions.add(
        Permission.objects.get(codename="delete_obligation")
    )
    assert (
        editor_api.delete("/api/v1/obligations/test-report-para-1/", HTTP_IF_MATCH=etag).status_code
        == 204
    )
    results = api.get(f"/api/v1/deletions/?since={since}").json()["results"]
    assert {"resource": "obligations", "key": "test-report-para-1"} in [
        {k: r[k] for k in ("resource", "key")} for r in results
    ]


def test_the_deletions_feed_needs_a_valid_since(api, db):
    assert api.get("/api/v1/deletions/").status_code == 400
    assert api.get("/api/v1/deletions/?since=yesterday").status_code == 400


def test_if_modified_since_gives_a_304_when_nothing_changed(api, cast_with_sanctions):
    last = api.get("/api/v1/instruments/test-convention/")["Last-Modified"]
    response = api.get("/api/v1/instruments/test-convention/", HTTP_IF_MODIFIED_SINCE=last)
    assert response.status_code == 304


def test_if_modified_since_before_the_change_gives_the_record(api, cast_with_sanctions):
    before = http_date(datetime.datetime(2000, 1, 1).timestamp())
    response = api.get("/api/v1/instruments/test-convention/", HTTP_IF_MODIFIED_SINCE=before)
    assert response.status_code == 200


def test_a_csv_page_carries_the_total_and_the_next_page(api, cast_with_sanctions):
    response = api.get("/api/v1/topics/?format=csv&page_size=1")
    assert response["X-Total-Count"] == "4" and 'rel="next"' in response["Link"]


def test_csv_with_page_size_all_streams_every_row(api, cast_with_sanctions):
    response = api.get("/api/v1/topics/?format=csv&page_size=all")
    rows = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(rows) == 1 + 4
