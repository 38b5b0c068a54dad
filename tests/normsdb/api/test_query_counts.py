"""List endpoints run the same few SQL queries whether a page holds one record or a
hundred: every join is named in the viewset, nothing is fetched per row."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    make_attribution,
    make_incident,
    make_instrument,
    make_measure,
    make_norm,
    make_obligation,
    make_organization,
    make_participation,
    make_provision,
    make_response,
    make_state,
    make_topic,
)

RECORDS = 105


@pytest.fixture(scope="module")
def hundreds(django_db_setup, django_db_blocker):
    """A hundred and more records of every type, each linked, built once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        organization = make_organization(slug="org")
        topic = make_topic(slug="topic")
        norm = make_norm(slug="norm", topics=[topic])
        day = datetime.date(2020, 1, 1)
        for number in range(RECORDS):
            code = chr(65 + number // 26) + chr(65 + number % 26)
            state = make_state(code=code, name=f"State {code}")
            instrument = make_instrument(
                slug=f"instrument-{number:03}", organization=organization, topics=[topic]
            )
            provision = make_provision(instrument=instrument, label="Art. 1")
            make_obligation(
                instrument=instrument, provision=provision, norms=[norm], topics=[topic]
            )
            make_participation(state=state, instrument=instrument)
            make_topic(parent=topic)
            make_norm(topics=[topic])
            make_organization()
            measure = make_measure(legal_basis=[provision], responds_to=[norm])
            incident = make_incident(victims=[state])
            make_attribution(incident=incident, by_state=state, date=day, to_states=[state])
            make_response(incident=incident, measure=measure, date=day, by_states=[state])
        yield
        transaction.set_rollback(True)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/instruments/",
        "/api/v1/provisions/",
        "/api/v1/norms/",
        "/api/v1/obligations/",
        "/api/v1/response-measures/",
        "/api/v1/topics/",
        "/api/v1/states/",
        "/api/v1/organizations/",
        "/api/v1/participations/",
        "/api/v1/incidents/",
        "/api/v1/attributions/",
        "/api/v1/response-actions/",
    ],
)
def test_a_list_runs_the_same_few_queries_for_one_record_or_a_hundred(api, db, hundreds, url):
    one = count_queries(api, f"{url}?page_size=1")
    hundred = count_queries(api, f"{url}?page_size=100")
    assert one == hundred
    assert hundred <= 7  # one of them counts the request against the rate limit


def test_a_filtered_obligation_list_stays_within_seven_queries(api, db, hundreds):
    url = "/api/v1/obligations/?page_size=100&topic=topic&norm=norm&legal_force=binding"
    assert count_queries(api, url) <= 7
