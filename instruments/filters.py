"""Declared filters for instruments, provisions, participations and states.

The same FilterSets serve the HTML lists and the API, so a link and an API call filter alike.
"""

import datetime

import django_filters as filters

from normsdb.api.filters import (
    BooleanFilter,
    UpdatedSinceFilterSet,
    slug_filter,
    state_code_filter,
    state_filter,
    topic_filter,
    year_filter,
)
from obligations.models import Topic

from .models import (
    Instrument,
    InstrumentKind,
    InstrumentStatus,
    LegalForce,
    Membership,
    Organization,
    Participation,
    ParticipationStatus,
    Provision,
    Scope,
    State,
    Vote,
    VoteChoice,
)


class InstrumentFilter(UpdatedSinceFilterSet):
    kind = filters.ChoiceFilter(choices=InstrumentKind.choices, label="Kind of instrument.")
    legal_force = filters.ChoiceFilter(choices=LegalForce.choices, label="Legal force.")
    scope = filters.ChoiceFilter(choices=Scope.choices, label="Scope.")
    status = filters.ChoiceFilter(choices=InstrumentStatus.choices, label="Status.")
    organization = slug_filter(Organization.objects.all(), "Organisation slug (coe, un-ga…).")
    topic = topic_filter()
    region = filters.CharFilter(lookup_expr="iexact", label="Region of a regional instrument.")
    state = state_filter("ISO code of a state that participates (any status).")
    in_force = BooleanFilter(
        method="filter_in_force",
        label="In force today (true) or not (false): status in force and, when known, the "
        "entry-into-force date reached.",
    )
    author = state_code_filter(
        "ISO code of the state whose national position it is.", field_name="author_state"
    )
    adopted_after = filters.DateFilter(
        field_name="adopted_on", lookup_expr="gte", label="Adopted on or after (YYYY-MM-DD)."
    )
    adopted_before = filters.DateFilter(
        field_name="adopted_on", lookup_expr="lte", label="Adopted on or before (YYYY-MM-DD)."
    )
    year_from = year_filter(
        "From year (adoption, else opening for signature).", method="filter_year_from"
    )
    year_to = year_filter(
        "To year (adoption, else opening for signature).", method="filter_year_to"
    )

    class Meta:
        model = Instrument
        fields = []

    # The filters the HTML form shows, with their short labels (the API documents all).
    short_labels = {
        "kind": "Kind",
        "legal_force": "Legal force",
        "scope": "Scope",
        "status": "Status",
        "in_force": "In force",
        "organization": "Organisation",
        "topic": "Topic",
        "region": "Region",
        "state": "State",
        "year_from": "From year",
        "year_to": "To year",
    }

    def filter_topic(self, queryset, name, value: Topic):
        return queryset.for_topic(value)

    def filter_state(self, queryset, name, value: State):
        return queryset.participated_by(value)

    def filter_in_force(self, queryset, name, value):
        return queryset.in_force() if value else queryset.not_in_force()

    def filter_year_from(self, queryset, name, value):
        return queryset.with_first_date().filter(sort_date__gte=datetime.date(value, 1, 1))

    def filter_year_to(self, queryset, name, value):
        return queryset.with_first_date().filter(sort_date__lte=datetime.date(value, 12, 31))


class ProvisionFilter(UpdatedSinceFilterSet):
    instrument = slug_filter(Instrument.objects.all(), "Instrument slug.")

    class Meta:
        model = Provision
        fields = []


class ParticipationFilter(UpdatedSinceFilterSet):
    state = state_code_filter("State ISO code.")
    organization = slug_filter(
        Organization.objects.all(), "Slug of a participating organisation (eu)."
    )
    instrument = slug_filter(Instrument.objects.all(), "Instrument slug.")
    status = filters.ChoiceFilter(choices=ParticipationStatus.choices, label="Status.")
    signed_after = filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", label="Signed on or after (YYYY-MM-DD)."
    )
    signed_before = filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", label="Signed on or before (YYYY-MM-DD)."
    )
    consented_after = filters.DateFilter(
        field_name="consented_on",
        lookup_expr="gte",
        label="Consented to be bound on or after (YYYY-MM-DD).",
    )
    consented_before = filters.DateFilter(
        field_name="consented_on",
        lookup_expr="lte",
        label="Consented to be bound on or before (YYYY-MM-DD).",
    )

    class Meta:
        model = Participation
        fields = []


class StateFilter(UpdatedSinceFilterSet):
    region = filters.CharFilter(lookup_expr="iexact", label="UN region (Africa, Europe…).")
    subregion = filters.CharFilter(lookup_expr="iexact", label="UN sub-region.")

    class Meta:
        model = State
        fields = []

    short_labels = {"region": "Region", "subregion": "Sub-region"}


class OrganizationFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Organization
        fields = []


class MembershipFilter(UpdatedSinceFilterSet):
    organization = slug_filter(Organization.objects.all(), "Organisation slug.")
    state = state_code_filter("State ISO code.")
    current = BooleanFilter(method="filter_current", label="Members today (true) or not.")

    class Meta:
        model = Membership
        fields = []

    def filter_current(self, queryset, name, value):
        current = Membership.objects.current()
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class VoteFilter(UpdatedSinceFilterSet):
    instrument = slug_filter(
        Instrument.objects.filter(kind=InstrumentKind.RESOLUTION), "Slug of the resolution."
    )
    state = state_code_filter("State ISO code.")
    vote = filters.ChoiceFilter(choices=VoteChoice.choices, label="How the state voted.")
    region = filters.CharFilter(
        field_name="state__region", lookup_expr="iexact", label="UN region of the state."
    )

    class Meta:
        model = Vote
        fields = []
