"""Schema-valid input is accepted: which operations refuse input their OpenAPI request schema
allows, and the rules they enforce that JSON Schema cannot state.

Schemathesis draws schema-valid requests (path, query, body) for every operation and sends them
to a live server. An answer of 400, 412, 413, 422 or 428 to such a request means the service
enforces a rule the document does not state, unless the rule is one of ``UNSTATED``: rules
between fields, or against today's date, that the operation's description states in words.
A 422 passes only when every field it names is one of the operation's unstated rules; any
other refused field is a failure. 412 and 428 (a stale or missing version) depend on what is
stored and on the If-Match header, and are documented on every operation that can answer them.

Whole numbers are read as JSON integers without a fraction (``2``, not ``2.0``); JSON Schema
counts ``2.0`` as an integer and cannot say otherwise, so the run spells whole numbers without
a fraction, as docs/api.md asks of clients.

Measure (lists each refusal; ``--all`` also those the unstated rules explain):

    .venv/bin/python -m tests.api.acceptance [--examples 10] [--postgres] [--all]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support import LiveServer

# Statuses positive_data_acceptance takes as an answer to valid input: success, refusals that
# depend on who asks or on what is stored (401, 403, 404, 409, 412, 428), throttling (429).
# Server errors are not_a_server_error's to report.
EXPECTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "428", "429", "5xx"]
_ACCEPTED = {401, 403, 404, 409, 412, 428, 429}
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": EXPECTED}}}
)


@dataclass(frozen=True)
class Unstated:
    """A rule an operation enforces that JSON Schema cannot state: the fields it may name."""

    fields: str  # a regular expression over the problem's field names
    reason: str


_BIRTH = "birth_date is between 1900-01-01 and today, a bound that moves with the date"
_EMAIL = "email refuses special-use and reserved domains (format email cannot say so)"
_MRN = "an MRN is unique within the clinic, which depends on the patients stored"
_ONSET = "a fracture's onset date is not in the future"
_LEVELS_ONCE = "each vertebral level once in a list of objects (uniqueItems compares whole items)"
_CASE = (
    "dates within the case are ordered (birth and onset before the assessment date); each "
    "level once; a fracture's sins object is the SINS instrument's input, validated by it"
)
_RECORD = (
    "each level once; a balloon in kyphoplasty only, and always there; the procedure ends "
    "after it starts and not in the future"
)
_PLAN = (
    "procedure_start is in the future and procedure_end after it, within 24 hours; time_zone is "
    "a known IANA zone; dose times are distinct as clock times (8:00 is 08:00); arrival, "
    "follow-up and the plan's medicines depend on the procedure time and the stored plan"
)

UNSTATED: dict[str, Unstated] = {
    "POST /api/v1/patients": Unstated(r"birth_date|email|mrn", f"{_BIRTH}; {_EMAIL}; {_MRN}"),
    "PATCH /api/v1/patients/{patient_id}": Unstated(
        r"birth_date|email|mrn", f"{_BIRTH}; {_EMAIL}; {_MRN}"
    ),
    "POST /api/v1/episodes": Unstated(
        r"fractures|fractures\.\d+\.onset_date", f"{_ONSET}; {_LEVELS_ONCE}"
    ),
    "POST /api/v1/episodes/{episode_id}/fractures": Unstated(r"onset_date", _ONSET),
    "PATCH /api/v1/episodes/{episode_id}/fractures/{fracture_id}": Unstated(r"onset_date", _ONSET),
    "POST /api/v1/episodes/{episode_id}/follow-up-events": Unstated(
        r"occurred_on|level",
        "the event is not in the future; a new fracture names its level, other events do not",
    ),
    "GET /api/v1/reports/outcomes": Unstated(r"date_to", "date_to is on or after date_from"),
    "GET /api/v1/reports/outcomes.csv": Unstated(r"date_to", "date_to is on or after date_from"),
    "POST /api/v1/assessments/{assessment_id}/decision": Unstated(
        r"procedure", "a procedure is chosen only with the decision to proceed"
    ),
    "POST /api/v1/assessments/evaluate": Unstated(
        r"assessment_date|patient\.birth_date|fractures(\.\d+\.(symptom_onset|level|sins.*))?",
        _CASE,
    ),
    "PUT /api/v1/episodes/{episode_id}/case-facts": Unstated(
        r"facts(\..*)?", "the facts are the case without what the episode knows: " + _CASE
    ),
    "POST /api/v1/episodes/{episode_id}/procedure-record": Unstated(
        r"levels(\.\d+\.balloon)?|started_at|ended_at", _RECORD
    ),
    "PUT /api/v1/episodes/{episode_id}/procedure-record": Unstated(
        r"levels(\.\d+\.balloon)?|started_at|ended_at", _RECORD
    ),
    "POST /api/v1/preparation/plan": Unstated(
        r"procedure_start|procedure_end|time_zone|medications\.\d+\.dose_times", _PLAN
    ),
}


def _named_fields(response: Any) -> list[str] | None:
    try:
        problem = response.json()
    except ValueError:
        return None
    errors = problem.get("errors") if isinstance(problem, dict) else None
    if not isinstance(errors, list) or not errors:
        return None
    return [str(error.get("field")) for error in errors if isinstance(error, dict)]


def explained(label: str, response: Any) -> bool:
    """Whether a refusal of schema-valid input names only the operation's unstated rules."""
    rule = UNSTATED.get(label)
    if rule is None or response.status_code != 422:
        return False
    fields = _named_fields(response)
    return bool(fields) and all(re.fullmatch(rule.fields, field) for field in fields or [])


