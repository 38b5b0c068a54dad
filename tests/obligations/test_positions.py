"""National positions by legal question: the matrix, the question pages, the stances API."""

import datetime

import pytest

from tests.factories import make_position, make_provision, make_question, make_stance, make_state

D = datetime.date


@pytest.fixture
def stances(cast):
    france = make_state(code="FR", name="France", region="Europe")
    sovereignty = make_question(slug="sovereignty-rule", name="Sovereignty as a rule", order=1)
    countermeasures = make_question(
        slug="collective-countermeasures", name="Collective countermeasures", order=2
    )
    de_2021 = make_position(slug="de-2021", author_state=cast.germany, adopted_on=D(2021, 3, 5))
    fr_2019 = make_position(slug="fr-2019", author_state=france, adopted_on=D(2019, 9, 9))
    make_stance(
        position=de_2021,
        question=sovereignty,
        provision=make_provision(instrument=de_2021, label="para. 4"),
    )
    make_stance(
        position=fr_2019,
        question=sovereignty,
        stance="affirms",
        provision=make_provision(instrument=fr_2019, label="Section 1.1"),
        summary="Any unauthorised penetration of French systems breaches sovereignty.",
    )
    make_stance(position=fr_2019, question=countermeasures, stance="rejects")
    return type("Stances", (), {"france": france, "sovereignty": sovereignty, "cast": cast})


def test_the_matrix_has_a_row_per_state_and_a_column_per_question(client, stances):
    page = client.get("/positions/").content.decode()
    assert "France" in page and "Germany" in page
    assert "Sovereignty as a rule" in page and "Collective countermeasures" in page
    assert page.count("stance-affirms") >= 2 and "stance-rejects" in page


def test_every_cell_links_to_the_paragraph_that_says_it(client, stances):
    page = client.get("/positions/").content.decode()
    assert (
        "/instruments/fr-2019/#p-section-1-1" in page and "/instruments/de-2021/#p-para-4" in page
    )


def test_the_matrix_filters_by_region(client, stances):
    page = client.get("/positions/?region=Europe").content.decode()
    assert "France" in page and "Kenya" not in page


def test_an_unknown_region_is_a_400(client, stances):
    assert client.get("/positions/?region=Atlantis").status_code == 400


def test_a_later_position_replaces_an_earlier_one_in_the_matrix(client, stances):
    later = make_position(slug="fr-2025", author_state=stances.france, adopted_on=D(2025, 1, 1))
    make_stance(position=later, question=stances.sovereignty, stance="qualifies")
    page = client.get("/positions/").content.decode()
    row = page[page.index(">France<") :].split("</tr>")[0]
    assert "stance-qualifies" in row and "stance-affirms" not in row


def test_the_question_page_lists_what_each_state_said_in_date_order(client, stances):
    page = client.get("/positions/sovereignty-rule/").content.decode()
    assert page.index("France") < page.index("Germany")  # 2019 before 2021
    assert "unauthorised penetration" in page


def test_an_unknown_question_is_a_404(client, stances):
    assert client.get("/positions/no-such-question/").status_code == 404


def test_the_api_filters_stances_by_state_question_and_stance(api, stances):
    url = "/api/v1/stances/?state=FR&question=sovereignty-rule&stance=affirms"
    results = api.get(url).json()["results"]
    assert [(r["author"], r["question"], r["provision"]) for r in results] == [
        ("FR", "sovereignty-rule", {"instrument": "fr-2019", "provision": "Section 1.1"})
    ]


def test_the_position_page_shows_its_author_and_stances(client, stances):
    page = client.get("/instruments/fr-2019/").content.decode()
    assert "Whose view" in page and "France" in page and "Collective countermeasures" in page


def test_a_stance_paragraph_must_belong_to_its_position(stances):
    from django.core.exceptions import ValidationError

    from obligations.models import Stance

    other = make_provision(instrument=stances.cast.treaty, label="Art. 9")
    stance = Stance(
        position=make_position(slug="x"),
        question=stances.sovereignty,
        provision=other,
        stance="affirms",
        summary="x",
    )
    with pytest.raises(ValidationError):
        stance.full_clean()


def test_the_matrix_costs_the_same_queries_for_few_or_many_states(
    client, stances, django_assert_max_num_queries
):
    for index in range(20):
        state = make_state(code=f"Q{chr(65 + index)}", name=f"State {index}")
        make_stance(
            position=make_position(slug=f"p-{index}", author_state=state),
            question=stances.sovereignty,
        )
    with django_assert_max_num_queries(6):
        client.get("/positions/")
