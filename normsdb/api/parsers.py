"""The request bodies the API reads (kept apart from normsdb.api, which DRF settings must not
import while DRF itself is loading)."""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class JSONParser(parsers.JSONParser):
    """JSON whose text PostgreSQL can store: a NUL character or an unpaired surrogate (JSON
    allows both) is a 400 here, instead of a database error on a lookup later."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not storable(data):
            raise ParseError("Text may not contain NUL characters or unpaired surrogates.")
        return data


def storable(value):
    if isinstance(value, str):
        return not UNSTORABLE.search(value)
    if isinstance(value, dict):
        return all(storable(key) and storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(storable(item) for item in value)
    return True