def schema_valid_input_is_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """positive_data_acceptance, except for a 422 that names only the unstated rules."""
    if explained(case.operation.label, response):
        return None
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData as failure:
        named = ", ".join(_named_fields(response) or []) or "no field"
        raise RejectedPositiveData(
            operation=case.operation.label,
            message=f"{response.status_code} naming {named}\n{failure.message}",
            status_code=failure.status_code,
            allowed_statuses=failure.allowed_statuses,
        ) from None


def whole_numbers_without_fraction(value: Any) -> Any:
    """``2.0`` → ``2`` everywhere in a JSON value (the service reads whole numbers so)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [whole_numbers_without_fraction(item) for item in value]
    if isinstance(value, dict):
        return {key: whole_numbers_without_fraction(item) for key, item in value.items()}
    return value


def respell(case: Any) -> Any:
    if isinstance(case.body, dict | list | float):
        case.body = whole_numbers_without_fraction(case.body)
    return case


def load(server: LiveServer) -> Any:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/api/v1/openapi.json", config=CONFIG)
    # Logging in and out are tested on their own: fuzzing them would throttle this machine's
    # address for the other tests, or revoke the token the run uses.
    return schema.exclude(path="/api/v1/auth/token")


# Operations measured apart: the FHIR import and its status run as a background job whose
# input is a file upload, tested in tests/fhir.
NOT_MEASURED = re.compile(r"^(POST /api/v1/fhir/import|GET /api/v1/fhir/imports/.*)$")


def refusals(
    server: LiveServer, headers: dict[str, str], examples: int = 10, *, everything: bool = False
) -> dict[str, list[str]]:
    """Per operation, each schema-valid request refused, with its status and named fields."""
    found: dict[str, list[str]] = {}
    for result in load(server).get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if NOT_MEASURED.match(label):
            continue
        refused = found.setdefault(label, [])
        _draw(operation, examples, _sender(label, headers, refused, everything))
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
        send(respell(case))

    run()


def _sender(
    label: str, headers: dict[str, str], refused: list[str], everything: bool
) -> Callable[[Any], None]:
    def send(case: Any) -> None:
        response = case.call(headers=headers)
        status = response.status_code
        if status < 400 or status in _ACCEPTED or status >= 500:
            return
        if explained(label, response) and not everything:
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
    parser.add_argument("--all", action="store_true", help="also refusals UNSTATED explains")
    parser.add_argument("--role", default=Role.PHYSICIAN.value)
    args = parser.parse_args()
    with _live(args.postgres) as server:
        clinic = make_clinic(server)
        token = clinic.token(Role(args.role))
        headers = {"Authorization": f"Bearer {token}"}
        found = refusals(server, headers, args.examples, everything=args.all)
    for label in sorted(found):
        print(f"{label}  ({len(found[label])} refused)")
        for line in sorted(set(found[label]))[:6]:
            print(f"    {line}")
    print(f"\n{len(found)} operations refused schema-valid input")


if __name__ == "__main__":
    main()
