"""The declared instrument filters, one by one, with the URLs a client would type."""

import datetime

from django.utils import timezone

from instruments.models import Instrument


def slugs(response):
    return [record["slug"] for record in response.json()["results"]]


def test_it_filters_instruments_by_kind(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?kind=report")) == ["test-report"]


def test_it_filters_instruments_by_legal_force(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?legal_force=binding")) == ["test-convention"]


def test_it_filters_instruments_by_scope(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?scope=global")) == ["test-report"]


def test_it_filters_instruments_by_status(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?status=in_force")) == ["test-convention"]


def test_it_filters_instruments_by_organization(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?organization=coe")) == ["test-convention"]


def test_it_filters_instruments_by_topic(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?topic=cybercrime")) == ["test-convention"]


def test_the_instrument_topic_filter_includes_sub_topics(api, cast_with_sanctions):
    cast_with_sanctions.report.topics.add(cast_with_sanctions.hospitals)
    assert slugs(api.get("/api/v1/instruments/?topic=critical-infrastructure")) == ["test-report"]


def test_it_filters_instruments_by_region_in_any_case(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?region=europe")) == ["test-convention"]


def test_it_filters_instruments_by_a_participating_state(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?state=KE")) == ["test-convention"]


def test_it_filters_instruments_adopted_after_a_date(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?adopted_after=2010-01-01")) == ["test-report"]


def test_it_filters_instruments_adopted_before_a_date(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?adopted_before=2010-01-01")) == ["test-convention"]


def test_it_filters_instruments_changed_since_a_time_for_incremental_sync(api, cast_with_sanctions):
    long_ago = timezone.make_aware(datetime.datetime(2020, 1, 1))
    Instrument.objects.filter(slug="test-report").update(updated_at=long_ago)
    response = api.get("/api/v1/instruments/?updated_since=2024-01-01T00:00:00Z")
    assert slugs(response) == ["test-convention"]


def test_filters_combine(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/?legal_force=binding&state=DE&topic=cybercrime")
    assert slugs(response) == ["test-convention"]


def test_an_unknown_kind_is_a_400_naming_the_parameter(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/?kind=poem")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["kind"]


def test_an_unknown_topic_is_a_400_not_an_empty_list(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/?topic=no-such-topic")
    assert response.status_code == 400
    assert "topic" in response.json()["detail"]


def test_a_malformed_date_is_a_400_naming_the_parameter(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/?adopted_after=last-year")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["adopted_after"]


def test_it_orders_instruments_by_a_declared_field(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/?ordering=-adopted_on")) == [
        "test-report",
        "test-convention",
    ]


def test_instruments_are_ordered_by_title_by_default(api, cast_with_sanctions):
    assert slugs(api.get("/api/v1/instruments/")) == ["test-convention", "test-report"]


def test_updated_since_takes_any_iso_8601_offset(api, cast_with_sanctions):
    response = api.get("/api/v1/instruments/?updated_since=2000-01-01T00:00:00-20:40")
    assert response.status_code == 200
    assert response.json()["count"] == 2
