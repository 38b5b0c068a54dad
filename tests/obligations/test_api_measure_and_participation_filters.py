"""The declared filters of response measures (the ladder) and participations."""

from tests.factories import make_measure


def slugs(response):
    return [record["slug"] for record in response.json()["results"]]


def test_it_filters_response_measures_by_category(api, cast_with_sanctions):
    response = api.get("/api/v1/response-measures/?category=economic")
    assert slugs(response) == ["targeted-sanctions"]


def test_it_filters_response_measures_by_escalation_level(api, cast_with_sanctions):
    response = api.get("/api/v1/response-measures/?escalation_level=2")
    assert slugs(response) == ["public-attribution"]


def test_it_filters_response_measures_by_an_escalation_level_range(api, cast_with_sanctions):
    make_measure(slug="self-defence", category="military", escalation_level=6)
    response = api.get("/api/v1/response-measures/?level_min=3&level_max=5")
    assert slugs(response) == ["targeted-sanctions"]


def test_an_escalation_level_outside_the_ladder_is_a_400(api, cast_with_sanctions):
    response = api.get("/api/v1/response-measures/?level_max=9")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["level_max"]


def test_it_filters_response_measures_by_the_norm_they_answer(api, cast_with_sanctions):
    response = api.get("/api/v1/response-measures/?norm=protect-hospitals")
    assert slugs(response) == ["public-attribution"]


def test_it_filters_response_measures_by_attribution_threshold(api, cast_with_sanctions):
    response = api.get("/api/v1/response-measures/?attribution_threshold=conclusive")
    assert slugs(response) == ["targeted-sanctions"]


def test_response_measures_come_in_ladder_order(api, cast_with_sanctions):
    response = api.get("/api/v1/response-measures/?ordering=-escalation_level")
    assert slugs(response) == ["targeted-sanctions", "public-attribution"]


def states(response):
    return [record["state"] for record in response.json()["results"]]


def test_it_filters_participations_by_state(api, cast_with_sanctions):
    assert states(api.get("/api/v1/participations/?state=KE")) == ["KE"]


def test_it_filters_participations_by_instrument(api, cast_with_sanctions):
    response = api.get("/api/v1/participations/?instrument=test-convention")
    assert states(response) == ["DE", "KE"]


def test_it_filters_participations_by_status(api, cast_with_sanctions):
    assert states(api.get("/api/v1/participations/?status=party")) == ["DE"]


def test_it_filters_participations_signed_in_a_date_range(api, cast_with_sanctions):
    response = api.get("/api/v1/participations/?signed_after=2001-01-01&signed_before=2001-12-31")
    assert states(response) == ["DE"]


def test_it_filters_participations_by_consent_date(api, cast_with_sanctions):
    response = api.get("/api/v1/participations/?consented_after=2009-01-01")
    assert states(response) == ["DE"]


def test_it_filters_participations_consented_before_a_date(api, cast_with_sanctions):
    assert states(api.get("/api/v1/participations/?consented_before=2000-01-01")) == []


def test_an_unknown_participation_status_is_a_400_naming_the_parameter(api, cast_with_sanctions):
    response = api.get("/api/v1/participations/?status=observer")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


def test_it_orders_participations_by_signature_date(api, cast_with_sanctions):
    response = api.get("/api/v1/participations/?ordering=-signed_on")
    assert states(response) == ["KE", "DE"]
