"""`spinepath import FILE…` as a real subprocess against its own database."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from spinepath.fhir.models import FhirFact
from spinepath.patients.models import Patient
from spinepath.store.db import make_engine, make_session_factory
from tests.fhir.conftest import HALLIE, LONNIE, fixture_path, to_ndjson
from tests.test_cli import spinepath


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {
        "SPINEPATH_DATA_DIR": str(tmp_path),
        "SPINEPATH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    assert spinepath("db", "upgrade", env=env).returncode == 0
    made = spinepath(
        "user",
        "create",
        "--username",
        "nurse.n",
        "--full-name",
        "Nurse N",
        "--role",
        "nurse",
        "--clinic",
        "north",
        "--clinic-name",
        "North Clinic",
        env={**env, "SPINEPATH_PASSWORD": "a-long-password"},
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return env


def counts(env: dict[str, str]) -> tuple[int, int]:
    engine = make_engine(env["SPINEPATH_DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            patients = session.scalar(select(func.count()).select_from(Patient)) or 0
            facts = session.scalar(select(func.count()).select_from(FhirFact)) or 0
    finally:
        engine.dispose()
    return patients, facts


def test_import_both_synthea_files_with_a_progress_bar_then_again_changes_nothing(
    cli_env: dict[str, str],
) -> None:
    files = [str(fixture_path(f"synthea/{HALLIE}")), str(fixture_path(f"synthea/{LONNIE}"))]
    first = spinepath("import", *files, "--user", "nurse.n", env=cli_env)
    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads(first.stdout)
    assert sorted(p["outcome"] for p in report["patients"]) == ["created", "created"]
    assert "Saving" in first.stderr  # the progress bar, on standard error
    after_first = counts(cli_env)
    second = spinepath("import", *files, "--user", "nurse.n", env=cli_env)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["changed"] is False
    assert (again["facts"]["created"], again["facts"]["updated"]) == (0, 0)
    assert counts(cli_env) == after_first == (2, report["facts"]["created"])


def test_a_malformed_file_is_refused_and_nothing_is_imported(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    bundle: dict[str, Any] = json.loads(
        gzip.decompress(fixture_path(f"synthea/{HALLIE}").read_bytes())
    )
    broken = copy.deepcopy(bundle)
    broken["entry"][0]["resource"]["gender"] = "f"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    good = fixture_path(f"synthea/{LONNIE}")
    answer = spinepath("import", str(good), str(path), "--user", "nurse.n", env=cli_env)
    assert answer.returncode == 2
    errors = json.loads(answer.stdout)["errors"]
    assert errors == [
        {
            "field": "broken.json: entry[0].resource.gender",
            "message": "must be male, female, other or unknown",
        }
    ]
    assert counts(cli_env) == (0, 0)


def test_ndjson_files_and_unknown_users(cli_env: dict[str, str], tmp_path: Path) -> None:
    bundle = json.loads(gzip.decompress(fixture_path(f"synthea/{LONNIE}").read_bytes()))
    ndjson = tmp_path / "export.ndjson.gz"
    ndjson.write_bytes(gzip.compress(to_ndjson(bundle).encode()))
    nobody = spinepath("import", str(ndjson), "--user", "nobody", env=cli_env)
    assert nobody.returncode == 2
    assert json.loads(nobody.stdout)["errors"][0]["field"] == "--user"
    missing = spinepath("import", str(tmp_path / "absent.json"), "--user", "nurse.n", env=cli_env)
    assert missing.returncode == 2
    done = spinepath(
        "import",
        str(ndjson),
        "--user",
        "nurse.n",
        "--source",
        "https://ehr.example/fhir",
        env=cli_env,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["input"]["kinds"] == ["ndjson"]
    assert report["source"] == "https://ehr.example/fhir"
    assert counts(cli_env)[0] == 1
