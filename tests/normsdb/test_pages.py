"""Site-wide: every page of the URL map answers, with landmarks, one h1 and staff links."""

import pytest

PAGES = [
    "/",
    "/instruments/",
    "/instruments/test-convention/",
    "/norms/",
    "/norms/protect-hospitals/",
    "/obligations/",
    "/obligations/test-convention-art-1/",
    "/responses/",
    "/responses/public-attribution/",
    "/topics/",
    "/topics/health/",
    "/states/",
    "/states/DE/",
    "/search/?q=hospitals",
    "/compare/?i=test-convention&i=test-report",
    "/matrix/",
    "/incidents/",
    "/incidents/op-hospital/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_of_the_url_map_answers(client, cast_with_incident, url):
    assert client.get(url).status_code == 200


def test_an_unknown_instrument_is_a_styled_404(client, db):
    response = client.get("/instruments/no-such-thing/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_the_home_page_search_box_submits_to_search(client, cast_with_incident):
    assert 'action="/search/"' in client.get("/").content.decode()


def test_pages_have_landmarks_and_one_h1(client, cast_with_incident):
    for url in PAGES:
        page = client.get(url).content.decode()
        assert page.count("<h1") == 1 and "<main" in page and "<nav" in page, url


@pytest.mark.parametrize(
    "url",
    [
        "/norms/protect-hospitals/",
        "/obligations/test-convention-art-1/",
        "/responses/public-attribution/",
        "/incidents/op-hospital/",
        "/topics/health/",
        "/states/DE/",
        "/instruments/test-convention/",
    ],
)
def test_everyone_sees_the_public_history_and_staff_the_admin_history_of_each_record(
    admin_client, client, cast_with_incident, url
):
    assert "/history/" in client.get(url).content.decode()
    assert "/admin/" in admin_client.get(url).content.decode()
    assert "admin history" not in client.get(url).content.decode()
