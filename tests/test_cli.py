"""The command line, run as a real subprocess with its own database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import free_port, postgres_database, wait_for_health


def spinepath(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 120):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "spinepath.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {
        "SPINEPATH_DATA_DIR": str(tmp_path),
        "SPINEPATH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }


def test_db_upgrade_then_user_create(sqlite_env: dict[str, str]) -> None:
    upgraded = spinepath("db", "upgrade", env=sqlite_env)
    assert upgraded.returncode == 0, upgraded.stderr
    made = spinepath(
        "user",
        "create",
        "--username",
        "dr.who",
        "--full-name",
        "Dr Who",
        "--role",
        "physician",
        "--clinic",
        "north",
        "--clinic-name",
        "North Clinic",
        "--time-zone",
        "Europe/London",
        env={**sqlite_env, "SPINEPATH_PASSWORD": "a-long-password"},
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Created dr.who (physician) in North Clinic" in made.stderr


def test_user_create_names_every_bad_option(sqlite_env: dict[str, str]) -> None:
    spinepath("db", "upgrade", env=sqlite_env)
    made = spinepath(
        "user",
        "create",
        "--username",
        "Bad Name",
        "--full-name",
        "X",
        "--role",
        "wizard",
        "--clinic",
        "north",
        "--clinic-name",
        "North",
        env={**sqlite_env, "SPINEPATH_PASSWORD": "short"},
    )
    assert made.returncode == 2
    fields = {e["field"] for e in json.loads(made.stdout)["errors"]}
    assert fields == {"username", "password", "roles.0"}


def test_user_create_needs_an_existing_clinic_or_a_name(sqlite_env: dict[str, str]) -> None:
    spinepath("db", "upgrade", env=sqlite_env)
    made = spinepath(
        "user",
        "create",
        "--username",
        "x.y",
        "--full-name",
        "X",
        "--role",
        "nurse",
        "--clinic",
        "nowhere",
        env={**sqlite_env, "SPINEPATH_PASSWORD": "long-enough-1"},
    )
    assert made.returncode == 2 and json.loads(made.stdout)["errors"][0]["field"] == "clinic"


def test_openapi_prints_the_api_document(sqlite_env: dict[str, str]) -> None:
    printed = spinepath("openapi", env=sqlite_env)
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/v1/health",
        "/api/v1/patients",
        "/api/v1/worklist",
        "/api/v1/episodes/{episode_id}/transitions",
    ):
        assert path in document["paths"]


def test_serve_refuses_an_unmigrated_database(sqlite_env: dict[str, str]) -> None:
    served = spinepath("serve", "--port", str(free_port()), env=sqlite_env)
    assert served.returncode == 1 and "spinepath db upgrade" in served.stderr


@pytest.mark.postgres
def test_db_upgrade_on_postgres_by_one_environment_variable() -> None:
    with postgres_database() as url:
        upgraded = spinepath("db", "upgrade", env={"SPINEPATH_DATABASE_URL": url})
        assert upgraded.returncode == 0, upgraded.stderr
        again = spinepath("db", "upgrade", env={"SPINEPATH_DATABASE_URL": url})
        assert again.returncode == 0


def test_demo_migrates_loads_the_clinic_and_serves_it(sqlite_env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "spinepath.cli", "demo", "--port", str(port)],
        env={**os.environ, **sqlite_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, seconds=90, what="the demo")
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"username": "coord.lee", "password": "demo-coordinator"},
        ).json()["access_token"]
        worklist = httpx.get(
            f"{base}/api/v1/worklist",
            params={"include_ended": True, "per_page": 100},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    stages = {item["stage"] for item in worklist["items"]}
    assert worklist["total"] >= 20
    assert {"referral", "consultation", "procedure", "recovery", "follow_up", "closed"} <= stages
    assert f"http://127.0.0.1:{port}/" in output
    assert "coord.lee" in output and "demo-coordinator" in output


def test_serve_with_two_workers_shares_logins_and_the_database(sqlite_env: dict[str, str]) -> None:
    env = {**sqlite_env, "SPINEPATH_PASSWORD": "two-workers-password"}
    assert spinepath("db", "upgrade", env=env).returncode == 0
    created = spinepath(
        "user", "create", "--username", "nurse.w", "--full-name", "Nurse W", "--role", "nurse",
        "--clinic", "workers", "--clinic-name", "Workers Clinic", env=env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "spinepath.cli", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, seconds=60, what="the server")
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"username": "nurse.w", "password": "two-workers-password"},
        ).json()["access_token"]
        # Fresh connections, so the requests spread over both worker processes.
        statuses = [
            httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            for _ in range(12)
        ]
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert [answer.status_code for answer in statuses] == [200] * 12
    assert {answer.json()["username"] for answer in statuses} == {"nurse.w"}
    assert "2 worker(s)" in errors
    assert len(children) >= 2  # the two worker processes
