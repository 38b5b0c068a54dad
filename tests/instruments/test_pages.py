"""The pages of instruments, states and the comparison: content, filters and links."""

import datetime


def test_the_instrument_list_filters_by_legal_force(client, cast_with_incident):
    page = client.get("/instruments/?legal_force=binding").content.decode()
    assert "Convention on Testing Cybercrime" in page and "Group of Testing Experts" not in page


def test_the_instrument_list_filters_by_topic_with_descendants(client, cast_with_incident):
    page = client.get("/instruments/?topic=cybercrime").content.decode()
    assert "1 instrument " in page


def test_the_instrument_list_rejects_a_bad_filter_value_without_failing(client, cast_with_incident):
    response = client.get("/instruments/?kind=pact&year_from=abc")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_the_instrument_page_shows_facts_provisions_obligations_and_parties(
    client, cast_with_incident
):
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


def test_the_instrument_page_links_to_parties_norms_and_obligations(client, cast_with_incident):
    page = client.get("/instruments/test-convention/").content.decode()
    assert all(
        link in page
        for link in [
            'href="/states/DE/"',
            'href="/norms/protect-hospitals/"',
            'href="/obligations/test-convention-art-1/"',
        ]
    )


def test_the_instrument_json_ld_parses_and_names_the_instrument(client, cast_with_incident):
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


def test_participants_can_be_sorted_by_status(client, cast_with_incident):
    page = client.get("/instruments/test-convention/?sort=status").content.decode()
    assert page.index("Party</td>") < page.index("Signatory</td>")


def test_a_participation_note_links_the_page_it_names(client, cast_with_incident):
    from instruments.models import Participation

    Participation.objects.filter(instrument__slug="test-convention").update(
        note="Consent date as given in https://example.org/notice-66."
    )
    page = client.get("/instruments/test-convention/").content.decode()
    assert '<a href="https://example.org/notice-66" rel="nofollow">' in page


def test_relations_show_from_both_sides(client, cast_with_incident):
    from instruments.models import InstrumentRelation

    InstrumentRelation.objects.create(
        from_instrument=cast_with_incident.report,
        to_instrument=cast_with_incident.treaty,
        kind="builds_on",
    )
    assert "Built on by" in client.get("/instruments/test-convention/").content.decode()
    assert "Builds on" in client.get("/instruments/test-report/").content.decode()


def test_the_state_profile_lists_binding_instruments_and_obligations(client, cast_with_incident):
    page = client.get("/states/DE/").content.decode()
    assert "Convention on Testing Cybercrime" in page and "1 obligation " in page


def test_the_state_profile_shows_the_incident_record(client, cast_with_incident):
    victim = client.get("/states/DE/").content.decode()
    attributed = client.get("/states/KE/").content.decode()
    assert "Operation Hospital" in victim and "by Germany" in attributed


def test_a_lower_case_state_code_works(client, cast_with_incident):
    assert client.get("/states/de/").status_code == 200


def test_the_states_index_filters_by_region(client, cast_with_incident):
    page = client.get("/states/?region=Africa").content.decode()
    assert "Kenya" in page and "Germany" not in page


def test_compare_shows_which_instrument_covers_each_norm(client, cast_with_incident):
    page = client.get("/compare/?i=test-convention&i=test-report").content.decode()
    assert "T-1" in page and page.count("modality-") >= 2


def test_compare_with_an_unknown_instrument_says_so(client, cast_with_incident):
    response = client.get("/compare/?i=test-convention&i=nope")
    assert response.status_code == 404 and "Unknown instrument: nope" in response.content.decode()


def test_the_json_ld_carries_the_dates(client, cast_with_incident):
    import json
    import re

    from instruments.models import Instrument

    Instrument.objects.filter(pk=cast_with_incident.treaty.pk).update(
        adopted_on=datetime.date(2001, 11, 8), entered_into_force_on=datetime.date(2004, 7, 1)
    )
    page = client.get("/instruments/test-convention/").content.decode()
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert (data["legislationDate"], data["legislationDateVersion"]) == ("2001-11-08", "2004-07-01")
