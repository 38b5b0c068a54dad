from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from instruments.models import Provision
from normsdb.api.viewsets import ReadOnlyResourceViewSet, ResourceViewSet

from .filters import (
    AttributionFilter,
    IncidentFilter,
    LegalQuestionFilter,
    NormFilter,
    ObligationFilter,
    ResponseActionFilter,
    ResponseMeasureFilter,
    StanceFilter,
    TopicFilter,
)
from .models import (
    INCIDENT_RECORD_KINDS,
    Attribution,
    Incident,
    LegalQuestion,
    Norm,
    Obligation,
    ResponseAction,
    ResponseMeasure,
    Stance,
    Topic,
)
from .serializers import (
    AttributionSerializer,
    IncidentListSerializer,
    IncidentSerializer,
    LegalQuestionSerializer,
    NormListSerializer,
    NormSerializer,
    ObligationListSerializer,
    ObligationSerializer,
    ResponseActionSerializer,
    ResponseMeasureSerializer,
    StanceSerializer,
    TopicSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List topics of the taxonomy"),
    retrieve=extend_schema(summary="One topic"),
)
class TopicViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "obligations.topic",
        }
    )
    queryset = Topic.objects.select_related("parent")
    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    lookup_field = "slug"
    ordering_fields = ["name", "slug", "updated_at"]
    ordering = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List norms of state behaviour"),
    retrieve=extend_schema(summary="One norm with the instruments that articulate it"),
)
class NormViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.provision",
            "obligations.norm",
            "obligations.obligation",
            "obligations.responsemeasure",
            "obligations.topic",
        }
    )
    serializer_class = NormSerializer
    list_serializer_class = NormListSerializer
    filterset_class = NormFilter
    lookup_field = "slug"
    ordering_fields = ["code", "title", "updated_at"]
    ordering = ["code", "title"]

    def get_queryset(self):
        queryset = Norm.objects.prefetch_related("topics")
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("obligations", Obligation.objects.select_related("instrument")),
                "response_measures",
            )
        return queryset


@extend_schema_view(
    list=extend_schema(
        summary="List obligations",
        description="Each obligation is one commitment of one instrument: duty "
        "bearer, modality, deadline. `state=DE` keeps those binding on Germany.",
    ),
    retrieve=extend_schema(summary="One obligation with its instrument, provision and norms"),
)
class ObligationViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.membership",
            "instruments.participation",
            "instruments.provision",
            "instruments.state",
            "obligations.norm",
            "obligations.obligation",
            "obligations.topic",
        }
    )
    serializer_class = ObligationSerializer
    list_serializer_class = ObligationListSerializer
    filterset_class = ObligationFilter
    lookup_field = "slug"
    ordering_fields = ["slug", "modality", "deadline", "updated_at"]
    ordering = ["slug"]

    def get_queryset(self):
        return Obligation.objects.select_related(
            "instrument", "provision__instrument"
        ).prefetch_related("norms", "topics")


@extend_schema_view(
    list=extend_schema(summary="List response measures (the escalation ladder)"),
    retrieve=extend_schema(summary="One response measure with its legal basis"),
)
class ResponseMeasureViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.provision",
            "obligations.norm",
            "obligations.responsemeasure",
        }
    )
    serializer_class = ResponseMeasureSerializer
    filterset_class = ResponseMeasureFilter
    lookup_field = "slug"
    ordering_fields = ["escalation_level", "name", "category", "updated_at"]
    ordering = ["escalation_level", "name"]

    def get_queryset(self):
        return ResponseMeasure.objects.prefetch_related(
            Prefetch("legal_basis", Provision.objects.select_related("instrument")),
            "responds_to",
        )


# Transgressions are edited in the admin; the API serves them read-only.
@extend_schema_view(
    list=extend_schema(summary="List incidents (operations said to break a norm)"),
    retrieve=extend_schema(summary="One incident with attributions, breaches and responses"),
)
class IncidentViewSet(ReadOnlyResourceViewSet):
    cache_kinds = INCIDENT_RECORD_KINDS
    serializer_class = IncidentSerializer
    list_serializer_class = IncidentListSerializer
    filterset_class = IncidentFilter
    lookup_field = "slug"
    ordering_fields = ["started_on", "disclosed_on", "name", "updated_at"]
    ordering = ["-started_on", "name"]

    def get_queryset(self):
        if self.action != "list":
            return Incident.objects.with_record()
        return Incident.objects.prefetch_related("victims", "sectors")


@extend_schema_view(
    list=extend_schema(
        summary="List attributions: who named whom for which incident, when, how confidently"
    ),
    retrieve=extend_schema(summary="One attribution"),
)
class AttributionViewSet(ReadOnlyResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.organization",
            "instruments.state",
            "obligations.attribution",
            "obligations.incident",
        }
    )
    serializer_class = AttributionSerializer
    filterset_class = AttributionFilter
    ordering_fields = ["date", "confidence", "updated_at"]
    ordering = ["date", "id"]

    def get_queryset(self):
        return Attribution.objects.select_related(
            "incident", "by_state", "by_organization"
        ).prefetch_related("to_states", "joint_with")


@extend_schema_view(
    list=extend_schema(summary="List response actions: what states actually did"),
    retrieve=extend_schema(summary="One response action"),
)
class ResponseActionViewSet(ReadOnlyResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.organization",
            "instruments.provision",
            "instruments.state",
            "obligations.incident",
            "obligations.responseaction",
            "obligations.responsemeasure",
        }
    )
    serializer_class = ResponseActionSerializer
    filterset_class = ResponseActionFilter
    ordering_fields = ["date", "updated_at"]
    ordering = ["date", "id"]

    def get_queryset(self):
        return ResponseAction.objects.select_related(
            "incident", "measure", "legal_basis__instrument"
        ).prefetch_related("by_states", "by_organizations")


@extend_schema_view(
    list=extend_schema(summary="List the legal questions national positions are compared on"),
    retrieve=extend_schema(summary="One legal question"),
)
class LegalQuestionViewSet(ReadOnlyResourceViewSet):
    queryset = LegalQuestion.objects.all()
    serializer_class = LegalQuestionSerializer
    filterset_class = LegalQuestionFilter
    lookup_field = "slug"
    ordering_fields = ["order", "name", "updated_at"]
    ordering = ["order", "name"]


@extend_schema_view(
    list=extend_schema(
        summary="List stances: what each national position says on each legal question",
        description="`state=FR&question=sovereignty-rule`: France's stance on sovereignty as a "
        "rule, with the paragraph that says it.",
    ),
    retrieve=extend_schema(summary="One stance"),
)
class StanceViewSet(ReadOnlyResourceViewSet):
    queryset = Stance.objects.select_related(
        "position__author_state",
        "position__author_organization",
        "question",
        "provision__instrument",
    )
    serializer_class = StanceSerializer
    filterset_class = StanceFilter
    ordering_fields = ["stance", "updated_at"]
    ordering = ["question__order", "position__slug"]
