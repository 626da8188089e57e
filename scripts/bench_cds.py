"""Measure the CDS Hooks order-select service under concurrent clients, over real HTTP.

Starts `spinepath serve` (one worker process unless --workers says more) on a loopback port
with a fresh database and one trusted CDS client, then sends, from CLIENTS concurrent
connections:

1. the no-op baseline: GET /cds-services (static JSON: no database, no JWT);
2. order-select with a vertebroplasty order and full prefetch (JWT verified, criteria and
   medicine holds computed, the JWT id, cards and audit event written).

Each run is bounded by a request count and a time limit, whichever comes first. Then both again
from one client alone (the time one call takes without queueing). Prints p50, p99 and requests
per second for each, the ratios, and the command to repeat it.

    .venv/bin/python scripts/bench_cds.py [--clients 20] [--requests 2000] [--seconds 60]
        [--database-url postgresql://… | --postgres] [--workers 2] [--json]

``--postgres`` makes a fresh database on the local PostgreSQL server (``--postgres-admin-url``,
by default postgresql://postgres@127.0.0.1:5432/postgres) and drops it afterwards.

``--json`` prints one JSON object on stdout instead of the table (for a script that collects
benchmarks): ``{"benchmark": "cds", "command", "settings": {clients, requests, seconds,
workers, database}, "machine": {platform, cpus, python, load_average}, "results": [{"key",
"endpoint", "clients", "requests", "failures", "failure_statuses", "seconds", "p50_ms",
"p99_ms", "requests_per_second", "server_cpu_ms_per_request"}, ...], "ratios":
{"p99_order_select_over_noop", "p50_order_select_over_noop_1_client",
"throughput_order_select_over_noop"}, "ok"}``, with the result keys ``noop``,
``order_select``, ``noop_1_client`` and ``order_select_1_client``. The server's CPU time per
request (Linux /proc, the server and its workers; null elsewhere) is what a call costs; it
moves less with other load on the machine than the latencies do, but it still moves.
The exit status is 1 when any request failed (the JSON is printed first).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

ISS = "https://bench.ehr.example"
SERVICE = "spinepath-order-select"
SINGLE_CLIENT_REQUESTS = 300
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "spinepath.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"spinepath {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def hook_body(now: datetime) -> dict[str, Any]:
    pid = "bench-patient"

    def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in resources],
        }

    subject = {"reference": f"Patient/{pid}"}
    meds = [
        ("Warfarin Sodium 5 MG Oral Tablet", "855332"),
        ("Alendronic acid 10 MG Oral Tablet", "904419"),
        ("Simvastatin 10 MG", None),
        ("Apixaban 5 mg", None),
    ]
    return {
        "hook": "order-select",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/1",
            "patientId": pid,
            "selections": ["ServiceRequest/vp"],
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "ServiceRequest",
                            "id": "vp",
                            "status": "draft",
                            "intent": "order",
                            "code": {
                                "coding": [
                                    {"system": "http://www.ama-assn.org/go/cpt", "code": "22511"}
                                ]
                            },
                            "subject": subject,
                            "bodySite": [{"text": "L1 vertebra"}],
                            "occurrenceDateTime": (now + timedelta(days=10)).isoformat(),
                        }
                    }
                ],
            },
        },
        "prefetch": {
            "patient": {
                "resourceType": "Patient",
                "id": pid,
                "gender": "female",
                "birthDate": "1940-01-01",
            },
            "conditions": bundle(
                [
                    {
                        "resourceType": "Condition",
                        "id": "vcf",
                        "code": {
                            "coding": [
                                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M80.08XA"}
                            ]
                        },
                        "bodySite": [{"text": "L1"}],
                        "onsetDateTime": (now - timedelta(days=40)).date().isoformat(),
                        "subject": subject,
                    }
                ]
            ),
            "medications": bundle(
                [
                    {
                        "resourceType": "MedicationRequest",
                        "id": f"m{i}",
                        "status": "active",
                        "intent": "order",
                        "subject": subject,
                        "medicationCodeableConcept": {
                            "text": name,
                            **(
                                {
                                    "coding": [
                                        {
                                            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                            "code": code,
                                        }
                                    ]
                                }
                                if code
                                else {}
                            ),
                        },
                    }
                    for i, (name, code) in enumerate(meds)
                ]
            ),
            "observations": bundle(
                [
                    {
                        "resourceType": "Observation",
                        "id": "crcl",
                        "status": "final",
                        "subject": subject,
                        "code": {"coding": [{"system": "http://loinc.org", "code": "2164-2"}]},
                        "effectiveDateTime": (now - timedelta(days=2)).isoformat(),
                        "valueQuantity": {"value": 52, "unit": "mL/min", "code": "mL/min"},
                    }
                ]
            ),
            "allergies": None,
        },
    }


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by the server process and its worker processes,
    from /proc (Linux); None elsewhere."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    try:
        while pending:
            current = pending.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None
    return total


def measure(
    key: str,
    name: str,
    send: Any,
    clients: int,
    requests: int,
    seconds: float,
    server_pid: int | None = None,
) -> dict[str, Any]:
    cpu_before = server_cpu_seconds(server_pid) if server_pid else None
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                started = time.perf_counter()
                status = send(client, index)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if status != 200:
                        failures.append(status)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu_after = server_cpu_seconds(server_pid) if server_pid else None
    ordered = sorted(latencies)
    cpu_ms = (
        round((cpu_after - cpu_before) * 1000 / len(ordered), 2)
        if cpu_before is not None and cpu_after is not None and ordered
        else None
    )
    return {
        "key": key,
        "endpoint": name,
        "clients": clients,
        "requests": len(ordered),
        "failures": len(failures),
        "failure_statuses": sorted(set(failures)),
        "seconds": round(wall, 2),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 1),
        "requests_per_second": round(len(ordered) / wall, 1),
        "server_cpu_ms_per_request": cpu_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default=None, help="an empty database (default SQLite)")
    parser.add_argument(
        "--postgres", action="store_true", help="a fresh database on the local PostgreSQL server"
    )
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    options = parser.parse_args()
    if options.postgres and options.database_url:
        parser.error("--postgres makes its own database: give it or --database-url, not both")

    workdir = Path(tempfile.mkdtemp(prefix="bench-cds-"))
    with contextlib.ExitStack() as stack:
        if options.postgres:
            database_url = stack.enter_context(fresh_postgres(options.postgres_admin_url))
        else:
            database_url = options.database_url or f"sqlite:///{workdir / 'bench.db'}"
        report = bench(options, workdir, database_url)
    if options.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    if not report["ok"]:
        raise SystemExit("some requests failed: " + json.dumps(report["results"]))


@contextlib.contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database for this run, dropped afterwards."""
    import psycopg

    name = f"spinepath_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench(options: argparse.Namespace, workdir: Path, database_url: str) -> dict[str, Any]:
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(jwt.get_algorithm_by_name("ES384").to_jwk(key.public_key()))
    clients_config = [
        {"iss": ISS, "clinic": "bench", "jwks": {"keys": [{**jwk, "kid": "bench-1"}]}}
    ]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SPINEPATH_DATA_DIR": str(workdir),
        "SPINEPATH_DATABASE_URL": database_url,
        "SPINEPATH_CDS_CLIENTS": json.dumps(clients_config),
        "SPINEPATH_PUBLIC_URL": base,
        "SPINEPATH_PASSWORD": "bench-password-123",
    }
    run(["db", "upgrade"], env)
    run(
        [
            "user", "create", "--username", f"bench.{uuid.uuid4().hex[:6]}",
            "--full-name", "Bench", "--role", "coordinator", "--clinic", "bench",
            "--clinic-name", "Bench Clinic",
        ],
        env,
    )  # fmt: skip
    serve = ["serve", "--port", str(port), "--workers", str(options.workers)]
    server = subprocess.Popen(
        [sys.executable, "-m", "spinepath.cli", *serve],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60  # a loaded machine starts slowly
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.1)

        now = datetime.now(UTC)
        body = json.dumps(hook_body(now)).encode()
        service_url = f"{base}/cds-services/{SERVICE}"
        total = options.requests + 100 + SINGLE_CLIENT_REQUESTS  # and a warm-up

        def token() -> str:
            issued = datetime.now(UTC)
            return jwt.encode(
                {
                    "iss": ISS,
                    "aud": service_url,
                    "iat": int(issued.timestamp()),
                    "exp": int((issued + timedelta(minutes=5)).timestamp()),
                    "jti": str(uuid.uuid4()),
                },
                key,
                algorithm="ES384",
                headers={"kid": "bench-1", "typ": "JWT"},
            )

        tokens = [token() for _ in range(total)]  # signed before timing

        def discovery(client: httpx.Client, _: int) -> int:
            return client.get(f"{base}/cds-services").status_code

        def order_select(client: httpx.Client, index: int) -> int:
            answer = client.post(
                service_url,
                content=body,
                headers={
                    "Authorization": f"Bearer {tokens[index]}",
                    "Content-Type": "application/json",
                },
            )
            if answer.status_code == 200 and len(answer.json()["cards"]) != 2:
                return 599
            return answer.status_code

        # Warm-up: 100 calls, not counted.
        measure(
            "warm-up", "warm-up", lambda c, i: order_select(c, options.requests + i), 5, 100, 30
        )
        pid = server.pid
        results = [
            measure("noop", "GET /cds-services (no-op)", discovery, options.clients,
                    options.requests, options.seconds, pid),
            measure("order_select", f"POST /cds-services/{SERVICE}", order_select,
                    options.clients, options.requests, options.seconds, pid),
            # One client alone: the time a single call takes, without queueing behind others.
            measure("noop_1_client", "GET /cds-services (no-op), 1 client", discovery, 1,
                    SINGLE_CLIENT_REQUESTS, options.seconds, pid),
            measure("order_select_1_client", f"POST /cds-services/{SERVICE}, 1 client",
                    lambda c, i: order_select(c, options.requests + 100 + i), 1,
                    SINGLE_CLIENT_REQUESTS, options.seconds, pid),
        ]  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)

    rows = {row["key"]: row for row in results}

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 2) if b else None

    return {
        "benchmark": "cds",
        "command": " ".join([".venv/bin/python", "scripts/bench_cds.py", *sys.argv[1:]]),
        "settings": {
            "clients": options.clients,
            "requests": options.requests,
            "seconds": options.seconds,
            "workers": options.workers,
            "database": database_url.split(":")[0].split("+")[0],
        },
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "results": results,
        "ratios": {
            "p99_order_select_over_noop": ratio(
                rows["order_select"]["p99_ms"], rows["noop"]["p99_ms"]
            ),
            "p50_order_select_over_noop_1_client": ratio(
                rows["order_select_1_client"]["p50_ms"], rows["noop_1_client"]["p50_ms"]
            ),
            "throughput_order_select_over_noop": ratio(
                rows["order_select"]["requests_per_second"], rows["noop"]["requests_per_second"]
            ),
        },
        "ok": not any(row["failures"] for row in results),
    }


