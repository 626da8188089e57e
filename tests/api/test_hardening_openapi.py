"""The OpenAPI document tells the truth about errors: problem+json with the problem schema,
and the statuses each operation can answer."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from spinepath.accounts.roles import Role
from spinepath.api.middleware import needs_token
from tests.api.helpers import patient_payload
from tests.support import ClinicUsers, LiveServer


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def test_every_error_is_documented_as_the_problem_it_is(server: LiveServer) -> None:
    with server.client() as client:
        document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "Problem" in schemas
    operations = _operations(document)
    assert len(operations) > 50
    for method, path, operation in operations:
        responses = operation["responses"]
        assert "422" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400 and not (status == "401" and path.startswith("/cds-services")):
                content = response["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }
        if path.startswith("/api/v1/") and needs_token(method.upper(), path):
            assert "401" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method == "patch":
            assert {"409", "412", "428"} <= set(responses), (method, path)


def test_a_real_422_matches_the_documented_problem_schema(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        document = client.get("/api/v1/openapi.json").json()
        answer = client.post("/api/v1/patients", json=patient_payload(birth_date="1800-01-01"))
    assert answer.status_code == 422
    jsonschema_rs.validate(document["components"]["schemas"]["Problem"], answer.json())
    jsonschema_rs.validate(
        document["components"]["schemas"]["Problem"],
        clinic.server.client().get("/api/v1/worklist").json(),
    )
