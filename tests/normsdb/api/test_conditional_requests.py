"""Cheap re-polling: ETag and Last-Modified on every GET, 304 when nothing changed."""


def test_a_detail_response_carries_an_etag_and_last_modified(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/test-convention/")
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith(" GMT")


def test_a_list_response_carries_an_etag_and_last_modified(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/")
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith(" GMT")


def test_a_repeated_detail_request_with_if_none_match_is_a_304(api, cast_with_sanctions):
    etag = api.get("/api/v1/norms/protect-hospitals/")["ETag"]
    response = api.get("/api/v1/norms/protect-hospitals/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_a_repeated_list_request_with_if_none_match_is_a_304(api, cast_with_sanctions):
    etag = api.get("/api/v1/instruments/?kind=treaty")["ETag"]
    response = api.get("/api/v1/instruments/?kind=treaty", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_a_changed_record_no_longer_matches_its_old_etag(api, cast_with_sanctions):
    etag = api.get("/api/v1/norms/protect-hospitals/")["ETag"]
    cast_with_sanctions.norm.title = "Protect hospitals and clinics"
    cast_with_sanctions.norm.save()
    response = api.get("/api/v1/norms/protect-hospitals/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200


def test_another_page_of_a_list_has_another_etag(api, cast_with_sanctions):
    first = api.get("/api/v1/topics/?page_size=1")["ETag"]
    assert api.get("/api/v1/topics/?page_size=1&page=2")["ETag"] != first


def test_each_format_has_its_own_etag(api, cast_with_sanctions):
    json_etag = api.get("/api/v1/instruments/test-convention/")["ETag"]
    assert api.get("/api/v1/instruments/test-convention/?format=jsonld")["ETag"] != json_etag
