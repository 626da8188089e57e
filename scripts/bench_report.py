"""How fast is the outcome report for a clinic with 100,000 episodes? Measured over real HTTP.

Fills a database with one clinic of EPISODES synthetic episodes in follow-up (patients,
fractures, follow-up plans with their contacts, outcome answers at baseline and after,
fracture-liaison records, a few events), written in bulk with the same column values the
services compute (responder status and indicators come from the clinical core). Then starts
`spinepath serve` in its own process and times, after one warm-up request each:

- GET /reports/outcomes (the HTML page with its charts, logged in as the quality lead);
- GET /reports/outcomes?date_from=…&date_to=… (one year);
- GET /api/v1/reports/outcomes (the JSON report).

Prints the median, minimum and maximum of --runs requests for each.

Usage: .venv/bin/python scripts/bench_report.py [--episodes 100000] [--runs 7]
       [--database sqlite|postgres|both]
PostgreSQL uses a fresh database on 127.0.0.1:5432 (user postgres), dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import insert
from sqlalchemy.orm import Session

from spinepath.accounts.models import Clinic, User, UserRole
from spinepath.accounts.passwords import hash_password
from spinepath.clinical.follow_up import kpi as kpis
from spinepath.clinical.follow_up.responder import Scores, compare
from spinepath.clinical.follow_up.schedule import DEFAULT_SCHEDULES, PlanKind, plan_contacts
from spinepath.clinical.levels import LEVELS, level_index
from spinepath.episodes.models import Episode, Fracture
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpEvent,
    FollowUpLevel,
    FollowUpPlan,
    FractureLiaison,
    OutcomeRecord,
)
from spinepath.patients.models import Patient
from spinepath.store.db import make_engine, make_session_factory
from spinepath.store.migrate import upgrade

PASSWORD = "bench-password-123"
BATCH = 5000
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TODAY = date(2026, 11, 20)
SPINE_LEVELS = [lvl for lvl in LEVELS if lvl[0] in "TL"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model.__table__), rows[start : start + BATCH])
    rows.clear()


def _odi_tenths(points: int) -> int:
    return points * 20  # all ten sections answered: points / 50 × 100 %, in tenths


def fill(database_url: str, episodes: int, seed: int = 7) -> str:
    """The cohort; returns the quality lead's username."""
    rng = random.Random(seed)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with factory() as session, session.begin():
        clinic_id = uuid.uuid4()
        session.execute(
            insert(Clinic.__table__),
            [
                {
                    "id": clinic_id,
                    "name": "Benchmark Spine Clinic",
                    "slug": f"bench-{clinic_id.hex[:8]}",
                    "time_zone": "America/Chicago",
                    "created_at": now,
                }
            ],
        )
        users = {}
        for role, count in (("physician", 8), ("quality_lead", 1)):
            for number in range(count):
                user_id = uuid.uuid4()
                users.setdefault(role, []).append(user_id)
                session.execute(
                    insert(User.__table__),
                    [
                        {
                            "id": user_id,
                            "clinic_id": clinic_id,
                            "username": f"{role}{number}.{clinic_id.hex[:8]}",
                            "full_name": f"{role.title()} {number}",
                            "password_hash": hash_password(PASSWORD),
                            "active": True,
                            "created_at": now,
                        }
                    ],
                )
                session.execute(insert(UserRole.__table__), [{"user_id": user_id, "role": role}])
        quality_lead = f"quality_lead0.{clinic_id.hex[:8]}"

        patients: list[dict[str, Any]] = []
        episode_rows: list[dict[str, Any]] = []
        fractures: list[dict[str, Any]] = []
        plans: list[dict[str, Any]] = []
        contacts: list[dict[str, Any]] = []
        outcomes: list[dict[str, Any]] = []
        liaisons: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        levels_rows: list[dict[str, Any]] = []
        # In foreign-key order, matching MODELS.
        tables = (
            patients,
            episode_rows,
            fractures,
            plans,
            levels_rows,
            contacts,
            outcomes,
            liaisons,
            events,
        )
        templates = {kind: DEFAULT_SCHEDULES[kind] for kind in PlanKind}
        for number in range(episodes):
            patient_id, episode_id, plan_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            kind = PlanKind.POST_PROCEDURE if rng.random() < 0.8 else PlanKind.CONSERVATIVE
            anchor = TODAY - timedelta(days=rng.randint(20, 730))
            onset = anchor - timedelta(days=rng.randint(7, 60))
            physician = rng.choice(users["physician"])
            versioned = {"version": 1, "created_at": now, "updated_at": now}
            cohort = {
                "clinic_id": clinic_id,
                "anchor_date": anchor,
                "anchor_month": anchor.strftime("%Y-%m"),
                "plan_kind": kind.value,
                "physician_id": physician,
            }
            patients.append(
                {
                    "id": patient_id,
                    "clinic_id": clinic_id,
                    "mrn": f"B{number:07d}",
                    "family_name": f"Family{number}",
                    "given_name": "Given",
                    "birth_date": date(1940 + number % 30, 1 + number % 12, 1 + number % 28),
                    "sex": "female" if number % 3 else "male",
                    "email": f"p{number}@example.org",
                    **versioned,
                }
            )
            opened = datetime(onset.year, onset.month, onset.day, 15, tzinfo=UTC)
            episode_rows.append(
                {
                    "id": episode_id,
                    "clinic_id": clinic_id,
                    "patient_id": patient_id,
                    "stage": "follow_up",
                    "stage_entered_at": opened,
                    "opened_at": opened,
                    "responsible_physician_id": physician,
                    **versioned,
                }
            )
            first = rng.choice(SPINE_LEVELS)
            levels = [first]
            if rng.random() < 0.3 and level_index(first) + 1 < len(LEVELS):
                levels.append(LEVELS[level_index(first) + 1])
            for level in levels:
                levels_rows.append(
                    {
                        "id": uuid.uuid4(),
                        **cohort,
                        "plan_id": plan_id,
                        "episode_id": episode_id,
                        "level": level,
                        "level_order": level_index(level),
                    }
                )
                fractures.append(
                    {
                        "id": uuid.uuid4(),
                        "episode_id": episode_id,
                        "level": level,
                        "level_order": level_index(level),
                        "onset_date": onset,
                        "etiology": "osteoporotic",
                        **versioned,
                    }
                )
            plans.append(
                {
                    "id": plan_id,
                    "clinic_id": clinic_id,
                    "episode_id": episode_id,
                    "patient_id": patient_id,
                    "kind": kind.value,
                    "anchor_date": anchor,
                    "anchor_month": anchor.strftime("%Y-%m"),
                    "physician_id": physician,
                    "started_at": opened,
                    **versioned,
                }
            )
            baseline = Scores(nrs=rng.randint(5, 10), odi_tenths=_odi_tenths(rng.randint(15, 40)))
            answered: list[tuple[str, Scores]] = [("baseline", baseline)]
            for planned in plan_contacts(templates[kind], anchor):
                closed = planned.window_end < TODAY
                answered_here = closed and rng.random() < 0.75
                status = (
                    "done"
                    if answered_here
                    else ("missed" if closed and rng.random() < 0.3 else "planned")
                )
                template = next(t for t in templates[kind] if t.code == planned.code)
                contacts.append(
                    {
                        "id": uuid.uuid4(),
                        **cohort,
                        "plan_id": plan_id,
                        "episode_id": episode_id,
                        "sequence": planned.sequence,
                        "code": planned.code,
                        "label": planned.label,
                        "mode": planned.mode.value,
                        "due_date": planned.due_date,
                        "window_end": planned.window_end,
                        "planned_due_date": planned.due_date,
                        "offset_days": template.offset_days,
                        "offset_months": template.offset_months,
                        "window_days": template.window_days,
                        "reminder_email": planned.reminder_email,
                        "source_id": planned.source_id,
                        "status": status,
                        **versioned,
                    }
                )
                if answered_here:
                    nrs = min(10, max(0, (baseline.nrs or 0) - rng.randint(-1, 6)))
                    odi = min(1000, max(0, (baseline.odi_tenths or 0) - 20 * rng.randint(-2, 20)))
                    answered.append((planned.code, Scores(nrs=nrs, odi_tenths=odi)))
            for point, scores in answered:
                change = compare(baseline, scores) if point != "baseline" else {}
                outcomes.append(
                    {
                        "id": uuid.uuid4(),
                        **cohort,
                        "episode_id": episode_id,
                        "patient_id": patient_id,
                        "time_point": point,
                        "collected_on": anchor,
                        "method": "visit",
                        "nrs": scores.nrs,
                        "odi_tenths": scores.odi_tenths,
                        "results": {},
                        "nrs_change": change["nrs"].change if "nrs" in change else None,
                        "nrs_responder": change["nrs"].responder if "nrs" in change else None,
                        "odi_change_tenths": change["odi"].change if "odi" in change else None,
                        "odi_responder": change["odi"].responder if "odi" in change else None,
                        **versioned,
                    }
                )
            facts = kpis.LiaisonFacts(
                fracture_date=onset,
                dxa_date=onset + timedelta(days=rng.randint(10, 120))
                if rng.random() < 0.8
                else None,
                treatment_start_date=(
                    onset + timedelta(days=rng.randint(10, 150)) if rng.random() < 0.6 else None
                ),
                adherence_checked_on=(
                    onset + timedelta(days=370) if onset + timedelta(days=370) < TODAY else None
                ),
                still_on_treatment=rng.random() < 0.7,
            )
            if facts.adherence_checked_on is None:
                facts = facts.model_copy(update={"still_on_treatment": None})
            results = {r.code: r for r in kpis.evaluate(facts, TODAY)}
            liaisons.append(
                {
                    "id": uuid.uuid4(),
                    **cohort,
                    "episode_id": episode_id,
                    "patient_id": patient_id,
                    "fracture_date": onset,
                    "dxa_date": facts.dxa_date,
                    "treatment_start_date": facts.treatment_start_date,
                    "adherence_checked_on": facts.adherence_checked_on,
                    "still_on_treatment": facts.still_on_treatment,
                    "dxa_deadline": results["dxa_12_weeks"].deadline,
                    "treatment_deadline": results["treatment_16_weeks"].deadline,
                    "adherence_due": results["on_treatment_52_weeks"].deadline,
                    "dxa_met": results["dxa_12_weeks"].met,
                    "treatment_met": results["treatment_16_weeks"].met,
                    "adherence_met": results["on_treatment_52_weeks"].met,
                    "adherence_checked": facts.adherence_checked_on is not None,
                    **versioned,
                }
            )
            if rng.random() < 0.06:
                new_level = rng.choice(SPINE_LEVELS)
                events.append(
                    {
                        "id": uuid.uuid4(),
                        **cohort,
                        "episode_id": episode_id,
                        "patient_id": patient_id,
                        "kind": rng.choice(
                            ["new_vertebral_fracture", "complication", "readmission", "death"]
                        ),
                        "occurred_on": anchor + timedelta(days=10),
                        "level": new_level,
                        "adjacent": abs(level_index(new_level) - level_index(first)) == 1,
                        "recorded_at": now,
                    }
                )
            if len(patients) >= BATCH:
                _flush_all(session, tables)
        _flush_all(session, tables)
    # Planner statistics and (PostgreSQL) the visibility map, as autovacuum keeps them on a
    # running server after a bulk load.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if database_url.startswith("postgresql"):
            connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    _say(f"  filled {episodes:,} episodes in {time.perf_counter() - started:.0f} s")
    return quality_lead


