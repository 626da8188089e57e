"""`spinepath demo` runs the CDS Hooks services in the explicit development mode (no JWT)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.cds_hooks.support import hook_request
from tests.support import free_port, wait_for_health


def test_the_demo_answers_cds_calls_without_a_jwt_and_says_it_is_development(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SPINEPATH_DATA_DIR": str(tmp_path),
        "SPINEPATH_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
    }
    env.pop("SPINEPATH_CDS_DEV_MODE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "spinepath.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, seconds=90, what="the demo")
        request = hook_request(
            "patient-view",
            {"userId": "Practitioner/1", "patientId": "demo-1"},
            prefetch={"patient": None, "conditions": None, "medications": None},
        )
        answer = httpx.post(f"{base}/cds-services/spinepath-patient-view", json=request)
    finally:
        process.terminate()
        output, errors = process.communicate(timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"cards": []}
    assert answer.headers["x-spinepath-cds-mode"] == "development"
    assert "CDS Hooks (development mode, no JWT)" in output
    assert "development mode is ON" in errors
