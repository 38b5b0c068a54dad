"""Incidents: the timeline and the proportionality view (attribution against threshold)."""

import datetime

import pytest

from obligations.models import Incident
from tests.factories import make_attribution, make_incident, make_measure, make_response

D = datetime.date


@pytest.fixture
def incident(cast):
    incident = make_incident(slug="op", started_on=D(2020, 1, 1), disclosed_on=D(2020, 2, 1))
    make_attribution(
        incident=incident, by_state=cast.germany, date=D(2020, 3, 1), confidence="suspected"
    )
    make_attribution(
        incident=incident, by_state=cast.kenya, date=D(2020, 5, 1), confidence="conclusive"
    )
    return incident


def check(incident, cast, *, date, threshold, by=None):
    measure = make_measure(attribution_threshold=threshold)
    make_response(incident=incident, measure=measure, date=date, by_states=[by or cast.germany])
    reloaded = Incident.objects.with_record().get(pk=incident.pk)
    return reloaded.threshold_checks()[0]


def test_a_response_before_a_confident_attribution_is_flagged(incident, cast):
    result = check(incident, cast, date=D(2020, 4, 1), threshold="confident")
    assert result.flagged and result.available.confidence == "suspected"


def test_a_response_is_checked_against_the_responders_own_attribution(incident, cast):
    # Germany only ever said "suspected"; Kenya's conclusive attribution is not Germany's.
    result = check(incident, cast, date=D(2020, 6, 1), threshold="confident")
    assert result.flagged and result.available.by_state == cast.germany


def test_the_strongest_public_attribution_is_checked_apart(incident, cast):
    result = check(incident, cast, date=D(2020, 6, 1), threshold="confident")
    assert result.met_publicly and result.strongest_public.by_state == cast.kenya


def test_a_response_after_the_responders_conclusive_attribution_is_not_flagged(incident, cast):
    result = check(incident, cast, date=D(2020, 6, 1), threshold="confident", by=cast.kenya)
    assert not result.flagged and result.available.confidence == "conclusive"


def test_an_attribution_the_responder_co_signed_counts_as_its_own(incident, cast):
    kenyan = incident.attributions.get(by_state=cast.kenya)
    kenyan.joint_with.add(cast.germany)
    assert not check(incident, cast, date=D(2020, 6, 1), threshold="conclusive").flagged


def test_an_attribution_on_the_same_day_counts(incident, cast):
    assert not check(
        incident, cast, date=D(2020, 5, 1), threshold="conclusive", by=cast.kenya
    ).flagged


def test_a_response_before_any_attribution_is_flagged(incident, cast):
    result = check(incident, cast, date=D(2020, 2, 15), threshold="suspected")
    assert result.flagged and result.available is None


def test_a_measure_that_needs_no_attribution_is_never_flagged(incident, cast):
    assert not check(incident, cast, date=D(2019, 1, 1), threshold="none").flagged


def test_the_timeline_is_in_date_order(incident, cast):
    make_response(
        incident=incident, measure=make_measure(), date=D(2020, 4, 1), by_states=[cast.germany]
    )
    kinds = [event.kind for event in Incident.objects.get(pk=incident.pk).timeline()]
    assert kinds == ["operation", "operation", "attribution", "response", "attribution"]


def test_attributed_to_names_each_state_once(incident, cast):
    incident.attributions.first().to_states.set([cast.kenya])
    incident.attributions.last().to_states.set([cast.kenya])
    assert Incident.objects.get(pk=incident.pk).attributed_to == ["Kenya"]


def test_the_incident_list_filters_by_attributed_state(client, incident, cast):
    incident.attributions.first().to_states.set([cast.kenya])
    make_incident(slug="other", name="Other operation")
    page = client.get("/incidents/?attributed_to=KE").content.decode()
    assert "1 incident." in page


def test_the_incident_list_filters_by_norm_and_year(client, incident, cast):
    from obligations.models import AllegedBreach

    AllegedBreach.objects.create(incident=incident, norm=cast.norm)
    assert (
        "1 incident." in client.get("/incidents/?norm=protect-hospitals&year=2020").content.decode()
    )
    assert "0 incidents." in client.get("/incidents/?year=2019").content.decode()


def test_the_measure_page_lists_the_times_it_was_used(client, incident, cast):
    measure = make_measure(slug="demarche", name="Démarche")
    make_response(incident=incident, measure=measure, date=D(2020, 6, 1), by_states=[cast.germany])
    assert 'href="/incidents/op/#response-' in client.get("/responses/demarche/").content.decode()


def test_the_page_marks_which_sources_are_official(client, incident, cast):
    incident.sources = ["https://www.ncsc.gov.uk/news/a", "https://www.reuters.com/b"]
    incident.save()
    incident.attributions.filter(by_state=cast.germany).update(
        source_url="https://www.auswaertiges-amt.de/en/newsroom/news/c"
    )
    incident.attributions.filter(by_state=cast.kenya).update(source_url="https://example.com/d")
    make_response(
        incident=incident, measure=make_measure(), date=D(2020, 6, 1), by_states=[cast.germany],
        source_url="https://www.justice.gov/opa/pr/e",
    )  # fmt: skip
    page = client.get(incident.get_absolute_url()).content.decode()
    assert page.count("statement (official)") == 1 and page.count(">statement<") == 1
    assert "source (official)" in page
    assert page.count('<span class="small muted">official</span>') == 1


@pytest.mark.usefixtures("curated")
def test_real_cases_show_both_outcomes_of_the_threshold_check(db):
    checks = [
        c
        for incident in Incident.objects.prefetch_related("attributions", "responses__measure")
        for c in incident.threshold_checks()
    ]
    assert any(c.flagged for c in checks) and any(not c.flagged for c in checks)
