"""The request bodies the API reads (kept apart from normsdb.api, which DRF settings must not
import while DRF itself is loading)."""

import re

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# No record the API writes nests deeper than a few levels; a body nested hundreds deep is
# an attack on the recursion limit of everything that walks it.
MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """JSON of a bounded size and depth whose text PostgreSQL can store: a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, deep nesting, a NUL character or an unpaired
    surrogate (JSON allows both) a 400, instead of a 500 or a database error later."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if limit is not None and declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(f"The request body is over {limit:,} bytes.")
        body = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(body) > limit:
            raise RequestTooLarge(f"The request body is over {limit:,} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            constant = json.strict_constant if self.strict else None
            data = json.loads(body.decode(encoding), parse_constant=constant)
        except RecursionError:
            raise ParseError(f"JSON may not nest more than {MAX_DEPTH} levels.") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        check(data)
        return data


def check(data):
    """Walk the parsed body without recursion: bounded depth, storable text."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON may not nest more than {MAX_DEPTH} levels.")
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                raise ParseError("Text may not contain NUL characters or unpaired surrogates.")
        elif isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
