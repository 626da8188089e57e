"""A bounded fuzz run (schemathesis) over the whole OpenAPI document, logged in and not, on
SQLite and PostgreSQL: no server error, no answer outside the documented statuses, content
types and schemas, and no refusal of input the request schema allows (positive_data_acceptance,
with the rules JSON Schema cannot state listed in tests/api/acceptance.py). A few examples per
operation keep it to a few minutes."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spinepath.accounts.roles import Role
from tests.api import acceptance
from tests.support import ClinicUsers, LiveServer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    acceptance.schema_valid_input_is_accepted,  # positive_data_acceptance
]
EXAMPLES = 8


def fuzz(server: LiveServer, headers: dict[str, str]) -> list[str]:
    """Every operation with a few generated cases; the failures found, one line each."""
    schema = acceptance.load(server)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        # Operations measured apart are held to every check but the acceptance of valid input.
        checks = CHECKS[:-1] if acceptance.NOT_MEASURED.match(label) else CHECKS
        failures += [f"{label}: {line}" for line in _failures(operation, headers, checks)]
    return failures


def _failures(operation: Any, headers: dict[str, str], checks: list[Any]) -> list[str]:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any) -> None:
        acceptance.respell(case).call_and_validate(headers=headers, checks=checks)

    try:
        run()
    except (FailureGroup, Exception) as failure:  # each operation's failures are collected
        found = failure.exceptions if isinstance(failure, FailureGroup) else [failure]
        return [" | ".join(str(one).strip().splitlines()[:4]) for one in found]
    return []


def test_fuzzing_logged_in_finds_no_server_error_nor_undocumented_answer(
    clinic: ClinicUsers,
) -> None:
    token = clinic.token(Role.PHYSICIAN)
    failures = fuzz(clinic.server, {"Authorization": f"Bearer {token}"})
    assert failures == [], "\n".join(failures)


def test_fuzzing_without_a_login_finds_no_server_error_nor_undocumented_answer(
    server: LiveServer,
) -> None:
    failures = fuzz(server, {})
    assert failures == [], "\n".join(failures)
