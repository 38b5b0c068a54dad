"""The base viewsets every resource uses: reads for everyone (JSON, CSV, history), writes
with a token that never overwrite a change made meanwhile (If-Match).

ETag and 304 come from Django's ConditionalGetMiddleware, which digests the response body;
the viewsets add Last-Modified, so If-Modified-Since works too."""

import hashlib

from django.db import transaction
from django.db.models import ProtectedError
from django.http import StreamingHttpResponse
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from normsdb.citations import CITATION, cite

from .errors import JSONErrorsMixin, PreconditionFailed, PreconditionRequired
from .history import HISTORY, history_entries
from .renderers import csv_columns, csv_text


class ReadOnlyResourceViewSet(JSONErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Read for everyone, cheaply: Last-Modified on every GET (ETag from the middleware).
    Lists come as CSV too: a page with its total and paging links in the headers, or every
    row streamed with `page_size=all`."""

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
        if self.wants_csv(request):
            # A CSV page has no room for the count and paging links: they go in the headers.
            response["X-Total-Count"] = str(response.data["count"])
            links = [
                f'<{response.data[rel]}>; rel="{rel}"'
                for rel in ("next", "previous")
                if response.data.get(rel)
            ]
            if links:
                response["Link"] = ", ".join(links)
        shown = self.paginator.page.object_list if self.paginator.page else []
        return with_last_modified(response, max((o.updated_at for o in shown), default=None))

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        return with_last_modified(response, instance.updated_at)

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

    @extend_schema(
        summary="Change history of one record",
        description="Every recorded version, newest first (at most 100): when, how (created, "
        "changed, deleted) and, for changes, the old and new value of each field. Editors' "
        "names are shown to signed-in staff only.",
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
        return Response({"results": history_entries(instance, show_users=request.user.is_staff)})

    @extend_schema(
        summary="How to cite this record",
        description="Plain text, OSCOLA, Bluebook, BibTeX and CSL-JSON, with today's date as "
        "the accessed date and the record's permalink (a provision's with its anchor).",
        responses={200: CITATION},
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        renderer_classes=[JSONRenderer, BrowsableAPIRenderer],
    )
    def cite(self, request, *args, **kwargs):
        try:
            citation = cite(self.get_object())
        except TypeError:
            raise exceptions.NotFound(
                "Records of this kind are cited through their instrument or incident."
            ) from None
        return Response(citation.as_dict())


def with_last_modified(response, last_modified):
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def etag_of(data):
    """The ETag a GET of this JSON representation carries: ConditionalGetMiddleware's digest
    of the body JSONRenderer writes."""
    body = JSONRenderer().render(data)
    return quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())


def parse_etags(header):
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


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
        return etag_of(self.serializer_class(instance, context=self.get_serializer_context()).data)

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
