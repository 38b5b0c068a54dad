"""Enumerations and rules of the obligations app, enforced by PostgreSQL."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from obligations.models import Attribution, Incident, Obligation, ResponseMeasure, Topic
from tests.factories import (
    make_attribution,
    make_incident,
    make_measure,
    make_obligation,
    make_state,
    make_topic,
)


def update_rejected(model, pk, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


@pytest.mark.parametrize(
    "values",
    [{"duty_bearer": "everyone"}, {"modality": "shall"}, {"deadline": "24 hours"}],
)
def test_the_database_rejects_bad_obligation_values(db, values):
    update_rejected(Obligation, make_obligation().pk, **values)


def test_an_iso_8601_deadline_is_accepted(db):
    obligation = make_obligation(deadline="PT24H")
    obligation.refresh_from_db()
    assert obligation.deadline == "PT24H"


@pytest.mark.parametrize(
    "values",
    [
        {"category": "kinetic"},
        {"escalation_level": 0},
        {"escalation_level": 7},
        {"attribution_threshold": "certain"},
    ],
)
def test_the_database_rejects_bad_response_measure_values(db, values):
    update_rejected(ResponseMeasure, make_measure().pk, **values)


def test_the_database_rejects_an_unknown_operation_type(db):
    update_rejected(Incident, make_incident().pk, operation_type="sabotage")


def test_an_incident_cannot_end_before_it_starts(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_incident(started_on=datetime.date(2020, 5, 1), ended_on=datetime.date(2020, 1, 1))


@pytest.mark.parametrize("values", [{"confidence": "probable"}, {"basis": "hunch"}])
def test_the_database_rejects_bad_attribution_values(db, values):
    attribution = make_attribution(
        incident=make_incident(), by_state=make_state(), date=datetime.date(2020, 1, 1)
    )
    update_rejected(Attribution, attribution.pk, **values)


def test_an_attribution_needs_exactly_one_attributor(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attribution.objects.create(
            incident=make_incident(), date=datetime.date(2020, 1, 1), confidence="confident"
        )


def test_a_topic_cannot_be_its_own_parent(db):
    topic = make_topic()
    update_rejected(Topic, topic.pk, parent=topic.pk)
