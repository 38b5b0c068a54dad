"""The search page, /api/v1/search/, and the citation resolver's page and endpoint."""

from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from normsdb.api.errors import JSONErrorsMixin

from . import SORTS, TYPES, Filters, SearchError, resolver, search
from .documents import type_of
from .filters import NAMES
from .query import clean
from .schema import resolve_schema, search_schema

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
MAX_PAGE = 10_000
FACET_NAMES = [
    ("type", "Record type"),
    ("legal_force", "Legal force"),
    ("kind", "Kind of instrument"),
    ("topic", "Topic"),
    ("modality", "Modality"),
    ("duty_bearer", "Duty bearer"),
]
API_PARAMETERS = {"q", *NAMES, "sort", "page", "page_size", "format"}


def search_page(request):
    page_number = parse_page(request.GET.get("page"))
    context = {"type_choices": list(TYPES.items()), "sorts": SORTS}
    try:
        filters = Filters.from_params(request.GET)
    except SearchError as error:
        context |= {"query": clean(request.GET.get("q", "")), "errors": error.errors}
        return render(request, "normsdb/search.html", context, status=400)
    result = search(request.GET.get("q", ""), filters, page=page_number, page_size=PAGE_SIZE)
    paginator = Paginator(range(result.total), PAGE_SIZE) if result.total else None
    context |= {
        "query": result.query,
        "result": result,
        "filters": filters,
        "page_obj": paginator.get_page(page_number) if paginator else None,
        "active_filters": filters.active(),
        "facet_names": FACET_NAMES,
    }
    return render(request, "normsdb/search.html", context)


def parse_page(value):
    try:
        return min(max(int(value), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(TYPES.items()), help_text="Record type.")
    slug = serializers.CharField(help_text="Slug (provisions: id; states: ISO code).")
    title = serializers.CharField()
    snippet = serializers.CharField(help_text="Matching passage, HTML-escaped, in <mark>.")
    rank = serializers.FloatField(help_text="Relevance; higher is better.")
    legal_force = serializers.CharField(help_text="Legal force of the instrument, if any.")
    instrument = serializers.CharField(source="instrument_slug", help_text="Instrument slug.")
    url = serializers.CharField(allow_null=True, help_text="The record in the API.")
    html_url = serializers.CharField(
        allow_null=True, help_text="The record's page (a provision's anchor)."
    )


class SearchView(JSONErrorsMixin, APIView):
    """Ranked full-text search over every record type, with exact counts and facets."""

    permission_classes = [AllowAny]

    @search_schema(SearchHitSerializer)
    def get(self, request):
        params = request.query_params
        errors = {name: "Unknown parameter." for name in params if name not in API_PARAMETERS}
        page = whole_number(params.get("page"), 1, MAX_PAGE, "page", errors)
        size = whole_number(params.get("page_size"), 1, MAX_PAGE_SIZE, "page_size", errors)
        try:
            filters = Filters.from_params(params)
        except SearchError as error:
            errors |= error.errors
        if errors:
            return Response({"detail": "Invalid search parameters.", "errors": errors}, status=400)
        result = search(params.get("q", ""), filters, page=page or 1, page_size=size or 20)
        hits = SearchHitSerializer(result.hits, many=True).data
        for hit in hits:
            hit["url"] = hit["url"] and request.build_absolute_uri(hit["url"])
            hit["html_url"] = hit["html_url"] and request.build_absolute_uri(hit["html_url"])
        last_page = max(1, -(-result.total // (size or 20)))

        def link(number):
            if number < 1 or number > last_page or not result.total:
                return None
            query = params.copy()
            query["page"] = number
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return Response(
            {
                "count": result.total,
                "next": link((page or 1) + 1),
                "previous": link((page or 1) - 1),
                "results": hits,
                "facets": result.facets,
                "searched_instead": result.searched_instead,
                "message": result.message,
            }
        )


def whole_number(value, low, high, name, errors):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        errors[name] = f"Must be a whole number from {low} to {high}."
        return None
    if not low <= number <= high:
        errors[name] = f"Must be from {low} to {high}."
        return None
    return number


def described(record):
    """A resolved record as the resolver's answers list it."""
    return {
        "type": type_of(record),
        "title": str(record),
        "html_url": record.get_absolute_url(),
    }


def resolve_page(request):
    """302 to the record's page (a provision's anchor); the alternatives when several fit
    (300); a page saying what was understood when nothing does (404)."""
    cite = request.GET.get("cite", "")
    resolution = resolver.resolve(cite)
    if resolution.status == "found":
        return HttpResponseRedirect(resolution.record.get_absolute_url())
    status = 300 if resolution.status == "ambiguous" else 404
    context = {"resolution": resolution, "alternatives": resolution.alternatives}
    return render(request, "normsdb/resolve.html", context, status=status)


class ResolveView(JSONErrorsMixin, APIView):
    """Turn a citation as lawyers write it into the record it names."""

    permission_classes = [AllowAny]

    @resolve_schema()
    def get(self, request):
        unknown = [name for name in request.query_params if name not in ("cite", "format")]
        cite = request.query_params.get("cite", "").strip()
        if unknown or not cite:
            errors = {name: "Unknown parameter." for name in unknown}
            if not cite:
                errors["cite"] = "Give the citation to resolve, e.g. ETS No. 185, Art. 29."
            return Response({"detail": "Invalid parameters.", "errors": errors}, status=400)
        resolution = resolver.resolve(cite)
        body = {
            "cite": resolution.cite,
            "understood": resolution.understood,
            "note": resolution.note,
            "match": None,
            "alternatives": [absolute(request, described(r)) for r in resolution.alternatives],
        }
        if resolution.status == "found":
            body["match"] = absolute(request, described(resolution.record))
            return Response(body)
        body["detail"] = (
            "Several records fit this citation."
            if resolution.status == "ambiguous"
            else "No record fits this citation."
        )
        return Response(body, status=300 if resolution.status == "ambiguous" else 404)


def absolute(request, entry):
    return entry | {"html_url": request.build_absolute_uri(entry["html_url"])}
