"""The dashboard of /incidents/: four charts with data tables, for the filtered incidents."""

import datetime

import pytest

from tests.factories import make_attribution, make_incident, make_measure, make_response, make_state

D = datetime.date


@pytest.fixture
def record(cast):
    russia = make_state(code="RU", name="Russian Federation", region="Europe")
    measure = make_measure(
        slug="sanctions", name="Sanctions", category="economic", escalation_level=4
    )
    for year, kind in ((2017, "destruction"), (2017, "espionage"), (2020, "espionage")):
        incident = make_incident(
            started_on=D(year, 1, 1), disclosed_on=D(year, 2, 1), operation_type=kind
        )
        make_attribution(
            incident=incident, by_state=cast.germany, date=D(year, 3, 1), to_states=[russia]
        )
        make_response(
            incident=incident, measure=measure, date=D(year, 4, 1), by_states=[cast.germany]
        )
    return cast


def test_the_dashboard_draws_four_charts_with_their_tables(client, record):
    page = client.get("/incidents/").content.decode()
    for title in (
        "Incidents per year, by operation type",
        "States named as responsible",
        "Responses per year, by category",
        "Time from disclosure to the first attribution",
    ):
        assert title in page
    assert page.count('role="img"') == 4 and page.count("<summary>Data table</summary>") == 4


def test_the_charts_follow_the_filters(client, record):
    page = client.get("/incidents/?operation_type=destruction").content.decode()
    table = page.split('id="per-year-title"')[1].split("</table>")[0]
    assert "2017" in table and "2020" not in table


def test_the_delay_chart_buckets_days_from_disclosure_to_attribution(client, record):
    page = client.get("/incidents/").content.decode()
    delays = page.split('id="delays-title"')[1].split("</table>")[0]
    assert "Within a month" in delays  # 1 February to 3 March: 28 or 30 days


def test_the_csv_link_keeps_the_filters(client, record):
    page = client.get("/incidents/?operation_type=espionage").content.decode()
    assert "/api/v1/incidents/?operation_type=espionage&amp;format=csv&amp;page_size=all" in page


def test_an_attributed_state_page_lists_its_incidents(client, record):
    page = client.get("/states/RU/").content.decode()
    assert page.count("Operation Test") >= 3


def test_a_sector_topic_page_lists_its_incidents(client, record):
    from obligations.models import Incident

    for incident in Incident.objects.all():
        incident.sectors.set([record.health])
    assert "Operation Test" in client.get("/topics/health/").content.decode()


def test_the_dashboard_costs_the_same_queries_for_few_or_many_incidents(
    client, record, django_assert_max_num_queries
):
    for index in range(30):
        make_incident(started_on=D(2000 + index % 20, 1, 1))
    with django_assert_max_num_queries(20):
        client.get("/incidents/")
