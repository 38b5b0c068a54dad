"""The OpenAPI description of /api/v1/search/ and /api/v1/resolve/."""

from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from instruments.models import InstrumentKind, LegalForce
from normsdb.api.schema import ErrorSerializer
from obligations.models import DutyBearer, Modality

from .documents import TYPES
from .filters import SORTS

FACET = inline_serializer(
    "Facet",
    {
        "value": serializers.CharField(),
        "label": serializers.CharField(),
        "count": serializers.IntegerField(),
    },
    many=True,
)
FACETS = ["type", "legal_force", "kind", "modality", "duty_bearer", "topic"]


def choice_parameter(name, choices, description):
    return OpenApiParameter(
        name,
        str,
        enum=[value for value, _ in choices],
        description=f"{description}\n\n{build_choice_description_list(choices)}",
    )


def search_schema(hit_serializer):
    return extend_schema(
        summary="Search every record",
        description=(
            'Words as typed into a search engine: `"critical infrastructure" -espionage`, '
            "`health or hospitals`. Every match is ranked and counted; `facets` give exact "
            "counts for the current query. A citation (`ETS No. 185, Art. 29`) puts its "
            "record first. A word no record holds is replaced by a close known spelling "
            "(`searched_instead`). An unknown parameter or filter value is a 400 naming it."
        ),
        parameters=[
            OpenApiParameter("q", str, description="The words to find."),
            choice_parameter("type", list(TYPES.items()), "Record type."),
            OpenApiParameter("topic", str, description="Topic slug (sub-topics included)."),
            choice_parameter("legal_force", LegalForce.choices, "Legal force of the instrument."),
            choice_parameter("kind", InstrumentKind.choices, "Kind of instrument."),
            OpenApiParameter(
                "state", str, description="ISO code: records of instruments binding that state."
            ),
            choice_parameter("modality", Modality.choices, "Obligations with this modality."),
            choice_parameter("duty_bearer", DutyBearer.choices, "Obligations of this bearer."),
            choice_parameter("sort", list(SORTS.items()), "Order of the results."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number (from 1)."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (1–50)."),
        ],
        responses={
            200: inline_serializer(
                "SearchResults",
                {
                    "count": serializers.IntegerField(help_text="Every matching record."),
                    "next": serializers.CharField(allow_null=True),
                    "previous": serializers.CharField(allow_null=True),
                    "results": hit_serializer(many=True),
                    "facets": inline_serializer("Facets", {name: FACET for name in FACETS}),
                    "searched_instead": serializers.CharField(),
                    "message": serializers.CharField(),
                },
            ),
            400: ErrorSerializer,
        },
    )


RECORD = inline_serializer(
    "ResolvedRecord",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "html_url": serializers.CharField(),
    },
)


def resolve_schema():
    answer = {
        "cite": serializers.CharField(),
        "understood": serializers.CharField(help_text="What the resolver read the citation as."),
        "note": serializers.CharField(help_text="E.g. a point resolved to its provision."),
        "match": RECORD,
        "alternatives": inline_serializer(
            "ResolvedAlternatives", {"type": serializers.CharField()}, many=True
        ),
    }
    return extend_schema(
        summary="Resolve a citation",
        description=(
            "`A/70/174 para 13(f)`, `A/RES/73/27`, `ETS No. 185, Art. 29`, `CETS 224 art 9`, "
            "`Budapest Convention Art. 32(b)`, `OJ L 129I, 17.5.2019`: the record it names "
            "(200), the records it may name (300), or what was understood (404)."
        ),
        parameters=[OpenApiParameter("cite", str, required=True, description="The citation.")],
        responses={
            200: inline_serializer("Resolution", answer),
            300: inline_serializer("AmbiguousResolution", answer),
            400: ErrorSerializer,
            404: inline_serializer(
                "UnresolvedCitation", answer | {"detail": serializers.CharField()}
            ),
        },
    )
