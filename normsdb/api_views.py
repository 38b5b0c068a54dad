"""The search endpoint of the API (the other resources are viewsets in each app)."""

from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from instruments.models import InstrumentKind, LegalForce
from obligations.models import DutyBearer, Modality

from .api.errors import JSONErrorsMixin
from .api.schema import ErrorSerializer
from .origin import absolute_url
from .search_old import TYPES, Filters, SearchError, search

MAX_PAGE_SIZE = 50


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(TYPES), help_text="Record type.")
    slug = serializers.CharField(help_text="Slug (provisions: id).")
    title = serializers.CharField()
    snippet = serializers.CharField(
        help_text="Matching passage, HTML-escaped, matches wrapped in <mark>."
    )
    rank = serializers.FloatField(help_text="Relevance; higher is better.")
    legal_force = serializers.CharField(help_text="Legal force of the instrument, if any.")
    instrument = serializers.CharField(source="instrument_slug", help_text="Instrument slug.")
    url = serializers.CharField(help_text="The record in the API.")
    html_url = serializers.CharField(help_text="The record's page.")


FACET = inline_serializer(
    "Facet",
    {
        "value": serializers.CharField(),
        "label": serializers.CharField(),
        "count": serializers.IntegerField(),
    },
    many=True,
)


def choice_parameter(name, choices, description):
    return OpenApiParameter(
        name,
        str,
        enum=[value for value, _ in choices],
        description=f"{description}\n\n{build_choice_description_list(choices)}",
    )


class SearchView(JSONErrorsMixin, APIView):
    """Ranked full-text search over instruments, provisions, norms, obligations, response
    measures and incidents."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search every record",
        description=(
            'Words as typed into a search engine: `"critical infrastructure" -espionage`, '
            "`health or hospitals`. Results are ranked (title matches first) with a highlighted "
            "snippet; `facets` give counts for the current query. A word no record holds is "
            "replaced by the nearest known spelling (`searched_instead`). "
            "An unknown filter value is a 400 naming the parameter."
        ),
        parameters=[
            OpenApiParameter("q", str, description="The words to find."),
            choice_parameter("type", [(k, v["label"]) for k, v in TYPES.items()], "Record type."),
            OpenApiParameter("topic", str, description="Topic slug (sub-topics included)."),
            choice_parameter("legal_force", LegalForce.choices, "Legal force of the instrument."),
            choice_parameter("kind", InstrumentKind.choices, "Kind of instrument."),
            OpenApiParameter(
                "state",
                str,
                description="ISO code: only records of instruments binding that state.",
            ),
            choice_parameter("modality", Modality.choices, "Obligations with this modality."),
            choice_parameter("duty_bearer", DutyBearer.choices, "Obligations of this bearer."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number (from 1)."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description=f"Results per page (1–{MAX_PAGE_SIZE})."
            ),
        ],
        responses={
            200: inline_serializer(
                "SearchResults",
                {
                    "count": serializers.IntegerField(),
                    "truncated": serializers.BooleanField(
                        help_text="More records match than are ranked: the count and facets "
                        "cover the ranked ones; add words or filters to narrow."
                    ),
                    "next": serializers.CharField(allow_null=True),
                    "previous": serializers.CharField(allow_null=True),
                    "results": SearchHitSerializer(many=True),
                    "facets": inline_serializer(
                        "Facets",
                        {
                            name: FACET
                            for name in [
                                "type",
                                "legal_force",
                                "kind",
                                "modality",
                                "duty_bearer",
                                "topic",
                            ]
                        },
                    ),
                    "searched_instead": serializers.CharField(),
                    "message": serializers.CharField(),
                },
            ),
            400: ErrorSerializer,
        },
    )
    def get(self, request):
        errors = {}
        page = integer(request.query_params.get("page"), 1, 1, 10_000, "page", errors)
        size = integer(
            request.query_params.get("page_size"), 20, 1, MAX_PAGE_SIZE, "page_size", errors
        )
        try:
            filters = Filters.from_params(request.query_params)
        except SearchError as error:
            errors.update(error.errors)
        if not errors:
            try:
                result = search(
                    request.query_params.get("q", ""), filters, page=page, page_size=size
                )
            except SearchError as error:  # a topic slug that names no topic, for example
                errors.update(error.errors)
        if errors:
            return Response({"detail": "Invalid search parameters.", "errors": errors}, status=400)
        hits = SearchHitSerializer(result.hits, many=True).data
        for hit in hits:
            hit["url"] = absolute_url(hit["url"])
            hit["html_url"] = absolute_url(hit["html_url"])
        last_page = max(1, -(-result.total // size))

        def link(number):
            if number < 1 or number > last_page or not result.total:
                return None
            params = request.query_params.copy()
            params["page"] = number
            return absolute_url(f"{request.path}?{params.urlencode()}")

        return Response(
            {
                "count": result.total,
                "truncated": result.truncated,
                "next": link(page + 1),
                "previous": link(page - 1),
                "results": hits,
                "facets": result.facets,
                "searched_instead": result.searched_instead,
                "message": result.message,
            }
        )


def integer(value, default, low, high, name, errors):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        errors[name] = f"Must be a whole number from {low} to {high}."
        return default
    if not low <= number <= high:
        errors[name] = f"Must be from {low} to {high}."
    return min(max(number, low), high)
