"""The shipped dataset: it round-trips byte for byte, and it meets its coverage promises."""

import datetime
from collections import Counter

import pytest

from instruments.models import Instrument, LegalForce, Participation, Scope
from normsdb.dataset import dataset_import, export_bytes
from obligations.models import Incident, MeasureCategory, Norm, Obligation, ResponseMeasure, Topic
from tests.conftest import DATASET

pytestmark = pytest.mark.usefixtures("curated")

GGE_2015 = [f"GGE-2015-{letter}" for letter in "abcdefghijk"]


def test_import_then_export_gives_back_the_same_bytes(db):
    assert export_bytes() == DATASET.read_bytes()


def test_a_second_import_reports_everything_unchanged(db):
    report = dataset_import(source=DATASET)
    assert not any(report.created.values()) and not any(report.updated.values())


def test_coverage_numbers(db):
    counts = (
        Instrument.objects.count(),
        Obligation.objects.count(),
        ResponseMeasure.objects.count(),
        Topic.objects.count(),
        Participation.objects.values("state").distinct().count(),
    )
    assert counts[0] >= 40 and counts[1] >= 150 and counts[2] >= 20 and counts[3] >= 25, counts


def test_all_193_un_member_states_are_there(db):
    from instruments.models import State

    assert State.objects.count() == 193


def test_every_kind_legal_force_and_scope_is_covered(db):
    kinds = set(Instrument.objects.values_list("kind", flat=True))
    forces = set(Instrument.objects.values_list("legal_force", flat=True))
    scopes = set(Instrument.objects.values_list("scope", flat=True))
    assert kinds == set(Instrument.Kind.values)
    assert forces == set(LegalForce.values) and scopes == set(Scope.values)


@pytest.mark.parametrize(
    "slug",
    [
        "ungge-2013-report",
        "ungge-2015-report",
        "ungge-2021-report",
        "oewg-2021-final-report",
        "oewg-2025-final-report",
        "unga-res-70-237",
        "budapest-convention",
        "budapest-first-protocol",
        "budapest-second-protocol",
        "un-cybercrime-convention",
        "malabo-convention",
        "arab-ict-offences-convention",
        "sco-agreement-2009",
        "osce-pc-dec-1106",
        "paris-call",
        "tallinn-manual-2",
        "ilc-arsiwa",
        "un-charter",
        "eu-cyber-diplomacy-toolbox",
        "eu-council-decision-2019-797",
        "eu-council-regulation-2019-796",
        "nis2-directive",
        "asean-leaders-statement-2018",
    ],
)
def test_the_expected_instruments_are_there(db, slug):
    assert Instrument.objects.filter(slug=slug).exists()


def test_at_least_three_national_positions(db):
    assert Instrument.objects.filter(kind="position", scope="national").count() >= 3


def test_the_eleven_2015_gge_norms_are_traced_into_later_instruments(db):
    for code in GGE_2015:
        norm = Norm.objects.get(code=code)
        instruments = set(norm.articulating_instruments().values_list("slug", flat=True))
        assert "ungge-2015-report" in instruments and len(instruments) >= 2, (code, instruments)


def test_every_instrument_has_a_source_and_a_review_date(db):
    assert not Instrument.objects.filter(source_url="").exists()
    assert not Instrument.objects.filter(last_reviewed_on=None).exists()


def test_every_participation_row_has_a_source(db):
    assert not Participation.objects.filter(source_url="").exists()


def test_every_norm_has_an_obligation(db):
    assert not Norm.objects.filter(obligations=None).exists()


def test_every_obligation_is_tied_to_a_provision(db):
    assert not Obligation.objects.filter(provision=None).exists()


def test_every_response_measure_has_a_legal_basis_and_a_threshold(db):
    assert not ResponseMeasure.objects.filter(legal_basis=None).exists()
    assert not ResponseMeasure.objects.filter(attribution_threshold="").exists()


def test_response_measures_cover_every_category_and_level(db):
    assert set(ResponseMeasure.objects.values_list("category", flat=True)) == set(
        MeasureCategory.values
    )
    assert set(ResponseMeasure.objects.values_list("escalation_level", flat=True)) == set(
        range(1, 7)
    )


def test_topics_form_a_two_to_three_level_taxonomy(db):
    depths = Counter(len(topic.ancestors()) for topic in Topic.objects.select_related("parent"))
    assert depths[0] >= 5 and depths[1] >= 10 and max(depths) <= 2


def test_dates_are_consistent(db):
    today = datetime.date.today()
    for instrument in Instrument.objects.all():
        dates = [
            instrument.adopted_on,
            instrument.opened_for_signature_on,
            instrument.entered_into_force_on,
        ]
        assert all(d is None or d <= today for d in dates), instrument.slug
        if instrument.status == "in_force" and instrument.kind in ("treaty", "protocol"):
            assert (
                instrument.entered_into_force_on is None
                or instrument.entered_into_force_on <= today
            )
    for p in Participation.objects.exclude(signed_on=None).exclude(consented_on=None):
        assert p.signed_on <= p.consented_on, p


def test_deadlines_are_recorded_where_instruments_set_them(db):
    assert Obligation.objects.filter(instrument__slug="nis2-directive", deadline="PT24H").exists()
    assert (
        Obligation.objects.filter(instrument__slug="budapest-convention")
        .exclude(deadline="")
        .exists()
    )


def test_participation_is_recorded_for_the_cybercrime_treaties(db):
    treaties = [
        "budapest-convention",
        "budapest-second-protocol",
        "malabo-convention",
        "un-cybercrime-convention",
    ]
    counts = Counter(
        Participation.objects.filter(instrument__slug__in=treaties).values_list(
            "instrument__slug", flat=True
        )
    )
    assert all(counts[slug] >= 10 for slug in treaties), counts


def test_incidents_have_attributions_with_sources_and_responses_across_categories(db):
    from obligations.models import ResponseAction

    assert Incident.objects.count() >= 15
    for incident in Incident.objects.prefetch_related("attributions"):
        attributions = list(incident.attributions.all())
        assert attributions and all(a.source_url for a in attributions), incident.slug
    assert ResponseAction.objects.count() >= 25
    assert ResponseAction.objects.values("measure__category").distinct().count() >= 5
