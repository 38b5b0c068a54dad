"""The pages of norms, obligations, topics, the ladder, the matrix and incidents."""

import datetime


def test_the_norm_trail_lists_instruments_oldest_first_with_modality(client, cast_with_incident):
    from instruments.models import Instrument

    Instrument.objects.filter(pk=cast_with_incident.report.pk).update(
        adopted_on=datetime.date(2015, 7, 22)
    )
    Instrument.objects.filter(pk=cast_with_incident.treaty.pk).update(
        adopted_on=datetime.date(2024, 12, 24)
    )
    page = client.get("/norms/protect-hospitals/").content.decode()
    assert page.index("Group of Testing Experts") < page.index("Convention on Testing Cybercrime")
    assert "modality-should" in page and "modality-must" in page


def test_the_norm_page_shows_measures_and_incidents(client, cast_with_incident):
    page = client.get("/norms/protect-hospitals/").content.decode()
    assert 'href="/responses/public-attribution/"' in page and "Operation Hospital" in page


def test_the_obligation_page_gives_the_deadline_in_words(client, cast_with_incident):
    from obligations.models import Obligation

    Obligation.objects.filter(pk=cast_with_incident.binding.pk).update(
        deadline="PT24H", deadline_trigger="after becoming aware of a significant incident"
    )
    page = client.get("/obligations/test-convention-art-1/").content.decode()
    assert "Within 24 hours after becoming aware of a significant incident" in page


def test_the_obligation_list_browses_by_topic_with_counts(client, cast_with_incident):
    page = client.get("/obligations/?topic=critical-infrastructure").content.decode()
    assert "2 obligations" in page and "Hospitals</a> <span" in page


def test_the_ladder_places_each_measure_on_its_level(client, cast_with_incident):
    page = client.get("/responses/").content.decode()
    level_two = page.index('id="level-2"')
    assert level_two < page.index("Public attribution") < page.index('id="level-1"')


def test_the_topic_page_groups_obligations_by_legal_force(client, cast_with_incident):
    page = client.get("/topics/critical-infrastructure/").content.decode()
    assert page.index("<h3>Binding</h3>") < page.index("<h3>Voluntary</h3>")


def test_the_matrix_marks_cells_with_the_modality_and_links_them(client, cast_with_incident):
    page = client.get("/matrix/").content.decode()
    assert 'href="/obligations/test-convention-art-1/"' in page and "●" in page


def test_the_matrix_filters_by_legal_force(client, cast_with_incident):
    page = client.get("/matrix/?legal_force=voluntary").content.decode()
    assert "test-report-para-1" in page and "test-convention-art-1" not in page


def test_the_matrix_rejects_an_unknown_topic(client, cast_with_incident):
    assert client.get("/matrix/?topic=nope").status_code == 400


def test_the_incident_page_orders_its_timeline_and_checks_thresholds(client, cast_with_incident):
    page = client.get("/incidents/op-hospital/").content.decode()
    assert page.index("Operation begins") < page.index("Attribution") < page.index("Ladder level 2")
    assert "meets it" in page and "Responder" in page
