"""One error shape for every API answer: {"detail": …}, plus "errors" by field or parameter."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .parsers import RequestTooLarge


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag of the record you are changing."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "The record changed since you read it: fetch it again, then retry."
    default_code = "precondition_failed"


# The database's own refusals (triggers and constraints), by constraint name: the field they
# are about. A write that passed validation can still meet one when another writer got there
# first (two edits that each close half of a loop), and that is the client's 400, not a 500.
CONSTRAINT_FIELDS = {
    "topic_parent_not_a_loop": ("parent", "This parent would make the topics a loop."),
    "topic_not_own_parent": ("parent", "A topic cannot be its own parent."),
    "provision_parent_same_instrument": (
        "parent",
        "The parent must be a provision of the same instrument.",
    ),
    "provision_parent_not_a_loop": (
        "parent",
        "This parent would make the provisions enclose each other.",
    ),
}


def integrity_error(exc):
    """The ValidationError for a constraint the database refused the write with."""
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    field, message = CONSTRAINT_FIELDS.get(
        name, ("non_field_errors", f"The database refused the change ({name or 'constraint'}).")
    )
    return exceptions.ValidationError({field: [message]})


def exception_handler(exc, context):
    """Every API error as {"detail": …}, plus "errors" by field for invalid input."""
    if isinstance(exc, IntegrityError):
        exc = integrity_error(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
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
