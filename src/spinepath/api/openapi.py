"""The OpenAPI document as the server behaves: errors are application/problem+json with the
problem schema (not FastAPI's HTTPValidationError), and each operation lists the error statuses
it can answer."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from spinepath.api.middleware import needs_token

PROBLEM_JSON = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error (RFC 9457); a 422 names every invalid field in errors.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

# Every string and every field name a request carries (path, query, body) is refused when it
# holds a control character: NUL and the other C0 controls except tab, line feed and carriage
# return, and DEL (spinepath.jsonread). The request schemas say so with this pattern.
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
# A required text (minLength 1 or more) is not blank: most input models strip surrounding
# spaces before they count the length.
NOT_BLANK = (
    "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*"
    "[^\\s\\u0000-\\u001f\\u007f]"
    "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
)

_DESCRIPTIONS = {
    "400": "The request is malformed",
    "401": "No token, or an expired or revoked one",
    "403": "Your role may not do this",
    "404": "No such record in your clinic (named in the path, the query or the body)",
    "409": "The pathway does not allow this, or the version sent is not the current one",
    "412": "The If-Match version is not the current one",
    "413": "The request body is larger than the limit",
    "422": "Invalid input: every invalid field is named",
    "428": "An edit without a version",
    "429": "Too many failed logins: wait Retry-After seconds",
}

# Routes that answer a file rather than JSON, by their path's ending.
_FILES = {".csv": "text/csv", ".ics": "text/calendar", ".pdf": "application/pdf"}

# Operations that change a versioned record: they may answer 409, 412 and 428.
_VERSIONED = re.compile(r"\{[a-z_]+\}")
_NO_ROLE_CHECK = {
    ("get", "/api/v1/me"),
    ("delete", "/api/v1/auth/token"),
    ("get", "/api/v1/pathway"),
}


def _statuses(method: str, path: str, operation: dict[str, Any]) -> set[str]:
    found = {"422"}
    if not path.startswith("/api/v1/"):
        return found | {"400", "401", "404", "413"}
    if method in {"post", "put", "patch", "delete"}:
        found |= {"400", "413"}
    if needs_token(method.upper(), path):
        found.add("401")
        if (method, path) not in _NO_ROLE_CHECK:
            # A record named in the path, the query or the body may be missing in the clinic.
            found |= {"403", "404"}
    if _VERSIONED.search(path):
        found.add("404")
        if method in {"post", "put", "patch", "delete"}:
            found |= {"409", "412", "428"}
    if method in {"put", "patch"}:
        found |= {"409", "412", "428"}
    if path == "/api/v1/auth/token" and method == "post":
        found |= {"401", "429"}
    if path.startswith("/api/v1/questionnaires/"):
        found |= {"404", "409"}
    return found


# The schemas of request bodies that routes read themselves (the clinical core validates them),
# named apart from FastAPI's own components: (model name → its JSON Schema).
_BODY_PREFIX = "Input."
_BODY_SCHEMAS: dict[str, Any] = {}


def model_body(
    model: type[BaseModel], description: str, *, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its JSON body itself and validates it with
    ``model``: the document states the model's schema (``extra`` adds properties the route
    reads beside it)."""
    schema = model.model_json_schema(
        ref_template=f"#/components/schemas/{_BODY_PREFIX}{{model}}", mode="validation"
    )
    for name, definition in schema.pop("$defs", {}).items():
        _BODY_SCHEMAS[f"{_BODY_PREFIX}{name}"] = definition
    if extra:
        schema["properties"] = {**schema.get("properties", {}), **extra}
    media = {"application/json": {"schema": schema}}
    return {"requestBody": {"required": True, "description": description, "content": media}}


def document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Problem"] = PROBLEM_SCHEMA
    components.update(_BODY_SCHEMAS)
    components["AnyJson"] = ANY_JSON
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for suffix, media_type in _FILES.items():
                if path.endswith(suffix) and "200" in responses:
                    responses["200"]["content"] = {media_type: {"schema": {"type": "string"}}}
            for status in sorted(_statuses(method, path, operation) | _errors_in(responses)):
                entry = responses.setdefault(status, {})
                if status == "422" or not entry.get("description"):
                    entry["description"] = _DESCRIPTIONS.get(status, "Error")
                if status == "401" and not path.startswith("/api/"):
                    continue  # CDS Hooks answers 401 with no body
                entry["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}
    _state_the_text_rule(schema)
    app.openapi_schema = schema
    return schema


def _state_the_text_rule(schema: dict[str, Any]) -> None:
    """Give every string a request may carry the pattern the server enforces, and every object
    the same rule for its field names. No component is shared between requests and responses,
    so the answers' schemas are left as they are."""
    components = schema.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    # (schema, whether a pattern, enum or format above it already rules its strings)
    pending: list[tuple[Any, bool]] = []
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                pending.append((parameter.get("schema"), False))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                pending.append((media.get("schema"), False))
    while pending:
        node, ruled = pending.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen and name in components:
                seen.add(name)
                pending.append((components[name], False))
            continue
        if not set(node) - _ANNOTATIONS:  # any value at all
            node["$ref"] = _ANY_REF
            continue
        if node.get("type") == "object" and "additionalProperties" not in node:
            node["additionalProperties"] = True
        for key in ("additionalProperties", "items"):
            if node.get(key) is True:
                node[key] = {"$ref": _ANY_REF}
        for key, child in node.get("properties", {}).items():
            if child is True:
                node["properties"][key] = {"$ref": _ANY_REF}
        ruled = ruled or bool(_STATED & set(node))
        if node.get("type") == "string" and not ruled:
            node["pattern"] = NOT_BLANK if node.get("minLength", 0) else NO_CONTROL_CHARACTERS
        if node.get("type") == "object" or "properties" in node or "additionalProperties" in node:
            node.setdefault("propertyNames", {"pattern": NO_CONTROL_CHARACTERS})
        pending.extend((child, False) for child in node.get("properties", {}).values())
        pending.extend((node.get(key), False) for key in ("additionalProperties", "items", "not"))
        pending.extend(
            (child, ruled) for key in ("anyOf", "oneOf", "allOf") for child in node.get(key, [])
        )
        pending.extend((child, False) for child in node.get("prefixItems", []))


_STATED = {"pattern", "enum", "const", "format"}
_ANY_REF = "#/components/schemas/AnyJson"
_ANNOTATIONS = {"title", "description", "default", "examples", "example", "deprecated"}
# Where a request may hold any JSON value, the document says so with this schema: any value,
# with no control character in its strings or its field names.
ANY_JSON: dict[str, Any] = {
    "title": "AnyJson",
    "anyOf": [
        {"type": "null"},
        {"type": "boolean"},
        {"type": "number"},
        {"type": "string", "pattern": NO_CONTROL_CHARACTERS},
        {"type": "array", "items": {"$ref": _ANY_REF}},
        {
            "type": "object",
            "propertyNames": {"pattern": NO_CONTROL_CHARACTERS},
            "additionalProperties": {"$ref": _ANY_REF},
        },
    ],
}


def _errors_in(responses: dict[str, Any]) -> set[str]:
    return {status for status in responses if status.isdigit() and int(status) >= 400}


def install(app: FastAPI) -> None:
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
