"""Every model has working admin pages for editors, and edits leave history."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    make_attribution,
    make_incident,
    make_instrument,
    make_measure,
    make_membership,
    make_position,
    make_provision,
    make_question,
    make_recorded_vote,
    make_response,
    make_stance,
)

MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in ("instruments", "obligations")
]


@pytest.fixture
def populated(cast):
    from instruments.models import InstrumentRelation, Organization
    from obligations.models import AllegedBreach

    incident = make_incident(victims=[cast.germany])
    measure = make_measure(responds_to=[cast.norm])
    make_attribution(incident=incident, by_state=cast.germany, date=datetime.date(2020, 1, 2))
    make_response(
        incident=incident, measure=measure, date=datetime.date(2020, 2, 1), by_states=[cast.germany]
    )
    AllegedBreach.objects.create(incident=incident, norm=cast.norm)
    InstrumentRelation.objects.create(
        from_instrument=cast.report, to_instrument=cast.treaty, kind="builds_on"
    )
    eu = Organization.objects.create(slug="coe", name="Council of Europe")
    make_membership(organization=eu, state=cast.germany, joined_on=datetime.date(1951, 7, 13))
    resolution = make_instrument(slug="res", kind="resolution", legal_force="voluntary")
    make_recorded_vote(resolution, yes=[cast.germany], no=[cast.kenya])
    position = make_position(slug="de-position", author_state=cast.germany)
    paragraph = make_provision(instrument=position, label="para. 1")
    make_stance(position=position, question=make_question(), provision=paragraph)
    return cast


def test_every_domain_model_is_registered():
    names = {model.__name__ for model in MODELS}
    assert names >= {
        "Organization",
        "Instrument",
        "Provision",
        "State",
        "Participation",
        "InstrumentRelation",
        "Topic",
        "Norm",
        "Obligation",
        "ResponseMeasure",
        "Incident",
        "Attribution",
        "AllegedBreach",
        "ResponseAction",
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_add_and_change_pages_load(admin_client, populated, model):
    meta = model._meta
    obj = model.objects.first()
    urls = [
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        reverse(f"admin:{meta.app_label}_{meta.model_name}_add"),
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
        reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk]),
    ]
    assert [admin_client.get(url).status_code for url in urls] == [200, 200, 200, 200]


def test_editing_a_record_in_the_admin_records_who_changed_what(admin_client, cast):
    url = reverse("admin:instruments_state_change", args=["DE"])
    response = admin_client.post(
        url,
        {
            "code": "DE",
            "name": "Federal Republic of Germany",
            "region": "Europe",
            "subregion": "Western Europe",
        },
    )
    assert response.status_code == 302
    latest = cast.germany.history.order_by("-history_date").first()
    assert (latest.name, latest.history_user.username, latest.prev_record.name) == (
        "Federal Republic of Germany",
        "admin",
        "Germany",
    )


def test_the_history_page_shows_the_change(admin_client, cast):
    admin_client.post(
        reverse("admin:instruments_state_change", args=["DE"]),
        {"code": "DE", "name": "Deutschland", "region": "Europe"},
    )
    page = admin_client.get(reverse("admin:instruments_state_history", args=["DE"]))
    assert "Deutschland" in page.content.decode()


def test_the_admin_rejects_entry_into_force_before_signature_with_a_message(admin_client, db):
    response = admin_client.post(
        reverse("admin:instruments_instrument_add"),
        {
            "slug": "backwards",
            "title": "Backwards Treaty",
            "kind": "treaty",
            "legal_force": "binding",
            "scope": "global",
            "status": "in_force",
            "opened_for_signature_on": "2001-11-23",
            "entered_into_force_on": "2000-01-01",
            **{
                f"{prefix}-{key}": value
                for prefix in ("provisions", "obligations", "participations", "relations_from")
                for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert "Entry into force cannot precede opening for signature." in response.content.decode()
