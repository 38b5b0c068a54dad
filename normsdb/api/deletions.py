"""The deletions feed: what was deleted since a time, so that a client syncing with
`updated_since` also learns which records are gone. It reads the history that
django-simple-history keeps of every record ("-" rows)."""

from django.apps import apps
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import JSONErrorsMixin
from .schema import ErrorSerializer

# API resource → (model, the field its URL names it by)
RESOURCES = {
    "instruments": ("instruments.Instrument", "slug"),
    "provisions": ("instruments.Provision", "id"),
    "states": ("instruments.State", "code"),
    "organizations": ("instruments.Organization", "slug"),
    "participations": ("instruments.Participation", "id"),
    "memberships": ("instruments.Membership", "id"),
    "votes": ("instruments.Vote", "id"),
    "norms": ("obligations.Norm", "slug"),
    "obligations": ("obligations.Obligation", "slug"),
    "response-measures": ("obligations.ResponseMeasure", "slug"),
    "topics": ("obligations.Topic", "slug"),
    "incidents": ("obligations.Incident", "slug"),
    "attributions": ("obligations.Attribution", "id"),
    "response-actions": ("obligations.ResponseAction", "id"),
    "legal-questions": ("obligations.LegalQuestion", "slug"),
    "stances": ("obligations.Stance", "id"),
}
LIMIT = 10_000


class DeletionsView(JSONErrorsMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Records deleted since a time",
        description="For incremental sync: with `since` (ISO 8601), every record deleted at or "
        f"after it, oldest first (at most {LIMIT:,}; ask again from the last `deleted_at`), as "
        "its resource and the key its URL uses. `resource` narrows to one resource.",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                required=True,
                description="Deleted at or after this time (ISO 8601).",
            ),
            OpenApiParameter(
                "resource",
                str,
                enum=sorted(RESOURCES),
                description="Only this resource.\n\n"
                + build_choice_description_list([(r, f"deleted {r}") for r in sorted(RESOURCES)]),
            ),
        ],
        responses={
            200: inline_serializer(
                "Deletions",
                {
                    "count": serializers.IntegerField(),
                    "results": inline_serializer(
                        "Deletion",
                        {
                            "resource": serializers.CharField(),
                            "key": serializers.CharField(),
                            "deleted_at": serializers.DateTimeField(),
                        },
                        many=True,
                    ),
                },
            ),
            400: ErrorSerializer,
        },
    )
    def get(self, request):
        params = request.query_params
        unknown = sorted(set(params) - {"since", "resource", "format"})
        if unknown:
            raise exceptions.ValidationError({name: ["Unknown parameter."] for name in unknown})
        since = serializers.DateTimeField().run_validation(params.get("since") or None)
        resource = params.get("resource", "")
        if resource and resource not in RESOURCES:
            raise exceptions.ValidationError(
                {"resource": [f"One of: {', '.join(sorted(RESOURCES))}."]}
            )
        rows = []
        for name, (label, field) in RESOURCES.items():
            if resource and name != resource:
                continue
            history = apps.get_model(label).history
            deleted = history.filter(history_type="-", history_date__gte=since).values_list(
                field, "history_date"
            )
            rows += [(when, name, str(key)) for key, when in deleted[:LIMIT]]
        rows.sort()
        results = [{"resource": n, "key": k, "deleted_at": when} for when, n, k in rows[:LIMIT]]
        return Response({"count": len(results), "results": results})
