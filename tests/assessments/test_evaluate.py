"""Evaluating a case given as JSON: the API and the command line give the same object."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from spinepath.accounts.roles import Role
from spinepath.clinical.candidacy import evaluate_case
from tests.api.helpers import error_fields
from tests.clinical.candidacy.builders import QUALIFYING, case, fracture
from tests.clinical.candidacy.test_vignettes import VIGNETTES
from tests.support import ClinicUsers

# The core's vignette: a man admitted after a fall, T12 fracture 10 days old on STIR, NRS 9 in
# hospital, no time yet for conservative care; the LCD's B1 is met.
ADMITTED = next(v for v in VIGNETTES if v.story.startswith("78-year-old man admitted"))
ADMITTED_CASE = case(ADMITTED.changes)

INVALID = case(
    {
        "fractures[0].level": "L9",
        "pain.nrs": 11,
        "fractures[0].symptom_onset": "2026-11-21",  # after the assessment date, 2026-11-20
    }
)
INVALID_FIELDS = {"fractures.0.level", "pain.nrs", "fractures.0.symptom_onset"}


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spinepath.cli", "assess", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_api_evaluates_a_vignette_as_the_core_does(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        answer = client.post(
            "/api/v1/assessments/evaluate",
            json=ADMITTED_CASE,
            params={"criteria_set": list(ADMITTED.sets)},
        )
        every_set = client.post("/api/v1/assessments/evaluate", json=ADMITTED_CASE)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result == evaluate_case(ADMITTED_CASE, ADMITTED.sets)
    assert result["recommendation"]["action"] == ADMITTED.action
    assert result["criteria_sets"]["cms_lcd_l38201"]["status"] == "met"
    assert list(every_set.json()["criteria_sets"]) == ["cms_lcd_l38201", "nice_ta279"]


def test_evaluating_stores_nothing_and_needs_a_token(clinic: ClinicUsers) -> None:
    with clinic.server.client() as anonymous:
        refused = anonymous.post("/api/v1/assessments/evaluate", json=QUALIFYING)
    clinic.token(Role.NURSE)  # logging in is audited; evaluating must not be
    with clinic.client(Role.ADMIN) as admin:
        before = admin.get("/api/v1/audit-events", params={"per_page": 500}).json()["total"]
    with clinic.client(Role.NURSE) as client:
        client.post("/api/v1/assessments/evaluate", json=QUALIFYING)
    with clinic.client(Role.ADMIN) as admin:
        after = admin.get("/api/v1/audit-events", params={"per_page": 500}).json()["total"]
    assert refused.status_code == 401
    assert after == before


def test_the_api_names_every_invalid_field(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        invalid = client.post("/api/v1/assessments/evaluate", json=INVALID)
        not_json = client.post(
            "/api/v1/assessments/evaluate",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
        unknown_set = client.post(
            "/api/v1/assessments/evaluate", json=QUALIFYING, params={"criteria_set": "bupa"}
        )
    assert invalid.status_code == 422 and error_fields(invalid) == INVALID_FIELDS
    assert not_json.status_code == 422 and error_fields(not_json) == {"(input)"}
    assert unknown_set.status_code == 422 and error_fields(unknown_set) == {"criteria_sets.0"}


def test_the_cli_prints_what_the_api_answers(clinic: ClinicUsers, tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(ADMITTED_CASE))
    sets: list[str] = []
    for name in ADMITTED.sets:
        sets += ["--criteria-set", name]
    from_file = run_cli("--input", str(path), *sets)
    from_stdin = run_cli(*sets, stdin=json.dumps(ADMITTED_CASE))
    with clinic.client(Role.NURSE) as client:
        api = client.post(
            "/api/v1/assessments/evaluate",
            json=ADMITTED_CASE,
            params={"criteria_set": list(ADMITTED.sets)},
        ).json()
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout) == api
    assert json.loads(from_stdin.stdout) == api
    assert api["recommendation"]["action"] == ADMITTED.action


def test_the_cli_applies_each_criteria_set_given_and_every_set_by_default() -> None:
    two = run_cli(
        "--criteria-set",
        "nice_ta279",
        "--criteria-set",
        "cms_lcd_l38201",
        stdin=json.dumps(QUALIFYING),
    )
    default = run_cli(stdin=json.dumps(QUALIFYING))
    assert list(json.loads(two.stdout)["criteria_sets"]) == ["nice_ta279", "cms_lcd_l38201"]
    assert json.loads(default.stdout) == evaluate_case(QUALIFYING)


@pytest.mark.parametrize(
    ("args", "stdin", "fields"),
    [
        ((), json.dumps(INVALID), INVALID_FIELDS),
        ((), "{not json", {"(input)"}),
        ((), "[1, 2]", {"(input)"}),
        (("--criteria-set", "bupa"), json.dumps(QUALIFYING), {"criteria_sets.0"}),
        (("--input", "/nonexistent/case.json"), None, {"--input"}),
    ],
    ids=["invalid-case", "invalid-json", "not-an-object", "unknown-set", "unreadable-file"],
)
def test_cli_errors_are_one_json_object_and_exit_2(
    args: tuple[str, ...], stdin: str | None, fields: set[str]
) -> None:
    done = run_cli(*args, stdin=stdin)
    assert done.returncode == 2
    printed: dict[str, Any] = json.loads(done.stdout)
    assert set(printed) == {"errors"}
    assert {e["field"] for e in printed["errors"]} == fields


def test_a_neoplastic_vignette_with_sins_runs_through_the_cli() -> None:
    lesion = {
        "pain": "mechanical",
        "lesion": "lytic",
        "alignment": "de_novo_deformity",
        "collapse": "under_50",
        "posterolateral": "unilateral",
    }
    raw = case(
        {"fractures": [fracture(etiology="neoplastic", osteolytic_lesion=True, sins=lesion)]}
    )
    done = run_cli(stdin=json.dumps(raw))
    result = json.loads(done.stdout)
    assert done.returncode == 0
    assert result == evaluate_case(raw)
    assert result["scores"][0]["sins"]["total"] >= 7
    assert result["recommendation"]["action"] == "surgical_evaluation"
