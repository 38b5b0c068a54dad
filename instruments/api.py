from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from normsdb.api.viewsets import ReadOnlyResourceViewSet, ResourceViewSet
from normsdb.citations import schema_org

from .filters import (
    InstrumentFilter,
    MembershipFilter,
    OrganizationFilter,
    ParticipationFilter,
    ProvisionFilter,
    StateFilter,
    VoteFilter,
)
from .models import (
    Instrument,
    InstrumentRelation,
    Membership,
    Organization,
    Participation,
    Provision,
    State,
    Vote,
)
from .serializers import (
    InstrumentListSerializer,
    InstrumentSerializer,
    MembershipSerializer,
    OrganizationSerializer,
    ParticipationSerializer,
    ProvisionSerializer,
    StateSerializer,
    VoteSerializer,
)


class JSONLDRenderer(JSONRenderer):
    """schema.org `Legislation` for instruments (`?format=jsonld`); a list as an ItemList."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = renderer_context.get("response") if renderer_context else None
        if response is not None and response.status_code < 400 and isinstance(data, dict):
            if "results" in data:
                data = {
                    "@context": "https://schema.org",
                    "@type": "ItemList",
                    "numberOfItems": data["count"],
                    "itemListElement": [
                        {k: v for k, v in item.items() if k != "@context"}
                        for item in data["results"]
                    ],
                }
        return super().render(data, accepted_media_type, renderer_context)


class InstrumentJSONLDSerializer(serializers.BaseSerializer):
    def to_representation(self, instance):
        return schema_org(instance)


@extend_schema_view(
    list=extend_schema(
        summary="List instruments",
        description="Treaties, resolutions, reports, declarations and other "
        "instruments, filtered and paginated. `?format=csv` for a spreadsheet, "
        "`?format=jsonld` for schema.org Legislation.",
    ),
    retrieve=extend_schema(
        summary="One instrument with provisions, participation counts and relations"
    ),
    create=extend_schema(summary="Create an instrument (editors)"),
    update=extend_schema(summary="Replace an instrument (editors; If-Match required)"),
    partial_update=extend_schema(
        summary="Change fields of an instrument (editors; If-Match required)"
    ),
    destroy=extend_schema(summary="Delete an instrument (editors; If-Match required)"),
)
class InstrumentViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.recordedvote",
            "instruments.vote",
            "instruments.instrument",
            "instruments.instrumentrelation",
            "instruments.membership",
            "instruments.organization",
            "instruments.participation",
            "instruments.provision",
            "instruments.state",
            "obligations.topic",
        }
    )
    queryset = Instrument.objects.all()
    serializer_class = InstrumentSerializer
    list_serializer_class = InstrumentListSerializer
    filterset_class = InstrumentFilter
    lookup_field = "slug"
    ordering_fields = ["title", "adopted_on", "entered_into_force_on", "updated_at"]
    ordering = ["title"]

    def get_renderers(self):
        if self.action in ("list", "retrieve"):
            return [*super().get_renderers(), JSONLDRenderer()]
        return super().get_renderers()

    def get_serializer_class(self):
        if (
            getattr(self.request, "accepted_renderer", None)
            and self.request.accepted_renderer.format == "jsonld"
        ):
            return InstrumentJSONLDSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        queryset = Instrument.objects.select_related("organization").prefetch_related("topics")
        if self.action != "list":
            queryset = queryset.select_related(
                "author_organization", "binds_members_of", "recorded_vote"
            ).prefetch_related(
                Prefetch("provisions", Provision.objects.select_related("parent")),
                Prefetch("votes", Vote.objects.only("id", "vote", "instrument_id")),
                Prefetch(
                    "participations", Participation.objects.only("id", "status", "instrument_id")
                ),
                Prefetch(
                    "relations_from", InstrumentRelation.objects.select_related("to_instrument")
                ),
                Prefetch(
                    "relations_to", InstrumentRelation.objects.select_related("from_instrument")
                ),
            )
        return queryset


@extend_schema_view(
    list=extend_schema(summary="List provisions (articles, paragraphs, rules)"),
    retrieve=extend_schema(summary="One provision"),
)
class ProvisionViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.provision",
        }
    )
    queryset = Provision.objects.select_related("instrument")
    serializer_class = ProvisionSerializer
    filterset_class = ProvisionFilter
    ordering_fields = ["order", "label", "updated_at"]
    ordering = ["instrument__slug", "order", "label"]


@extend_schema_view(
    list=extend_schema(summary="List UN member states"),
    retrieve=extend_schema(summary="One state, by ISO 3166-1 alpha-2 code"),
)
class StateViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.state",
        }
    )
    queryset = State.objects.all()
    serializer_class = StateSerializer
    filterset_class = StateFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    ordering_fields = ["name", "code", "region", "updated_at"]
    ordering = ["name"]

    def get_object(self):
        # Codes are stored in upper case; /states/de/ is Germany too.
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()


@extend_schema_view(
    list=extend_schema(summary="List organisations behind instruments"),
    retrieve=extend_schema(summary="One organisation"),
)
class OrganizationViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.organization",
        }
    )
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    lookup_field = "slug"
    ordering_fields = ["name", "slug", "updated_at"]
    ordering = ["name"]


@extend_schema_view(
    list=extend_schema(
        summary="List participations (state or organisation × instrument: signatory, party, "
        "withdrawn, supporter) with dates"
    ),
    retrieve=extend_schema(summary="One participation"),
)
class ParticipationViewSet(ResourceViewSet):
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.organization",
            "instruments.participation",
            "instruments.state",
        }
    )
    queryset = Participation.objects.select_related("state", "organization", "instrument")
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilter
    ordering_fields = ["signed_on", "consented_on", "status", "updated_at"]
    ordering = ["instrument__slug", "state__name"]


@extend_schema_view(
    list=extend_schema(
        summary="List memberships of organisations (state × organisation, with dates)",
        description="EU law binds the member states through membership, not as parties: "
        "`current=true` keeps the members of today.",
    ),
    retrieve=extend_schema(summary="One membership"),
)
class MembershipViewSet(ReadOnlyResourceViewSet):
    queryset = Membership.objects.select_related("organization", "state")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["joined_on", "left_on", "updated_at"]
    ordering = ["organization__slug", "state__name"]


@extend_schema_view(
    list=extend_schema(
        summary="List General Assembly votes, state by state",
        description="One row per state and resolution adopted by recorded vote: yes, no, "
        "abstain or absent. The source is the resolution's voting record.",
    ),
    retrieve=extend_schema(summary="One state's vote on one resolution"),
)
class VoteViewSet(ReadOnlyResourceViewSet):
    queryset = Vote.objects.select_related("instrument__recorded_vote", "state")
    serializer_class = VoteSerializer
    filterset_class = VoteFilter
    ordering_fields = ["vote", "updated_at"]
    ordering = ["instrument__slug", "state__name"]
