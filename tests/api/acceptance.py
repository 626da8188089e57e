"""Which operations refuse input their documented request schema allows.

Schemathesis draws schema-valid requests (body, query, path) for every operation and sends them
to a live server; an answer of 400, 412, 413, 422 or 428 to such a request means the service
enforces a rule its OpenAPI document does not state. Lists, per operation, the refused inputs
and the fields the problem names.

    .venv/bin/python -m tests.api.acceptance [--examples 20] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from tests.support import LiveServer

# Statuses positive_data_acceptance takes as an answer to valid input: success, and refusals
# that depend on who asks or on stored state, not on the shape of the request.
ACCEPTED = {401, 403, 404, 409, 429}


def load(server: LiveServer) -> Any:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/api/v1/openapi.json")
    # Logging in and out are tested on their own: fuzzing them would throttle this machine's
    # address for the other tests, or revoke the token the run uses.
    schema = schema.exclude(path="/api/v1/auth/token")
    # The FHIR import and its status are being rebuilt as a background job; measured apart.
    return schema.exclude(path="/api/v1/fhir/import").exclude(path_regex="^/api/v1/fhir/imports/")


def refusals(
    server: LiveServer, headers: dict[str, str], examples: int = 10
) -> dict[str, list[str]]:
    """Per operation, each schema-valid request refused, with its status and named fields."""
    found: dict[str, list[str]] = {}
    for result in load(server).get_all_operations():
        operation = result.ok()
        refused = found.setdefault(f"{operation.method.upper()} {operation.path}", [])
        _draw(operation, examples, _sender(headers, refused))
    return {label: lines for label, lines in found.items() if lines}


def _draw(operation: Any, examples: int, send: Callable[[Any], None]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any) -> None:
        send(case)

    run()


def _sender(headers: dict[str, str], refused: list[str]) -> Callable[[Any], None]:
    def send(case: Any) -> None:
        response = case.call(headers=headers)
        status = response.status_code
        if status < 400 or status in ACCEPTED or status >= 500:
            return
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        named = [
            f"{error.get('field')}: {error.get('message')}" for error in problem.get("errors") or []
        ] or [str(problem.get("detail", ""))]
        body = case.body if isinstance(case.body, dict | list | str | int | float) else None
        sent = {"path": case.path_parameters, "query": case.query, "body": body}
        refused.append(f"{status} {'; '.join(named)} <- {json.dumps(sent, default=str)[:300]}")

    return send


@contextmanager
def _live(postgres: bool) -> Iterator[LiveServer]:
    from tests.support import postgres_database, start_server

    with tempfile.TemporaryDirectory() as data_dir:
        if postgres:
            with postgres_database() as url:
                live = start_server(url, "postgres", data_dir)
                try:
                    yield live
                finally:
                    live.stop()
                    live.session_factory.kw["bind"].dispose()
        else:
            live = start_server(f"sqlite:///{data_dir}/spinepath.db", "sqlite", data_dir)
            try:
                yield live
            finally:
                live.stop()


def main() -> None:
    from spinepath.accounts.roles import Role
    from tests.support import make_clinic

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--role", default=Role.PHYSICIAN.value)
    args = parser.parse_args()
    with _live(args.postgres) as server:
        clinic = make_clinic(server)
        token = clinic.token(Role(args.role))
        found = refusals(server, {"Authorization": f"Bearer {token}"}, args.examples)
    for label in sorted(found):
        print(f"{label}  ({len(found[label])} refused)")
        for line in sorted(set(found[label]))[:6]:
            print(f"    {line}")
    print(f"\n{len(found)} operations refused schema-valid input")


if __name__ == "__main__":
    main()
