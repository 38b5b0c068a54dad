"""Declared filters for norms, obligations, response measures, topics and incidents,
shared by the HTML lists and the API."""

import django_filters as filters

from instruments.models import Instrument, InstrumentKind, LegalForce, State
from normsdb.api.filters import (
    BooleanFilter,
    IntegerFilter,
    UpdatedSinceFilterSet,
    slug_filter,
    state_code_filter,
    state_filter,
    topic_filter,
    year_filter,
)

from .models import (
    Attribution,
    AttributionBasis,
    Confidence,
    DutyBearer,
    Incident,
    LegalQuestion,
    MeasureCategory,
    Modality,
    Norm,
    Obligation,
    OperationType,
    ResponseAction,
    ResponseMeasure,
    Stance,
    StanceChoice,
    Topic,
)


class TopicFilter(UpdatedSinceFilterSet):
    parent = slug_filter(Topic.objects.all(), "Parent topic slug.")
    root = BooleanFilter(field_name="parent", lookup_expr="isnull", label="Only top-level topics.")

    class Meta:
        model = Topic
        fields = []


class NormFilter(UpdatedSinceFilterSet):
    topic = topic_filter()
    instrument = slug_filter(
        Instrument.objects.all(),
        "Slug of an instrument that articulates the norm.",
        method="filter_instrument",
    )

    class Meta:
        model = Norm
        fields = []

    def filter_topic(self, queryset, name, value: Topic):
        return queryset.for_topic(value)

    def filter_instrument(self, queryset, name, value: Instrument):
        return queryset.filter(obligations__instrument=value).distinct()


class ObligationFilter(UpdatedSinceFilterSet):
    instrument = slug_filter(Instrument.objects.all(), "Instrument slug.")
    norm = slug_filter(Norm.objects.all(), "Norm slug.", field_name="norms")
    topic = topic_filter()
    modality = filters.ChoiceFilter(choices=Modality.choices, label="Modality.")
    duty_bearer = filters.ChoiceFilter(choices=DutyBearer.choices, label="Duty bearer.")
    legal_force = filters.ChoiceFilter(
        choices=LegalForce.choices,
        field_name="instrument__legal_force",
        label="Legal force of the instrument.",
    )
    kind = filters.ChoiceFilter(
        choices=InstrumentKind.choices,
        field_name="instrument__kind",
        label="Kind of the instrument.",
    )
    has_deadline = BooleanFilter(
        method="filter_has_deadline", label="Only obligations with (true) or without a deadline."
    )
    state = state_filter(
        "ISO code of a state: only obligations of binding instruments in force that bind it "
        "(as a party, or as a member of the organisation whose members they bind)."
    )
    in_force = BooleanFilter(
        method="filter_in_force",
        label="Obligations of instruments in force today (true) or not (false).",
    )

    class Meta:
        model = Obligation
        fields = []

    short_labels = {
        "instrument": "Instrument",
        "norm": "Norm",
        "topic": "Topic",
        "modality": "Modality",
        "duty_bearer": "Duty bearer",
        "legal_force": "Legal force",
        "kind": "Kind of instrument",
        "has_deadline": "Has a deadline",
        "state": "Binding on",
        "in_force": "In force",
    }

    def filter_in_force(self, queryset, name, value):
        return queryset.in_force() if value else queryset.not_in_force()

    def filter_topic(self, queryset, name, value: Topic):
        return queryset.for_topic(value)

    def filter_has_deadline(self, queryset, name, value):
        return queryset.with_deadline() if value else queryset.filter(deadline="")

    def filter_state(self, queryset, name, value: State):
        return queryset.binding_on(value)


class ResponseMeasureFilter(UpdatedSinceFilterSet):
    category = filters.ChoiceFilter(choices=MeasureCategory.choices, label="Category.")
    escalation_level = IntegerFilter(min_value=1, max_value=6, label="Escalation level (1–6).")
    level_min = IntegerFilter(
        field_name="escalation_level",
        lookup_expr="gte",
        min_value=1,
        max_value=6,
        label="Lowest escalation level (1–6).",
    )
    level_max = IntegerFilter(
        field_name="escalation_level",
        lookup_expr="lte",
        min_value=1,
        max_value=6,
        label="Highest escalation level (1–6).",
    )
    norm = slug_filter(
        Norm.objects.all(),
        "Slug of a norm whose breach the measure answers.",
        field_name="responds_to",
    )
    attribution_threshold = filters.ChoiceFilter(
        choices=Confidence.choices, label="Attribution confidence the measure requires."
    )

    class Meta:
        model = ResponseMeasure
        fields = []