def print_table(report: dict[str, Any]) -> None:
    settings, machine = report["settings"], report["machine"]
    print(
        f"spinepath CDS Hooks benchmark: {settings['clients']} concurrent clients, up to "
        f"{settings['requests']} requests or {settings['seconds']:g} s per endpoint, "
        f"{settings['workers']} server process(es), {settings['database']} database"
    )
    print(
        f"machine: {machine['platform']}, {machine['cpus']} CPUs, Python {machine['python']}, "
        f"load average {' '.join(map(str, machine['load_average']))} at the end"
    )
    print(
        f"{'endpoint':<54} {'requests':>8} {'fail':>5} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} "
        f"{'server CPU ms/req':>17}"
    )
    for row in report["results"]:
        print(
            f"{row['endpoint']:<54} {row['requests']:>8} {row['failures']:>5} "
            f"{row['p50_ms']:>8} {row['p99_ms']:>8} {row['requests_per_second']:>8} "
            f"{row['server_cpu_ms_per_request'] or '-':>17}"
        )
    ratios = report["ratios"]
    print(
        f"order-select / no-op: p99 at {settings['clients']} clients "
        f"{ratios['p99_order_select_over_noop']}x, p50 at one client "
        f"{ratios['p50_order_select_over_noop_1_client']}x, throughput "
        f"{ratios['throughput_order_select_over_noop']}x"
    )
    print("command: " + report["command"])


if __name__ == "__main__":
    main()
