"""The OpenAPI 3 schema: valid, without generator warnings, and describing every
endpoint, parameter and enumeration value."""

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def enums(node, description=""):
    """Every enumeration with the nearest description around it."""
    if isinstance(node, dict):
        description = node.get("description", description)
        if "enum" in node:
            yield node["enum"], description
        for value in node.values():
            yield from enums(value, description)
    elif isinstance(node, list):
        for item in node:
            yield from enums(item, description)


def test_the_schema_validates_as_openapi_3_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")
    assert yaml.safe_load((tmp_path / "s.yaml").read_text())["openapi"].startswith("3.")


def test_the_schema_is_served_at_api_schema(api, db):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert "/api/v1/obligations/" in yaml.safe_load(response.content)["paths"]


def test_every_resource_search_and_resolve_are_in_the_schema(schema):
    resources = {path.split("/")[3] for path in schema["paths"]}
    assert resources == {
        "instruments", "provisions", "norms", "obligations", "response-measures", "topics",
        "states", "organizations", "participations", "incidents", "attributions",
        "response-actions", "memberships", "votes", "legal-questions", "stances", "deletions",
        "search", "resolve",
    }  # fmt: skip


def test_every_endpoint_has_a_description(schema):
    undescribed = [
        name for name, operation in operations(schema) if not operation.get("description")
    ]
    assert undescribed == []


def test_every_parameter_has_a_description(schema):
    undescribed = [
        f"{name} {parameter['name']}"
        for name, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []


def test_every_enumeration_value_has_a_description(schema):
    def literal(value):
        return "null" if value is None else value

    undescribed = [
        value
        for values, description in enums(schema)
        for value in values
        if f"`{literal(value)}`" not in description
    ]
    assert undescribed == []


def test_writes_are_documented_with_if_match_and_their_errors(schema):
    operation = schema["paths"]["/api/v1/instruments/{slug}/"]["patch"]
    assert "If-Match" in [p["name"] for p in operation["parameters"]]
    assert {"400", "401", "403", "404", "412", "428", "429"} <= set(operation["responses"])


def test_error_responses_share_one_schema(schema):
    responses = schema["paths"]["/api/v1/obligations/"]["get"]["responses"]
    assert responses["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_their_scripts_from_this_site(client, db, url):
    page = client.get(url).content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower()


def test_swagger_ui_starts_from_a_script_file_that_the_csp_allows(client, db):
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page
    assert client.get("/api/docs/?script=").status_code == 200


def test_reads_are_documented_as_open_to_anonymous_clients(schema):
    reads = [op for name, op in operations(schema) if name.startswith("GET ")]
    assert reads and all({} in op.get("security", [{}]) for op in reads)


def test_writes_are_documented_as_needing_a_token(schema):
    create = schema["paths"]["/api/v1/instruments/"]["post"]
    assert create["security"] and {} not in create["security"]
