"""How fast is the recovery board with a full recovery area? Measured over real HTTP.

Starts spinepath on a loopback port (SQLite in a temporary directory by default, or the database
named by --database-url, which must be empty or already migrated), creates a clinic with a nurse
and a physician, walks PATIENTS patients through the API to recovery (plan, time-out, procedure
record, baseline and recovery vital signs, some with NEWS2 alerts and scores), then times:

- GET /api/v1/recovery/board (JSON, bearer token);
- GET /recovery with the HX-Request header: the fragment the page polls for, with a web session;
- GET /recovery: the whole page.

Usage: .venv/bin/python scripts/bench_recovery_board.py [--patients 30] [--requests 200]
       [--database-url postgresql://postgres@127.0.0.1:5432/some_empty_db]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from spinepath.accounts import service as accounts
from spinepath.accounts.roles import Role
from spinepath.accounts.schemas import ClinicIn, UserIn
from spinepath.api.app import create_app
from spinepath.context import SYSTEM
from spinepath.settings import Settings
from spinepath.store.migrate import upgrade

PASSWORD = "bench-password-123"
ROAD_TO_PREPARED = ("consultation", "decision", "scheduled", "prepared")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _iso(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def _ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    if answer.status_code != status:
        raise RuntimeError(f"{answer.request.method} {answer.request.url}: {answer.text}")
    return dict(answer.json())


def start(database_url: str, data_dir: str) -> tuple[str, uvicorn.Server, threading.Thread, Any]:
    upgrade(database_url)
    app = create_app(
        Settings(database_url=database_url, secret_key="bench", data_dir=Path(data_dir))
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread, app


def make_users(app: Any) -> dict[Role, str]:
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    names: dict[Role, str] = {}
    with app.state.session_factory() as session, session.begin():
        clinic = accounts.create_clinic(
            session, ClinicIn(name="Bench clinic", slug=slug, time_zone="America/Chicago")
        )
        for role in (Role.NURSE, Role.PHYSICIAN):
            username = f"{role.value}.{slug}"
            accounts.create_user(
                session,
                SYSTEM,
                clinic,
                UserIn(
                    username=username,
                    full_name=f"{role.value.title()} {slug}",
                    password=PASSWORD,
                    roles=[role],
                ),
            )
            names[role] = username
    return names


def bearer(base_url: str, username: str) -> httpx.Client:
    with httpx.Client(base_url=base_url) as anonymous:
        token = _ok(
            anonymous.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        )["access_token"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def web_session(base_url: str, username: str) -> httpx.Client:
    """A logged-in browser-like client (cookies kept); the caller closes it."""
    client = httpx.Client(base_url=base_url, timeout=30)
    form = client.get("/login").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if match is None:
        raise RuntimeError("no login form")
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": match[1], "next": "/"},
    )
    if answer.status_code != 303:
        raise RuntimeError(f"login failed: {answer.status_code}")
    return client


def vitals(index: int, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "respiratory_rate": 14 + index % 5,
        "spo2_percent": 95 + index % 4,
        "on_oxygen": False,
        "systolic_bp_mmhg": 118 + index % 20,
        "diastolic_bp_mmhg": 70 + index % 10,
        "pulse_per_min": 64 + index % 15,
        "consciousness": "A",
        "temperature_c": 36.4 + (index % 6) / 10,
    }
    values.update(changes)
    return values


def load_patient(client: httpx.Client, index: int) -> None:
    level = ("T11", "T12", "L1", "L2", "L3")[index % 5]
    patient = _ok(
        client.post(
            "/api/v1/patients",
            json={
                "mrn": f"B-{uuid.uuid4().hex[:8]}",
                "family_name": f"Bench{index:02d}",
                "given_name": "Pat",
                "birth_date": "1941-05-06",
                "sex": "female",
            },
        ),
        201,
    )
    episode = _ok(
        client.post(
            "/api/v1/episodes",
            json={"patient_id": patient["id"], "fractures": [{"level": level}]},
        ),
        201,
    )
    for stage in ROAD_TO_PREPARED:
        episode = _ok(
            client.post(
                f"/api/v1/episodes/{episode['id']}/transitions",
                json={
                    "to_stage": stage,
                    "version": episode["version"],
                    # Benchmark data: the board's speed is measured, not the pathway's gates.
                    "override_reason": "benchmark data for the recovery board",
                },
            )
        )
    base = f"/api/v1/episodes/{episode['id']}"
    technique = "kyphoplasty" if index % 2 else "vertebroplasty"
    _ok(client.put(f"{base}/procedure-plan", json={"technique": technique, "levels": [level]}))
    ended = 20 + index * 3
    _ok(
        client.post(
            f"{base}/observations",
            json={"kind": "baseline", "observed_at": _iso(ended + 90), **vitals(index)},
        ),
        201,
    )
    _ok(
        client.post(
            f"{base}/time-outs",
            json={
                "levels_to_treat": [level],
                "identity_confirmed": True,
                "procedure_confirmed": True,
                "consent_confirmed": True,
                "labs_reviewed": True,
                "allergies": "None known",
                "team": "Bench team",
                "performed_at": _iso(ended + 60),
            },
        ),
        201,
    )
    _ok(
        client.post(
            f"{base}/procedure-record",
            json={
                "levels": [
                    {
                        "level": level,
                        "technique": technique,
                        "approach": "bipedicular",
                        "balloon": "15 mm" if technique == "kyphoplasty" else None,
                        "cement_type": "pmma",
                        "cement_volume_ml": 4.0,
                        "leakage": [],
                    }
                ],
                "started_at": _iso(ended + 40),
                "ended_at": _iso(ended),
                "sedation": "moderate",
                "fluoroscopy_time_min": 3.0,
                "complications": [],
            },
        ),
        201,
    )
    _ok(client.post(f"{base}/recovery"), 201)
    for minutes in range(ended - 1, 0, -15):
        changes = {"respiratory_rate": 26} if index % 7 == 0 and minutes < 15 else {}
        _ok(
            client.post(
                f"{base}/observations",
                json={"observed_at": _iso(minutes), **vitals(index, **changes)},
            ),
            201,
        )
    if index % 3 == 0:
        points = {"activity": 2, "respiration": 2, "consciousness": 2, "oxygen_saturation": 2}
        _ok(client.post(f"{base}/recovery/aldrete", json=points), 201)


def measure(call: Callable[[], httpx.Response], requests: int) -> dict[str, float]:
    for _ in range(5):  # warm up connections and caches
        call().raise_for_status()
    timings: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = call()
        timings.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, math.ceil(0.95 * len(timings)) - 1)],  # nearest rank
        "max_ms": timings[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=30)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        url = args.database_url or f"sqlite:///{Path(data_dir) / 'bench.db'}"
        base_url, server, thread, app = start(url, data_dir)
        try:
            users = make_users(app)
            loading = time.perf_counter()
            with bearer(base_url, users[Role.PHYSICIAN]) as physician:
                for index in range(args.patients):
                    load_patient(physician, index)
            loaded_s = time.perf_counter() - loading
            browser = web_session(base_url, users[Role.NURSE])
            with bearer(base_url, users[Role.NURSE]) as nurse, contextlib.closing(browser):
                board = _ok(nurse.get("/api/v1/recovery/board"))
                alerts = sum(len(item["open_alerts"]) for item in board["items"])
                results = {
                    "GET /api/v1/recovery/board (JSON)": measure(
                        lambda: nurse.get("/api/v1/recovery/board"), args.requests
                    ),
                    "GET /recovery, HX-Request (polled fragment)": measure(
                        lambda: browser.get("/recovery", headers={"HX-Request": "true"}),
                        args.requests,
                    ),
                    "GET /recovery (whole page)": measure(
                        lambda: browser.get("/recovery"), args.requests
                    ),
                }
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            app.state.engine.dispose()
    backend = url.split(":", 1)[0].split("+")[0]
    if args.json:
        rows = [{"endpoint": name, **figures} for name, figures in results.items()]
        summary = {"database": backend, "patients": board["count"], "open_alerts": alerts}
        print(json.dumps({"benchmark": "recovery_board", **summary, "results": rows}))
        return 0
    print(f"database: {backend}; patients in recovery: {board['count']}; open alerts: {alerts}")
    print(f"loaded through the API in {loaded_s:.1f} s; {args.requests} requests per route")
    for name, figures in results.items():
        print(
            f"{name}: median {figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"max {figures['max_ms']:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