MODELS = (
    Patient,
    Episode,
    Fracture,
    FollowUpPlan,
    FollowUpLevel,
    FollowUpContact,
    OutcomeRecord,
    FractureLiaison,
    FollowUpEvent,
)


def _flush_all(session: Session, tables: tuple[list[dict[str, Any]], ...]) -> None:
    for model, rows in zip(MODELS, tables, strict=True):
        if rows:
            _insert(session, model, rows)


@contextlib.contextmanager
def serving(database_url: str, data_dir: str) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "SPINEPATH_DATABASE_URL": database_url,
        "SPINEPATH_DATA_DIR": data_dir,
        "SPINEPATH_SECRET_KEY": "bench-secret",
    }
    log = Path(data_dir) / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "spinepath.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _timed(client: httpx.Client, url: str, runs: int, **params: str) -> list[float]:
    client.get(url, params=params).raise_for_status()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(url, params=params)
        times.append(time.perf_counter() - started)
        answer.raise_for_status()
    return times


def measure(base: str, username: str, runs: int) -> list[dict[str, Any]]:
    with httpx.Client(base_url=base, timeout=120, follow_redirects=True) as web:
        form = web.get("/login")
        csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        web.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
        token = httpx.post(
            f"{base}/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        ).json()["access_token"]
        page = web.get("/reports/outcomes")
        assert "episode-count" in page.text, page.text[:500]
        count = page.text.split('id="episode-count">')[1].split("<")[0]
        _say(f"  report page lists {count} episodes; {len(page.content):,} bytes")
        checks = [
            ("GET /reports/outcomes (HTML page)", web, "/reports/outcomes", {}),
            (
                "GET /reports/outcomes, one year",
                web,
                "/reports/outcomes",
                {"date_from": "2025-11-01", "date_to": "2026-10-31"},
            ),
        ]
        with httpx.Client(
            base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}
        ) as api:
            checks.append(
                ("GET /api/v1/reports/outcomes (JSON)", api, "/api/v1/reports/outcomes", {})
            )
            results = []
            for name, client, url, params in checks:
                times = _timed(client, url, runs, **params)
                _say(
                    f"  {name}: median {statistics.median(times) * 1000:.0f} ms "
                    f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; {runs} runs)"
                )
                results.append(
                    {
                        "endpoint": name,
                        "runs": runs,
                        "median_ms": round(statistics.median(times) * 1000, 1),
                        "min_ms": round(min(times) * 1000, 1),
                        "max_ms": round(max(times) * 1000, 1),
                    }
                )
            return results


QUIET = False


def _say(text: str) -> None:
    """Progress on standard output, or on standard error when --json owns standard output."""
    print(text, flush=True, file=sys.stderr if QUIET else sys.stdout)


def run(database: str, episodes: int, runs: int) -> dict[str, Any]:
    found: dict[str, Any] = {"database": database, "episodes": episodes}
    with tempfile.TemporaryDirectory() as tmp:
        if database == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            _say(f"SQLite ({url})")
            upgrade(url)
            username = fill(url, episodes)
            with serving(url, tmp) as base:
                found["results"] = measure(base, username, runs)
            return found
        name = f"spinepath_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        _say(f"PostgreSQL ({name})")
        try:
            upgrade(url)
            username = fill(url, episodes)
            with serving(url, tmp) as base:
                found["results"] = measure(base, username, runs)
            return found
        finally:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    global QUIET
    QUIET = args.json
    found = [
        run(database, args.episodes, args.runs)
        for database in (("sqlite", "postgres") if args.database == "both" else (args.database,))
    ]
    if args.json:
        print(json.dumps({"benchmark": "report", "runs": found}))


if __name__ == "__main__":
    main()
