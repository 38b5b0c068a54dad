"""No page runs more than 20 SQL queries, and lists of 1 and of 50 records cost the same
(the state profile and the incidents dashboard are the heaviest: four parts, four charts)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    make_attribution,
    make_incident,
    make_instrument,
    make_measure,
    make_obligation,
    make_participation,
    make_provision,
    make_response,
    make_state,
)

MAX_QUERIES = 20


def grow(cast, n, start=0):
    """Give every list on every page n more rows."""
    states = [
        make_state(code=f"{chr(80 + i // 26)}{chr(65 + i % 26)}", name=f"State {i}")
        for i in range(start, start + n)
    ]
    for index in range(start, start + n):
        instrument = make_instrument(
            topics=[cast.cybercrime], adopted_on=datetime.date(2000 + index % 20, 1, 1)
        )
        provision = make_provision(
            instrument=cast.treaty, label=f"Art. {100 + index}", order=100 + index
        )
        make_obligation(
            instrument=cast.treaty, provision=provision, norms=[cast.norm], topics=[cast.hospitals]
        )
        make_participation(state=states[index - start], instrument=instrument)
        make_participation(state=states[index - start], instrument=cast.treaty)
        measure = make_measure(
            legal_basis=[provision], responds_to=[cast.norm], escalation_level=1 + index % 6
        )
        incident = make_incident(victims=[cast.germany], started_on=datetime.date(2020, 1, 1))
        make_attribution(
            incident=incident,
            by_state=cast.germany,
            date=datetime.date(2020, 2, 1),
            to_states=[cast.kenya],
        )
        make_response(
            incident=incident,
            measure=measure,
            date=datetime.date(2020, 3, 1),
            by_states=[cast.germany],
        )
    return cast


PAGES = [
    "/",
    "/instruments/",
    "/instruments/test-convention/",
    "/norms/",
    "/norms/protect-hospitals/",
    "/obligations/",
    "/obligations/?topic=critical-infrastructure",
    "/responses/",
    "/topics/health/",
    "/states/",
    "/states/DE/",
    "/incidents/",
    "/matrix/",
    "/compare/?i=test-convention&i=test-report",
]  # search has its own query-count tests (tests/normsdb/test_search_queries.py)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", PAGES)
def test_a_page_runs_the_same_queries_for_one_and_fifty_rows(client, cast, url):
    grow(cast, 1)
    small = count_queries(client, url)
    grow(cast, 49, start=1)
    large = count_queries(client, url)
    assert (small, large) == (small, small) and small <= MAX_QUERIES, (url, small, large)


def test_an_incident_page_is_flat_too(client, cast):
    incident = make_incident(slug="many", started_on=datetime.date(2020, 1, 1))
    measure = make_measure()
    make_attribution(incident=incident, by_state=cast.germany, date=datetime.date(2020, 2, 1))
    make_response(
        incident=incident, measure=measure, date=datetime.date(2020, 3, 1), by_states=[cast.germany]
    )
    small = count_queries(client, "/incidents/many/")
    for day in range(2, 30):
        make_attribution(
            incident=incident,
            by_state=cast.kenya,
            date=datetime.date(2020, 2, day),
            to_states=[cast.germany],
        )
        make_response(
            incident=incident,
            measure=measure,
            date=datetime.date(2020, 3, day),
            by_states=[cast.kenya],
        )
    assert count_queries(client, "/incidents/many/") == small <= MAX_QUERIES
