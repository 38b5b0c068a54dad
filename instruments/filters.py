"""Declared filters for instruments, provisions, participations and states.

The same FilterSets serve the HTML lists and the API, so a link and an API call filter alike.
"""

import datetime

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field

from obligations.models import Topic

from .models import (
    Instrument,
    InstrumentKind,
    InstrumentStatus,
    LegalForce,
    Organization,
    Participation,
    ParticipationStatus,
    Provision,
    Scope,
    State,
)


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0); anything else is an error, where Django would quietly ignore it."""

    widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])
    values = {"": None, "true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        key = "" if value is None else str(value).lower()
        if key not in self.values:
            raise ValidationError("Give true or false.", code="invalid")
        return self.values[key]


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class IntegerFilter(filters.NumberFilter):
    """A whole number (a year, a level), where NumberFilter would take 2017.5 too."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The API schema says so, with the bounds.
        bounds = {"minimum": self.extra.get("min_value"), "maximum": self.extra.get("max_value")}
        schema = {"type": "integer", "description": self.label}
        extend_schema_field(schema | {k: v for k, v in bounds.items() if v is not None})(self)


def year_filter(label, **kwargs):
    return IntegerFilter(min_value=1900, max_value=2100, label=label, **kwargs)


class UpdatedSinceFilterSet(filters.FilterSet):
    updated_since = filters.IsoDateTimeFilter(
        method="filter_updated_since",
        label="Changed at or after this time (ISO 8601), for incremental sync.",
    )

    def filter_updated_since(self, queryset, name, value):
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
        try:
            value = value.astimezone(datetime.UTC)
        except OverflowError:  # before the year 1 in UTC: every record is newer
            return queryset
        return queryset.filter(updated_at__gte=value)


def topic_filter(label="Topic slug; records tagged with its sub-topics are included."):
    return filters.ModelChoiceFilter(
        queryset=Topic.objects.all(), to_field_name="slug", method="filter_topic", label=label
    )


def state_filter(label):
    return filters.ModelChoiceFilter(
        queryset=State.objects.all(), to_field_name="code", method="filter_state", label=label
    )


class InstrumentFilter(UpdatedSinceFilterSet):
    kind = filters.ChoiceFilter(choices=InstrumentKind.choices, label="Kind of instrument.")
    legal_force = filters.ChoiceFilter(choices=LegalForce.choices, label="Legal force.")
    scope = filters.ChoiceFilter(choices=Scope.choices, label="Scope.")
    status = filters.ChoiceFilter(choices=InstrumentStatus.choices, label="Status.")
    organization = filters.ModelChoiceFilter(
        queryset=Organization.objects.all(),
        to_field_name="slug",
        label="Organisation slug (coe, un-ga…).",
    )
    topic = topic_filter()
    region = filters.CharFilter(lookup_expr="iexact", label="Region of a regional instrument.")
    state = state_filter("ISO code of a state that participates (any status).")
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

    def filter_topic(self, queryset, name, value: Topic):
        return queryset.for_topic(value)

    def filter_state(self, queryset, name, value: State):
        return queryset.participated_by(value)

    def filter_year_from(self, queryset, name, value):
        return queryset.with_first_date().filter(sort_date__gte=datetime.date(value, 1, 1))

    def filter_year_to(self, queryset, name, value):
        return queryset.with_first_date().filter(sort_date__lte=datetime.date(value, 12, 31))


class ProvisionFilter(UpdatedSinceFilterSet):
    instrument = filters.ModelChoiceFilter(
        queryset=Instrument.objects.all(), to_field_name="slug", label="Instrument slug."
    )

    class Meta:
        model = Provision
        fields = []


class ParticipationFilter(UpdatedSinceFilterSet):
    state = filters.ModelChoiceFilter(
        queryset=State.objects.all(), to_field_name="code", label="State ISO code."
    )
    instrument = filters.ModelChoiceFilter(
        queryset=Instrument.objects.all(), to_field_name="slug", label="Instrument slug."
    )
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


class OrganizationFilter(UpdatedSinceFilterSet):
    class Meta:
        model = Organization
        fields = []
