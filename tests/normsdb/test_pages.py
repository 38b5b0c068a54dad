"""Every page of the URL map answers, shows its content and links onwards."""

import datetime

import pytest

from tests.factories import (
    make_attribution,
    make_incident,
    make_measure,
    make_response,
)


@pytest.fixture
def world(cast):
    incident = make_incident(
        slug="op-hospital",
        name="Operation Hospital",
        started_on=datetime.date(2020, 3, 1),
        victims=[cast.germany],
    )
    measure = make_measure(
        slug="public-attribution",
        name="Public attribution",
        legal_basis=[cast.article],
        responds_to=[cast.norm],
    )
    make_attribution(
        incident=incident,
        by_state=cast.germany,
        date=datetime.date(2020, 4, 1),
        confidence="confident",
        to_states=[cast.kenya],
    )
    make_response(
        incident=incident, measure=measure, date=datetime.date(2020, 4, 2), by_states=[cast.germany]
    )
    from obligations.models import AllegedBreach

    AllegedBreach.objects.create(incident=incident, norm=cast.norm)
    return cast


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
def test_every_page_of_the_url_map_answers(client, world, url):
    assert client.get(url).status_code == 200


def test_an_unknown_instrument_is_a_styled_404(client, db):
    response = client.get("/instruments/no-such-thing/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_the_instrument_list_filters_by_legal_force(client, world):
    page = client.get("/instruments/?legal_force=binding").content.decode()
    assert "Convention on Testing Cybercrime" in page and "Group of Testing Experts" not in page


def test_the_instrument_list_filters_by_topic_with_descendants(client, world):
    page = client.get("/instruments/?topic=cybercrime").content.decode()
    assert "1 instrument " in page


def test_the_instrument_list_rejects_a_bad_filter_value_without_failing(client, world):
    response = client.get("/instruments/?kind=pact&year_from=abc")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_the_instrument_page_shows_facts_provisions_obligations_and_parties(client, world):
    page = client.get("/instruments/test-convention/").content.decode()
    for text in [
        "ETS No. 999",
        'id="p-art-1"',
        "Preserve stored computer data",
        "Germany",
        "Signatory",
        "BibTeX",
        "application/ld+json",
    ]:
        assert text in page, text


def test_the_instrument_page_links_to_parties_norms_and_obligations(client, world):
    page = client.get("/instruments/test-convention/").content.decode()
    assert all(
        link in page
        for link in [
            'href="/states/DE/"',
            'href="/norms/protect-hospitals/"',
            'href="/obligations/test-convention-art-1/"',
        ]
    )


def test_the_instrument_json_ld_parses_and_names_the_instrument(client, world):
    import json
    import re

    page = client.get("/instruments/test-convention/").content.decode()
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert (data["@type"], data["name"], data["identifier"]) == (
        "Legislation",
        "Convention on Testing Cybercrime",
        "ETS No. 999",
    )
    assert data["url"].endswith("/instruments/test-convention/")


def test_participants_can_be_sorted_by_status(client, world):
    page = client.get("/instruments/test-convention/?sort=status").content.decode()
    assert page.index("Party</td>") < page.index("Signatory</td>")


def test_relations_show_from_both_sides(client, world):
    from instruments.models import InstrumentRelation

    InstrumentRelation.objects.create(
        from_instrument=world.report, to_instrument=world.treaty, kind="builds_on"
    )
    assert "Built on by" in client.get("/instruments/test-convention/").content.decode()
    assert "Builds on" in client.get("/instruments/test-report/").content.decode()


def test_the_norm_trail_lists_instruments_oldest_first_with_modality(client, world):
    from instruments.models import Instrument

    Instrument.objects.filter(pk=world.report.pk).update(adopted_on=datetime.date(2015, 7, 22))
    Instrument.objects.filter(pk=world.treaty.pk).update(adopted_on=datetime.date(2024, 12, 24))
    page = client.get("/norms/protect-hospitals/").content.decode()
    assert page.index("Group of Testing Experts") < page.index("Convention on Testing Cybercrime")
    assert "modality-should" in page and "modality-must" in page


def test_the_norm_page_shows_measures_and_incidents(client, world):
    page = client.get("/norms/protect-hospitals/").content.decode()
    assert 'href="/responses/public-attribution/"' in page and "Operation Hospital" in page


def test_the_obligation_page_gives_the_deadline_in_words(client, world):
    from obligations.models import Obligation

    Obligation.objects.filter(pk=world.binding.pk).update(
        deadline="PT24H", deadline_trigger="after becoming aware of a significant incident"
    )
    page = client.get("/obligations/test-convention-art-1/").content.decode()
    assert "Within 24 hours after becoming aware of a significant incident" in page


def test_the_obligation_list_browses_by_topic_with_counts(client, world):
    page = client.get("/obligations/?topic=critical-infrastructure").content.decode()
    assert "2 obligations" in page and "Hospitals</a> <span" in page


def test_the_ladder_places_each_measure_on_its_level(client, world):
    page = client.get("/responses/").content.decode()
    level_two = page.index('id="level-2"')
    assert level_two < page.index("Public attribution") < page.index('id="level-1"')


def test_the_state_profile_lists_binding_instruments_and_obligations(client, world):
    page = client.get("/states/DE/").content.decode()
    assert "Convention on Testing Cybercrime" in page and "1 obligation " in page


def test_the_state_profile_shows_the_incident_record(client, world):
    victim = client.get("/states/DE/").content.decode()
    attributed = client.get("/states/KE/").content.decode()
    assert "Operation Hospital" in victim and "by Germany" in attributed


def test_a_lower_case_state_code_works(client, world):
    assert client.get("/states/de/").status_code == 200


def test_the_states_index_filters_by_region(client, world):
    page = client.get("/states/?region=Africa").content.decode()
    assert "Kenya" in page and "Germany" not in page


def test_the_topic_page_groups_obligations_by_legal_force(client, world):
    page = client.get("/topics/critical-infrastructure/").content.decode()
    assert page.index("<h3>Binding</h3>") < page.index("<h3>Voluntary</h3>")


def test_compare_shows_which_instrument_covers_each_norm(client, world):
    page = client.get("/compare/?i=test-convention&i=test-report").content.decode()
    assert "T-1" in page and page.count("modality-") >= 2


def test_compare_with_an_unknown_instrument_says_so(client, world):
    response = client.get("/compare/?i=test-convention&i=nope")
    assert response.status_code == 404 and "Unknown instrument: nope" in response.content.decode()


def test_the_matrix_marks_cells_with_the_modality_and_links_them(client, world):
    page = client.get("/matrix/").content.decode()
    assert 'href="/obligations/test-convention-art-1/"' in page and "●" in page


def test_the_matrix_filters_by_legal_force(client, world):
    page = client.get("/matrix/?legal_force=voluntary").content.decode()
    assert "test-report-para-1" in page and "test-convention-art-1" not in page


def test_the_matrix_rejects_an_unknown_topic(client, world):
    assert client.get("/matrix/?topic=nope").status_code == 400


def test_the_incident_page_orders_its_timeline_and_checks_thresholds(client, world):
    page = client.get("/incidents/op-hospital/").content.decode()
    assert page.index("Operation begins") < page.index("Attribution") < page.index("Ladder level 2")
    assert "threshold met" in page


def test_the_home_page_search_box_submits_to_search(client, world):
    assert 'action="/search/"' in client.get("/").content.decode()


def test_pages_have_landmarks_and_one_h1(client, world):
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
def test_staff_see_a_link_to_the_history_of_each_record(admin_client, client, world, url):
    assert "/history/" in admin_client.get(url).content.decode()
    assert "/history/" not in client.get(url).content.decode()


def test_the_json_ld_carries_the_dates(client, world):
    import json
    import re

    from instruments.models import Instrument

    Instrument.objects.filter(pk=world.treaty.pk).update(
        adopted_on=datetime.date(2001, 11, 8), entered_into_force_on=datetime.date(2004, 7, 1)
    )
    page = client.get("/instruments/test-convention/").content.decode()
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert (data["legislationDate"], data["legislationDateVersion"]) == ("2001-11-08", "2004-07-01")
