"""`spinepath prep` run as a real subprocess: one JSON object out, exit 2 with named errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from spinepath.accounts.roles import Role
from tests.preparation.builders import CHICAGO, contract_example, contract_start
from tests.support import ClinicUsers


def prep(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spinepath.cli", "prep", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
        check=False,
    )


def test_prep_reads_a_file_and_prints_the_same_plan_as_the_api(
    tmp_path: Path, clinic: ClinicUsers
) -> None:
    start = contract_start()
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(contract_example(start)))
    run = prep("--input", str(source))
    assert run.returncode == 0, run.stdout + run.stderr
    printed = json.loads(run.stdout)  # exactly one JSON object
    assert printed["medications"][0]["recognised_as"] == "apixaban"
    assert printed["medications"][0]["stop_before_hours"] == [72, 72]
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post("/api/v1/preparation/plan", json=contract_example(start))
    assert answer.status_code == 200
    assert answer.json() == printed


def test_prep_reads_standard_input() -> None:
    run = prep(stdin=json.dumps(contract_example()))
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["edition"] == "sir-2019"


def test_prep_exits_2_naming_every_invalid_field() -> None:
    past = datetime.now(CHICAGO) - timedelta(hours=1)
    run = prep(
        stdin=json.dumps(
            {
                "procedure_start": past.isoformat(),
                "edition": "asra-2099",
                "creatinine_clearance_ml_min": -1,
            }
        )
    )
    assert run.returncode == 2
    fields = {error["field"] for error in json.loads(run.stdout)["errors"]}
    assert fields == {"procedure_start", "edition", "creatinine_clearance_ml_min"}


def test_prep_exits_2_on_invalid_json_and_on_a_missing_file(tmp_path: Path) -> None:
    run = prep(stdin="{not json")
    assert run.returncode == 2
    assert json.loads(run.stdout)["errors"][0]["field"] == "(input)"
    missing = prep("--input", str(tmp_path / "nowhere.json"))
    assert missing.returncode == 2
    assert json.loads(missing.stdout)["errors"][0]["field"] == "--input"
