"""The OpenAPI description of what the shared API policy (normsdb.api) adds to every
operation: one error shape, conditional-request headers, formats, ordering, and a
description for every operation and parameter."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_choice_description_list
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="For invalid input: the messages for each field or query parameter.",
    )


ERRORS = {
    "400": "Invalid input; `errors` holds the messages for each field or parameter.",
    "401": "No token, or a wrong one, for a request that needs one.",
    "403": "The token's user lacks the model permission for this write.",
    "404": "No such record, no page that far, or no such format.",
    "412": "If-Match does not match the record's current ETag: fetch it again, then retry.",
    "428": "If-Match is missing: send the ETag of the record you are changing.",
    "429": "Too many requests; wait for the seconds given in Retry-After.",
}

# Error responses each kind of operation can give, besides 401 (a wrong token) and 429.
ERRORS_BY_METHOD = {
    "GET": ["404"],
    "POST": ["400", "403", "404"],
    "PUT": ["400", "403", "404", "412", "428"],
    "PATCH": ["400", "403", "404", "412", "428"],
    "DELETE": ["400", "403", "404", "412", "428"],
}

ACTION_DESCRIPTIONS = {
    "list": "Filtered, ordered and paginated. `?format=csv` (or `Accept: text/csv`) gives "
    "CSV, and with `page_size=all` every matching row at once. Send the ETag back in "
    "If-None-Match to get a 304 when nothing changed.",
    "retrieve": "One record. Send the ETag back in If-None-Match to get a 304 when it has "
    "not changed; send it in If-Match to change the record.",
    "create": "For editors: a token and the model's add permission. Validated like the "
    "admin and the dataset import validate.",
    "update": "For editors: replace the record. If-Match with its current ETag is required "
    "(428 without, 412 when the record changed meanwhile).",
    "partial_update": "For editors: change the fields sent. If-Match with its current ETag "
    "is required (428 without, 412 when the record changed meanwhile).",
    "destroy": "For editors: delete the record. If-Match with its current ETag is required "
    "(428 without, 412 when the record changed meanwhile).",
}

FORMATS = {
    "json": "JSON (the default)",
    "csv": "CSV, one row per record with flat columns",
    "jsonld": "JSON-LD, schema.org Legislation",
}

PATH_PARAMETERS = {
    "slug": "The record's slug, as in its `url`.",
    "id": "The record's id, as in its `url`.",
    "code": "ISO 3166-1 alpha-2 code of the state (DE).",
}

HEADER = {"type": "string"}


class ResourceSchema(AutoSchema):
    def get_auth(self):
        """Reads are anonymous (DjangoModelPermissionsOrAnonReadOnly, which drf-spectacular
        does not know): a token is optional there, so `{}` joins the security list."""
        auth = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auth:
            auth = [*auth, {}]
        return auth

    def get_description(self):
        return ACTION_DESCRIPTIONS.get(getattr(self.view, "action", None)) or (
            super().get_description()
        )

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "path" and not parameter.get("description"):
                parameter["description"] = PATH_PARAMETERS[parameter["name"]]
            if parameter["name"] == "format":
                formats = parameter["schema"]["enum"]
                parameter["description"] = "Output format; `Accept` works too.\n\n" + (
                    build_choice_description_list([(f, FORMATS[f]) for f in formats])
                )
            if parameter["name"] == "ordering":
                parameter.update(self.ordering_parameter())
        if self.is_conditional_read():
            parameters.append(
                {
                    "in": "header",
                    "name": "If-None-Match",
                    "schema": HEADER,
                    "description": "The ETag of an earlier response: 304 if it still matches.",
                }
            )
        if self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(
                {
                    "in": "header",
                    "name": "If-Match",
                    "required": True,
                    "schema": HEADER,
                    "description": "The record's current ETag, from a GET: no lost updates.",
                }
            )
        return parameters

    def ordering_parameter(self):
        fields = self.view.ordering_fields
        choices = [(f, f"by {f}") for f in fields] + [
            (f"-{f}", f"by {f}, reversed") for f in fields
        ]
        return {
            "schema": {"type": "string", "enum": [value for value, _ in choices]},
            "description": f"Order of the results (default: {', '.join(self.view.ordering)})."
            "\n\n" + build_choice_description_list(choices),
        }

    def is_conditional_read(self):
        return self.method == "GET" and getattr(self.view, "action", None) in ("list", "retrieve")

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            content = response.get("content", {})
            if code.startswith("2") and "text/csv" in content:
                content["text/csv"] = {
                    "schema": {"type": "string", "description": "CSV with a header row."}
                }
            if code.startswith("2") and "application/ld+json" in content:
                content["application/ld+json"] = {
                    "schema": {
                        "type": "object",
                        "description": "schema.org Legislation; for lists an ItemList of them.",
                        "additionalProperties": True,
                    }
                }
        if self.is_conditional_read():
            responses["200"]["headers"] = {
                "ETag": {"schema": HEADER, "description": "Digest of this representation."},
                "Last-Modified": {
                    "schema": HEADER,
                    "description": "When the record (for lists: the latest shown) last changed.",
                },
            }
            responses["304"] = {"description": "Not modified: If-None-Match still matches."}
        codes = ERRORS_BY_METHOD.get(self.method, []) + ["401", "429"]
        if self.method == "GET" and self._is_list_view():
            codes.append("400")  # a filter value or page size that is not understood
        for code in sorted(set(codes) - set(responses)):
            response = self._get_response_for_code(
                ErrorSerializer, code, ["application/json"], direction
            )
            response["description"] = ERRORS[code]
            if code == "429":
                response["headers"] = {
                    "Retry-After": {"schema": HEADER, "description": "Seconds to wait."}
                }
            responses[code] = response
        return responses


def describe_empty_enums(result, generator, request, public):
    """drf-spectacular's BlankEnum and NullEnum (for optional choices) come undescribed."""
    schemas = result.get("components", {}).get("schemas", {})
    if "BlankEnum" in schemas:
        schemas["BlankEnum"]["description"] = "* `` - Not given"
    if "NullEnum" in schemas:
        schemas["NullEnum"]["description"] = "* `null` - Not given"
    return result
