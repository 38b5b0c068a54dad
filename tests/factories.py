"""Tiny factories: each builds one valid record, any field overridable by keyword."""

import itertools

from django.contrib.auth import get_user_model

from instruments.models import Instrument, Organization, Participation, Provision, State
from obligations.models import (
    Attribution,
    Incident,
    Norm,
    Obligation,
    ResponseAction,
    ResponseMeasure,
    Topic,
)

_numbers = itertools.count(1)


def unique(prefix):
    return f"{prefix}-{next(_numbers)}"


def make_organization(**kwargs):
    kwargs.setdefault("slug", unique("org"))
    kwargs.setdefault("name", "Council of Testing")
    return Organization.objects.create(**kwargs)


def make_state(**kwargs):
    kwargs.setdefault("code", "ZZ")
    kwargs.setdefault("name", "Testland")
    kwargs.setdefault("region", "Europe")
    return State.objects.create(**kwargs)


def make_topic(**kwargs):
    kwargs.setdefault("slug", unique("topic"))
    kwargs.setdefault("name", kwargs["slug"].replace("-", " ").title())
    return Topic.objects.create(**kwargs)


def make_instrument(**kwargs):
    kwargs.setdefault("slug", unique("instrument"))
    kwargs.setdefault("title", "Convention on Testing")
    kwargs.setdefault("kind", "treaty")
    kwargs.setdefault("legal_force", "binding")
    kwargs.setdefault("scope", "regional")
    kwargs.setdefault("status", "in_force")
    topics = kwargs.pop("topics", [])
    instrument = Instrument.objects.create(**kwargs)
    instrument.topics.set(topics)
    return instrument


def make_provision(**kwargs):
    if "instrument" not in kwargs:
        kwargs["instrument"] = make_instrument()
    kwargs.setdefault("label", unique("Art."))
    kwargs.setdefault("heading", "A heading")
    return Provision.objects.create(**kwargs)


def make_participation(**kwargs):
    kwargs.setdefault("status", "party")
    return Participation.objects.create(**kwargs)


def make_norm(**kwargs):
    kwargs.setdefault("slug", unique("norm"))
    kwargs.setdefault("title", "Do not damage critical infrastructure")
    kwargs.setdefault("statement", "States should not damage infrastructure serving the public.")
    topics = kwargs.pop("topics", [])
    norm = Norm.objects.create(**kwargs)
    norm.topics.set(topics)
    return norm


def make_obligation(**kwargs):
    instrument = kwargs.get("instrument") or make_instrument()
    kwargs["instrument"] = instrument
    if "provision" not in kwargs:
        kwargs["provision"] = make_provision(instrument=instrument)
    kwargs.setdefault("slug", unique("obligation"))
    kwargs.setdefault("duty_bearer", "state_parties")
    kwargs.setdefault("modality", "must")
    kwargs.setdefault("summary", "Preserve stored computer data quickly when another party asks.")
    norms = kwargs.pop("norms", [])
    topics = kwargs.pop("topics", [])
    obligation = Obligation.objects.create(**kwargs)
    obligation.norms.set(norms)
    obligation.topics.set(topics)
    return obligation


def make_measure(**kwargs):
    kwargs.setdefault("slug", unique("measure"))
    kwargs.setdefault("name", "Public attribution")
    kwargs.setdefault("category", "diplomatic")
    kwargs.setdefault("escalation_level", 2)
    kwargs.setdefault("description", "Naming the responsible state in public.")
    kwargs.setdefault("attribution_threshold", "confident")
    legal_basis = kwargs.pop("legal_basis", [])
    responds_to = kwargs.pop("responds_to", [])
    measure = ResponseMeasure.objects.create(**kwargs)
    measure.legal_basis.set(legal_basis)
    measure.responds_to.set(responds_to)
    return measure


def make_incident(**kwargs):
    kwargs.setdefault("slug", unique("incident"))
    kwargs.setdefault("name", "Operation Test")
    kwargs.setdefault("operation_type", "disruption")
    kwargs.setdefault("summary", "A disruptive operation against test infrastructure.")
    victims = kwargs.pop("victims", [])
    incident = Incident.objects.create(**kwargs)
    incident.victims.set(victims)
    return incident


def make_attribution(**kwargs):
    kwargs.setdefault("confidence", "confident")
    to_states = kwargs.pop("to_states", [])
    attribution = Attribution.objects.create(**kwargs)
    attribution.to_states.set(to_states)
    return attribution


def make_response(**kwargs):
    by_states = kwargs.pop("by_states", [])
    response = ResponseAction.objects.create(**kwargs)
    response.by_states.set(by_states)
    return response


def make_user(username, *, permissions=(), staff=False, groups=()):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(
        username=username, password="a-long-test-password-42", is_staff=staff
    )
    for codename in permissions:
        app_label, code = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=code)
        )
    for group in groups:
        user.groups.add(group)
    return user


def make_membership(**kwargs):
    from instruments.models import Membership

    return Membership.objects.create(**kwargs)


def make_question(**kwargs):
    from obligations.models import LegalQuestion

    kwargs.setdefault("slug", unique("question"))
    kwargs.setdefault("name", "Sovereignty as a rule")
    kwargs.setdefault("description", "Whether sovereignty is a rule of its own.")
    return LegalQuestion.objects.create(**kwargs)


def make_position(**kwargs):
    kwargs.setdefault("kind", "position")
    kwargs.setdefault("legal_force", "voluntary")
    kwargs.setdefault("scope", "national")
    kwargs.setdefault("status", "adopted")
    kwargs.setdefault("title", "International law in cyberspace: a national position")
    return make_instrument(**kwargs)


def make_stance(**kwargs):
    from obligations.models import Stance

    kwargs.setdefault("stance", "affirms")
    kwargs.setdefault("summary", "Sovereignty is a rule whose breach is wrongful.")
    return Stance.objects.create(**kwargs)


def make_recorded_vote(instrument, *, yes=(), no=(), abstain=(), absent=(), **kwargs):
    """A recorded vote whose official totals are the lists' lengths unless given."""
    from instruments.models import RecordedVote, Vote

    kwargs.setdefault("in_favour", len(yes))
    kwargs.setdefault("against", len(no))
    kwargs.setdefault("abstaining", len(abstain))
    kwargs.setdefault("source_url", "https://digitallibrary.un.org/record/1")
    record = RecordedVote.objects.create(instrument=instrument, **kwargs)
    for choice, states in (("yes", yes), ("no", no), ("abstain", abstain), ("absent", absent)):
        for state in states:
            Vote.objects.create(instrument=instrument, state=state, vote=choice)
    return record
