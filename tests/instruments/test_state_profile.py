"""The state page in four parts (what binds it, what it endorsed, how it voted, what it says
the law is) and the comparison of two or three states."""

import datetime

import pytest

from tests.factories import (
    make_instrument,
    make_membership,
    make_organization,
    make_participation,
    make_position,
    make_provision,
    make_question,
    make_recorded_vote,
    make_stance,
)

D = datetime.date


@pytest.fixture
def standing(cast):
    """Germany: a party to the test treaty, an EU member bound by an EU act, a supporter of a
    declaration, a vote on a resolution, and a position with a stance on sovereignty."""
    eu = make_organization(slug="eu", name="European Union", acronym="EU")
    make_membership(organization=eu, state=cast.germany, joined_on=D(1958, 1, 1))
    cast.eu_act = make_instrument(
        slug="eu-act", title="Directive on Testing", kind="legislation", binds_members_of=eu
    )
    cast.declaration = make_instrument(
        slug="call", title="Call for Testing", kind="declaration", legal_force="politically_binding"
    )
    make_participation(
        state=cast.germany,
        instrument=cast.declaration,
        status="supporter",
        consented_on=D(2018, 11, 12),
    )
    cast.resolution = make_instrument(
        slug="res-1",
        title="Resolution on Testing",
        kind="resolution",
        legal_force="voluntary",
        symbol="A/RES/1/1",
        adopted_on=D(2018, 12, 5),
        status="adopted",
    )
    make_recorded_vote(cast.resolution, yes=[cast.germany], no=[cast.kenya])
    cast.position = make_position(
        slug="de-position", author_state=cast.germany, adopted_on=D(2021, 3, 5)
    )
    paragraph = make_provision(instrument=cast.position, label="para. 4", heading="Sovereignty")
    cast.question = make_question(slug="sovereignty-rule", name="Sovereignty as a rule")
    make_stance(position=cast.position, question=cast.question, provision=paragraph)
    return cast


def test_eu_law_binds_a_member_state_through_membership(standing):
    from instruments.models import Instrument

    assert standing.eu_act in Instrument.objects.binding_on(standing.germany)
    assert standing.eu_act not in Instrument.objects.binding_on(standing.kenya)


def test_eu_law_does_not_bind_a_state_that_left(standing):
    from instruments.models import Instrument, Membership

    Membership.objects.filter(state=standing.germany).update(left_on=D(2020, 1, 31))
    assert standing.eu_act not in Instrument.objects.binding_on(standing.germany)


def test_the_state_page_says_how_each_instrument_binds_it(client, standing):
    page = client.get("/states/DE/").content.decode()
    assert "Directive on Testing" in page and "EU member state" in page
    assert "Convention on Testing Cybercrime" in page and "Party" in page


def test_the_state_page_shows_what_it_endorsed_and_how_it_voted(client, standing):
    page = client.get("/states/DE/").content.decode()
    assert "Call for Testing" in page and "supporter" in page
    assert "A/RES/1/1" in page and 'class="vote vote-yes"' in page


def test_the_state_page_shows_its_position_and_stances(client, standing):
    page = client.get("/states/DE/").content.decode()
    assert "What it says the law is" in page
    assert "Sovereignty as a rule" in page and "stance-affirms" in page
    assert "/instruments/de-position/#p-para-4" in page


def test_two_states_compare_side_by_side_with_differences_marked(client, standing):
    response = client.get("/compare/states/?s=DE&s=KE")
    page = response.content.decode()
    assert response.status_code == 200
    for part in (
        "What binds them",
        "What they endorsed",
        "How they voted",
        "What they say the law is",
    ):
        assert part in page
    assert page.count('class="differs"') >= 3  # the treaty, the vote, the stance


def test_the_comparison_names_an_unknown_state_code(client, standing):
    response = client.get("/compare/states/?s=DE&s=XX")
    assert response.status_code == 400 and "XX" in response.content.decode()


def test_the_comparison_refuses_what_is_not_a_state_code(client, standing):
    response = client.get("/compare/states/?s=DE&s=%00")
    assert response.status_code == 400


def test_the_state_page_costs_the_same_queries_whatever_it_holds(
    client, standing, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        client.get("/states/DE/")
