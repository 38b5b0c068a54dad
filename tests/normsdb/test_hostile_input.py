"""Stored text is always escaped; odd query strings never cause a server error."""

import datetime

import pytest
from django.db import models

from instruments.models import (
    Instrument,
    InstrumentRelation,
    Organization,
    Participation,
    Provision,
    State,
)
from obligations.models import (
    AllegedBreach,
    Attribution,
    Incident,
    Norm,
    Obligation,
    ResponseAction,
    ResponseMeasure,
    Topic,
)
from tests.factories import make_attribution, make_incident, make_measure, make_response

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
MODELS = [
    Organization,
    State,
    Instrument,
    Provision,
    Participation,
    InstrumentRelation,
    Topic,
    Norm,
    Obligation,
    ResponseMeasure,
    Incident,
    Attribution,
    AllegedBreach,
    ResponseAction,
]
# Fields whose format the database or the page restricts (codes, slugs, choices, durations).
SKIP = {"slug", "code", "label", "deadline"}


def poison(obj):
    """Put the payload into every free-text field of a record."""
    for field in obj._meta.concrete_fields:
        if (
            isinstance(field, (models.CharField, models.TextField))
            and not field.choices
            and field.name not in SKIP
            and not isinstance(field, models.URLField)
        ):
            setattr(obj, field.name, (PAYLOAD + field.name)[: field.max_length or 10_000])
    if isinstance(obj, Incident):
        obj.aliases = [PAYLOAD]
    obj.save()


@pytest.fixture
def poisoned(cast):
    Organization.objects.create(slug="org", name="Org")
    cast.treaty.organization = Organization.objects.get()
    cast.treaty.save()
    incident = make_incident(
        slug="poisoned", started_on=datetime.date(2020, 1, 1), victims=[cast.germany]
    )
    measure = make_measure(slug="measure", legal_basis=[cast.article], responds_to=[cast.norm])
    make_attribution(
        incident=incident,
        by_state=cast.germany,
        date=datetime.date(2020, 2, 1),
        to_states=[cast.kenya],
    )
    make_response(
        incident=incident, measure=measure, date=datetime.date(2020, 3, 1), by_states=[cast.germany]
    )
    AllegedBreach.objects.create(incident=incident, norm=cast.norm)
    InstrumentRelation.objects.create(
        from_instrument=cast.report, to_instrument=cast.treaty, kind="builds_on"
    )
    for model in MODELS:
        for obj in model.objects.all():
            poison(obj)
    return cast


PAGES = [
    "/",
    "/instruments/",
    "/instruments/test-convention/",
    "/instruments/test-report/",
    "/norms/",
    "/norms/protect-hospitals/",
    "/obligations/",
    "/obligations/test-convention-art-1/",
    "/responses/",
    "/responses/measure/",
    "/topics/",
    "/topics/health/",
    "/states/",
    "/states/DE/",
    "/states/KE/",
    "/incidents/",
    "/incidents/poisoned/",
    "/matrix/",
    "/compare/?i=test-convention&i=test-report",
    "/search/?q=alert",
]


@pytest.mark.parametrize("url", PAGES)
def test_stored_markup_is_shown_escaped_never_executed(client, poisoned, url):
    page = client.get(url).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_the_payload_does_appear_escaped_on_the_detail_pages(client, poisoned):
    for url in [
        "/instruments/test-convention/",
        "/norms/protect-hospitals/",
        "/obligations/test-convention-art-1/",
        "/responses/measure/",
        "/incidents/poisoned/",
        "/states/DE/",
    ]:
        assert ESCAPED in client.get(url).content.decode(), url


def test_the_json_ld_block_cannot_be_closed_by_stored_text(client, poisoned):
    page = client.get("/instruments/test-convention/").content.decode()
    block = page.split('type="application/ld+json"', 1)[1].split("</script>", 1)[0]
    assert "<" not in block.split(">", 1)[1]


HOSTILE = [
    "/instruments/?page=99999999999999999999",
    "/instruments/?page=-1",
    "/instruments/?page=abc",
    "/instruments/?kind=' OR 1=1 --",
    "/instruments/?year_from=1e308&year_to=-5",
    "/instruments/?adopted_after=2020-13-45",
    "/instruments/?sort=;DROP TABLE x",
    "/instruments/?topic=%00",
    "/instruments/?organization=<script>",
    "/instruments/?unknown=1",
    "/obligations/?topic=../../etc/passwd",
    "/obligations/?has_deadline=maybe",
    "/obligations/?state=XX",
    "/obligations/?page=0",
    "/states/?region=%27%3B--",
    "/states/?page=1000000",
    "/incidents/?year=abcd",
    "/incidents/?victim=ZZ",
    "/topics/health/?page=99999",
    "/compare/?i=%27%3B--&i=x",
    "/compare/?i=a&i=b&i=c&i=d&i=e",
    "/matrix/?legal_force=%00",
    "/instruments/test-convention/?sort=%00",
    "/search/?q=%27%3B+DROP+TABLE+instruments_instrument%3B--",
    "/states/%00/",
    "/norms/%3Cscript%3E/",
    "/api/v1/instruments/?page=99999999999",
    "/api/v1/instruments/?kind=x",
    "/api/v1/states/zz/",
    "/api/v1/obligations/?page_size=-1",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_query_strings_never_cause_a_server_error(client, cast, url):
    assert client.get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize("url", ["/compare/?i=%00", "/compare/?i=%00&i=test-convention"])
def test_a_nul_byte_in_compare_is_an_unknown_instrument_not_a_500(client, cast, url):
    assert client.get(url).status_code == 404
