"""API policy shared by every resource: pagination, CSV, conditional requests, safe writes,
history, and one error shape."""

import copy
import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import StreamingHttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .renderers import csv_columns, csv_text


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag of the record you are changing."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "The record changed since you read it: fetch it again, then retry."
    default_code = "precondition_failed"


def exception_handler(exc, context):
    """Every API error as {"detail": …}, plus "errors" by field for invalid input."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        named = [name for name in errors if name != "non_field_errors"]
        detail = f"Invalid value for {', '.join(named)}." if named else "Invalid input."
        response.data = {"detail": detail, "errors": errors}
    elif not (isinstance(data, dict) and "detail" in data):
        response.data = {"detail": data}
    return response


class JSONErrorsMixin:
    """Errors are JSON whatever format was asked for: a CSV row or an HTML page cannot
    carry them, and clients parse one shape."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def etag_for(data, fmt):
    digest = hashlib.sha256(
        (fmt + json.dumps(data, sort_keys=True, default=str)).encode()
    ).hexdigest()[:32]
    return quote_etag(digest)


HISTORY = inline_serializer(
    "History",
    {
        "results": inline_serializer(
            "HistoryEntry",
            {
                "date": serializers.DateTimeField(help_text="When the change was saved."),
                "user": serializers.CharField(
                    allow_null=True, help_text="Who saved it; empty for imports and scripts."
                ),
                "type": serializers.ChoiceField(
                    choices=[
                        ("created", "The record was created."),
                        ("changed", "Fields of the record changed."),
                        ("deleted", "The record was deleted."),
                    ],
                    help_text="What happened.",
                ),
                "reason": serializers.CharField(help_text="The reason given, if any."),
                "changes": inline_serializer(
                    "HistoryChange",
                    {
                        "field": serializers.CharField(help_text="Field name."),
                        "old": serializers.JSONField(help_text="Value before."),
                        "new": serializers.JSONField(help_text="Value after."),
                    },
                    many=True,
                    help_text="For changes: each changed field.",
                ),
            },
            many=True,
        )
    },
)


class ReadOnlyResourceViewSet(JSONErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Read for everyone, cheaply: every GET carries an ETag (a digest of the
    representation) and Last-Modified, and a matching If-None-Match gives 304. Lists come
    as CSV too, all rows streamed with `page_size=all`."""

    list_serializer_class = None
    # Slugs and ids; anything else is a 404 before it reaches the database.
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class:
            return self.list_serializer_class
        return self.serializer_class

    def check_permissions(self, request):
        # A method the resource does not have is a 405 for everyone, not a 401 or 403.
        if getattr(self, request.method.lower(), None) is None:
            raise exceptions.MethodNotAllowed(request.method)
        super().check_permissions(request)

    def list(self, request, *args, **kwargs):
        if request.query_params.get("page_size") == "all" and self.wants_csv(request):
            return self.stream_csv(self.filter_queryset(self.get_queryset()))
        response = super().list(request, *args, **kwargs)
        changed = [parse_datetime(r["updated_at"]) for r in response.data["results"]]
        return self.conditional(request, response, max(changed, default=None))

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        return self.conditional(request, response, parse_datetime(response.data["updated_at"]))

    def wants_csv(self, request):
        # Set by `?format=csv` and by `Accept: text/csv` alike.
        return request.accepted_renderer.format == "csv"

    def stream_csv(self, queryset):
        """Every matching row, serialized 500 at a time, so a large export never sits in
        memory whole."""
        serializer_class = self.get_serializer_class()
        context = self.get_serializer_context()
        columns = csv_columns(serializer_class(context=context))

        def chunks():
            yield csv_text([], columns)
            batch = []
            for obj in queryset.iterator(chunk_size=500):
                batch.append(obj)
                if len(batch) == 500:
                    data = serializer_class(batch, many=True, context=context).data
                    yield csv_text(data, columns, header=False)
                    batch = []
            if batch:
                data = serializer_class(batch, many=True, context=context).data
                yield csv_text(data, columns, header=False)

        response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename}.csv"'
        return response

    def conditional(self, request, response, last_modified):
        etag = etag_for(response.data, request.accepted_renderer.format)
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
            not_modified["ETag"] = etag
            return not_modified
        return response

    @extend_schema(
        summary="Change history of one record",
        description="Every recorded version, newest first (at most 100): who changed it, "
        "when, how (created, changed, deleted) and, for changes, the old and new value of "
        "each field.",
        responses={200: HISTORY},
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
    )
    def history(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response({"results": history_entries(instance)})


class ResourceViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ReadOnlyResourceViewSet,
):
    """Read for everyone; write with a token and model permissions, never blind: PUT, PATCH
    and DELETE need If-Match with the current ETag, 428 without it, 412 when the record
    changed meanwhile, so no update is lost."""

    def current_etag(self, instance):
        data = self.serializer_class(instance, context=self.get_serializer_context()).data
        return etag_for(data, "json")

    def check_if_match(self, instance):
        sent = self.request.headers.get("If-Match")
        if not sent:
            raise PreconditionRequired()
        if sent.strip() != "*" and self.current_etag(instance) not in parse_etags(sent):
            raise PreconditionFailed()

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            self.check_if_match(self.get_object_for_update())
            response = super().update(request, *args, **kwargs)
        response["ETag"] = self.current_etag(self.get_object())
        return response

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self.check_if_match(self.get_object_for_update())
            return super().destroy(request, *args, **kwargs)

    def get_object_for_update(self):
        """The record as it is once its row is locked, so that of two writers holding the
        same ETag the second sees the first one's change and gets a 412."""
        obj = self.get_object()
        type(obj).objects.select_for_update().filter(pk=obj.pk).exists()
        return self.get_object()

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as error:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"Other records refer to this one: {error.args[0]}"]}
            ) from None


def parse_etags(header):
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def history_entries(instance, limit=100):
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        entry = {
            "date": record.history_date,
            "user": record.history_user.get_username() if record.history_user else None,
            "type": HISTORY_TYPES.get(record.history_type, record.history_type),
            "reason": record.history_change_reason or "",
            "changes": [],
        }
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            entry["changes"] = [
                {"field": change.field, "old": change.old, "new": change.new}
                for change in delta.changes
                if change.field != "updated_at"
            ]
        entries.append(entry)
    return entries


class ModelCleanMixin:
    """Run the model's own validation (field validators, choices, clean()) on API writes,
    so the API accepts exactly what the admin and the import accept."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        values = {k: v for k, v in attrs.items() if k not in m2m}
        # A copy, so a rejected change never lingers on the instance being updated.
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for key, value in values.items():
            setattr(instance, key, value)
        try:
            instance.full_clean(exclude=list(m2m), validate_unique=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs
