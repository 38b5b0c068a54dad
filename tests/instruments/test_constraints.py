"""Enumerations and rules are enforced by PostgreSQL itself, not only by forms."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from instruments.models import Instrument, InstrumentRelation, Participation, Provision, State
from tests.factories import make_instrument, make_participation, make_provision, make_state


def rejected_by_database(sql, params):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("field", ["kind", "legal_force", "scope", "status"])
def test_the_database_rejects_an_unknown_instrument_enumeration_value(db, field):
    instrument = make_instrument()
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=instrument.pk).update(**{field: "bogus"})


def test_the_database_rejects_an_unknown_participation_status(db):
    participation = make_participation(state=make_state(), instrument=make_instrument())
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.filter(pk=participation.pk).update(status="observer")


def test_the_database_rejects_an_unknown_relation_kind(db):
    relation = InstrumentRelation.objects.create(
        from_instrument=make_instrument(), to_instrument=make_instrument(), kind="supplements"
    )
    rejected_by_database(
        "UPDATE instruments_instrumentrelation SET kind = 'replaces' WHERE id = %s", [relation.pk]
    )


def test_a_state_code_must_be_two_capital_letters(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        State.objects.create(code="de", name="Germany")


def test_provision_labels_are_unique_within_an_instrument(db):
    provision = make_provision(label="Art. 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Provision.objects.create(instrument=provision.instrument, label="Art. 1")


def test_the_same_label_may_appear_in_two_instruments(db):
    make_provision(label="Art. 1")
    assert make_provision(label="Art. 1").pk


def test_a_state_participates_in_an_instrument_only_once(db):
    state, instrument = make_state(), make_instrument()
    make_participation(state=state, instrument=instrument)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_participation(state=state, instrument=instrument, status="signatory")


def test_entry_into_force_cannot_precede_opening_for_signature(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_instrument(
            opened_for_signature_on=datetime.date(2001, 11, 23),
            entered_into_force_on=datetime.date(2000, 1, 1),
        )


def test_consent_cannot_precede_signature(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_participation(
            state=make_state(),
            instrument=make_instrument(),
            signed_on=datetime.date(2010, 5, 1),
            consented_on=datetime.date(2009, 1, 1),
        )


def test_an_instrument_cannot_relate_to_itself(db):
    instrument = make_instrument()
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentRelation.objects.create(
            from_instrument=instrument, to_instrument=instrument, kind="amends"
        )


def test_slugs_are_unique(db):
    make_instrument(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_instrument(slug="same")
