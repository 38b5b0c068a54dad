"""Recorded votes: state by state on the instrument page, totals against the official ones."""

import datetime

import pytest

from tests.factories import make_instrument, make_recorded_vote, make_state


@pytest.fixture
def resolution(cast):
    resolution = make_instrument(
        slug="res-1",
        title="Resolution on Testing",
        kind="resolution",
        legal_force="voluntary",
        status="adopted",
        adopted_on=datetime.date(2018, 12, 5),
    )
    france = make_state(code="FR", name="France", region="Europe")
    make_recorded_vote(
        resolution,
        yes=[cast.germany, france],
        no=[cast.kenya],
        meeting="A/73/PV.45",
        date=datetime.date(2018, 12, 5),
    )
    return resolution


def test_the_instrument_page_shows_each_states_vote_and_the_totals(client, resolution):
    page = client.get("/instruments/res-1/").content.decode()
    assert "How each state voted" in page and "A/73/PV.45" in page
    assert page.count('class="vote vote-yes"') == 2 and "differs" not in page


def test_votes_can_be_sorted_by_vote(client, resolution):
    page = client.get("/instruments/res-1/?votes=vote").content.decode()
    assert page.index("France") < page.index("Kenya")


def test_a_tally_that_disagrees_with_the_official_total_is_shown_as_such(client, resolution):
    resolution.recorded_vote.in_favour = 3
    resolution.recorded_vote.save()
    assert "differs" in client.get("/instruments/res-1/").content.decode()


def test_the_api_lists_votes_filtered_by_state_and_vote(api, resolution):
    results = api.get("/api/v1/votes/?vote=yes&state=DE").json()["results"]
    assert [(r["state"], r["instrument"], r["vote"]) for r in results] == [("DE", "res-1", "yes")]
    assert results[0]["source_url"] == "https://digitallibrary.un.org/record/1"


def test_the_api_gives_the_official_totals_and_the_counts(api, resolution):
    data = api.get("/api/v1/instruments/res-1/").json()
    assert data["recorded_vote"]["in_favour"] == 2 and data["vote_counts"] == {"yes": 2, "no": 1}


def test_an_unknown_vote_value_is_a_400_naming_it(api, resolution):
    response = api.get("/api/v1/votes/?vote=maybe")
    assert response.status_code == 400 and "vote" in response.json()["errors"]


def test_a_resolution_adopted_without_a_vote_says_so(client, cast):
    make_instrument(
        slug="res-2", kind="resolution", legal_force="voluntary", adopted_without_vote=True
    )
    assert "Adopted without a vote" in client.get("/instruments/res-2/").content.decode()
