"""The declared obligation filters: the diplomat's questions as URLs."""

from obligations.models import Obligation
from tests.factories import make_obligation


def slugs(response):
    return [record["slug"] for record in response.json()["results"]]


def test_it_filters_obligations_by_instrument(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?instrument=test-report")
    assert slugs(response) == ["test-report-para-1"]


def test_it_filters_obligations_by_norm(api, cast_with_sanctions):
    make_obligation(slug="unrelated", instrument=cast_with_sanctions.treaty)
    response = api.get("/api/v1/obligations/?norm=protect-hospitals")
    assert slugs(response) == ["test-convention-art-1", "test-report-para-1"]


def test_it_filters_obligations_by_topic_including_descendants(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?topic=health")
    assert slugs(response) == ["test-convention-art-1", "test-report-para-1"]


def test_the_obligation_topic_filter_leaves_out_parent_topics(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/obligations/?topic=hospitals")) == ["test-convention-art-1"]


def test_it_filters_obligations_by_modality(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/obligations/?modality=should")) == ["test-report-para-1"]


def test_it_filters_obligations_by_duty_bearer(api, cast_with_sanctions):
    Obligation.objects.filter(slug="test-report-para-1").update(duty_bearer="states")
    assert slugs(api.get("/api/v1/obligations/?duty_bearer=states")) == ["test-report-para-1"]


def test_it_filters_obligations_by_the_legal_force_of_their_instrument(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?legal_force=binding")
    assert slugs(response) == ["test-convention-art-1"]


def test_it_keeps_obligations_with_a_deadline(api, cast_with_sanctions):
    Obligation.objects.filter(slug="test-convention-art-1").update(deadline="PT24H")
    response = api.get("/api/v1/obligations/?has_deadline=true")
    assert slugs(response) == ["test-convention-art-1"]


def test_it_keeps_obligations_without_a_deadline(api, cast_with_sanctions):
    Obligation.objects.filter(slug="test-convention-art-1").update(deadline="PT24H")
    response = api.get("/api/v1/obligations/?has_deadline=false")
    assert slugs(response) == ["test-report-para-1"]


def test_it_keeps_obligations_binding_on_a_party(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/obligations/?state=DE")) == ["test-convention-art-1"]


def test_a_signatory_is_bound_by_no_obligation(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/obligations/?state=KE")) == []


def test_an_unknown_modality_is_a_400_naming_the_parameter(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?modality=perhaps")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["modality"]


def test_an_unknown_state_is_a_400_naming_the_parameter(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?state=XX")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["state"]


def test_a_has_deadline_value_other_than_true_or_false_is_a_400(api, cast_with_sanctions):
    response = api.get("/api/v1/obligations/?has_deadline=maybe")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["has_deadline"]


def test_it_orders_obligations_by_modality(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/obligations/?ordering=-modality")) == [
        "test-report-para-1",
        "test-convention-art-1",
    ]
