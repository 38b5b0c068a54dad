"""What every FilterSet shares, for the HTML lists and the API alike: strict booleans and
whole numbers, `updated_since` for sync, topic (sub-topics included) and state parameters,
and backends that refuse what they do not understand instead of ignoring it."""

import datetime

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter

from instruments.models import State
from obligations.models import Topic


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


def slug_filter(queryset, label, **kwargs):
    """A record named by its slug (`instrument=budapest-convention`); an unknown one is a 400."""
    return filters.ModelChoiceFilter(
        queryset=queryset, to_field_name="slug", label=label, empty_label="Any", **kwargs
    )


def state_code_filter(label="State ISO code.", **kwargs):
    """A state named by its ISO code (`state=DE`), matched on the field given, if any."""
    return filters.ModelChoiceFilter(
        queryset=State.objects.all(), to_field_name="code", label=label, empty_label="Any", **kwargs
    )


def topic_filter(label="Topic slug; records tagged with its sub-topics are included."):
    return slug_filter(Topic.objects.all(), label, method="filter_topic")


def state_filter(label):
    """A state, matched by the FilterSet's own `filter_state` (what binds it, who acted)."""
    return state_code_filter(label, method="filter_state")


# Query parameters every list understands besides its filters.
LIST_PARAMETERS = {"page", "page_size", "format", "ordering"}


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, plus a 400 for a parameter no filter knows: `legalforce=binding` is a
    typo that would otherwise return everything."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        unknown = sorted(set(request.query_params) - known - LIST_PARAMETERS)
        if unknown and getattr(view, "action", "list") == "list":
            raise exceptions.ValidationError(
                {
                    name: [
                        f"Unknown parameter. Known: {', '.join(sorted(known | LIST_PARAMETERS))}."
                    ]
                    for name in unknown
                }
            )
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """DRF's ordering, but an unknown field is a 400 naming it rather than silently ignored."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [term.strip() for term in params.split(",") if term.strip()]
            allowed = {
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            }
            unknown = [f for f in fields if f.lstrip("-") not in allowed]
            if unknown:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(unknown)}. "
                            f"Use one of: {', '.join(sorted(allowed))} (prefix - to reverse)."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)