class IncidentFilter(UpdatedSinceFilterSet):
    year = year_filter("Year the operation started.", field_name="started_on", lookup_expr="year")
    operation_type = filters.ChoiceFilter(choices=OperationType.choices, label="Operation type.")
    attributed_to = state_filter("ISO code of a state the incident was attributed to.")
    attributed_by = state_filter("ISO code of a state that attributed the incident.")
    victim = state_code_filter("ISO code of a victim.", field_name="victims")
    responder = state_filter("ISO code of a state that took a response.")
    sector = topic_filter("Topic slug of an affected sector (sub-topics included).")
    norm = slug_filter(
        Norm.objects.all(),
        "Slug of a norm the incident is alleged to breach.",
        method="filter_norm",
    )
    measure = slug_filter(
        ResponseMeasure.objects.all(), "Slug of a response measure taken.", method="filter_measure"
    )
    confidence = filters.ChoiceFilter(
        choices=Confidence.choices,
        field_name="attributions__confidence",
        distinct=True,
        label="Confidence of an attribution.",
    )

    class Meta:
        model = Incident
        fields = []

    short_labels = {
        "year": "Year",
        "operation_type": "Operation type",
        "attributed_to": "Attributed to",
        "attributed_by": "Attributed by",
        "victim": "Victim",
        "responder": "Responder",
        "sector": "Sector",
        "norm": "Norm breached",
        "measure": "Measure taken",
        "confidence": "Confidence",
    }

    def filter_state(self, queryset, name, value: State):
        lookup = {
            "attributed_to": "attributions__to_states",
            "attributed_by": "attributions__by_state",
            "responder": "responses__by_states",
        }[name]
        return queryset.filter(**{lookup: value}).distinct()

    def filter_topic(self, queryset, name, value: Topic):
        return queryset.filter(sectors__in=Topic.objects.subtree(value)).distinct()

    def filter_norm(self, queryset, name, value: Norm):
        return queryset.filter(breaches__norm=value).distinct()

    def filter_measure(self, queryset, name, value: ResponseMeasure):
        return queryset.filter(responses__measure=value).distinct()


class AttributionFilter(UpdatedSinceFilterSet):
    incident = slug_filter(Incident.objects.all(), "Incident slug.")
    year = year_filter("Year of the statement.", field_name="date", lookup_expr="year")
    by = state_filter("ISO code of the attributing state.")
    to = state_filter("ISO code of the state named as responsible.")
    confidence = filters.ChoiceFilter(choices=Confidence.choices, label="Confidence.")
    basis = filters.ChoiceFilter(choices=AttributionBasis.choices, label="Basis.")

    class Meta:
        model = Attribution
        fields = []

    def filter_state(self, queryset, name, value: State):
        lookup = {"by": "by_state", "to": "to_states"}[name]
        return queryset.filter(**{lookup: value}).distinct()


class ResponseActionFilter(UpdatedSinceFilterSet):
    incident = slug_filter(Incident.objects.all(), "Incident slug.")
    year = year_filter("Year of the action.", field_name="date", lookup_expr="year")
    by = state_filter("ISO code of a responding state.")
    measure = slug_filter(ResponseMeasure.objects.all(), "Measure slug.")
    category = filters.ChoiceFilter(
        choices=MeasureCategory.choices, field_name="measure__category", label="Measure category."
    )
    norm = slug_filter(
        Norm.objects.all(),
        "Slug of a norm the incident is alleged to breach.",
        field_name="incident__breaches__norm",
        distinct=True,
    )

    class Meta:
        model = ResponseAction
        fields = []

    def filter_state(self, queryset, name, value: State):
        return queryset.filter(by_states=value).distinct()


class LegalQuestionFilter(UpdatedSinceFilterSet):
    class Meta:
        model = LegalQuestion
        fields = []


class StanceFilter(UpdatedSinceFilterSet):
    question = slug_filter(LegalQuestion.objects.all(), "Legal question slug.")
    state = state_code_filter(
        "ISO code of the state whose position it is.", field_name="position__author_state"
    )
    stance = filters.ChoiceFilter(choices=StanceChoice.choices, label="The stance taken.")
    position = slug_filter(
        Instrument.objects.filter(kind=InstrumentKind.POSITION), "Slug of the position."
    )
    region = filters.CharFilter(
        field_name="position__author_state__region",
        lookup_expr="iexact",
        label="UN region of the state.",
    )

    class Meta:
        model = Stance
        fields = []
