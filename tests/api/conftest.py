"""API clients and the records the cast lacks: an organisation, a relation, a response
measure, an incident with an attribution and a response."""

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from instruments.models import InstrumentRelation
from tests.factories import (
    make_attribution,
    make_incident,
    make_measure,
    make_organization,
    make_response,
)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(cast):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast.editor).key}")
    return client


@pytest.fixture
def reader_api(cast):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast.reader).key}")
    return client


@pytest.fixture
def world(cast):
    coe = make_organization(slug="coe", name="Council of Europe", acronym="CoE")
    cast.treaty.organization = coe
    cast.treaty.region = "Europe"
    cast.treaty.adopted_on = datetime.date(2001, 11, 8)
    cast.treaty.save()
    cast.report.adopted_on = datetime.date(2015, 7, 22)
    cast.report.save()
    cast.treaty.participations.filter(state=cast.germany).update(
        signed_on=datetime.date(2001, 11, 23), consented_on=datetime.date(2009, 3, 9)
    )
    cast.treaty.participations.filter(state=cast.kenya).update(signed_on=datetime.date(2020, 1, 10))
    InstrumentRelation.objects.create(
        from_instrument=cast.report, to_instrument=cast.treaty, kind="builds_on"
    )
    cast.coe = coe
    cast.admonition = make_measure(
        slug="public-attribution", responds_to=[cast.norm], legal_basis=[cast.paragraph]
    )
    cast.sanctions = make_measure(
        slug="targeted-sanctions",
        name="Targeted sanctions",
        category="economic",
        escalation_level=4,
        attribution_threshold="conclusive",
    )
    cast.incident = make_incident(
        slug="operation-test", started_on=datetime.date(2017, 6, 27), victims=[cast.kenya]
    )
    cast.attribution = make_attribution(
        incident=cast.incident, by_state=cast.germany, date=datetime.date(2018, 2, 15)
    )
    cast.response = make_response(
        incident=cast.incident,
        measure=cast.admonition,
        date=datetime.date(2018, 2, 15),
        by_states=[cast.germany],
    )
    return cast
