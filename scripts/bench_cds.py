"""Measure the CDS Hooks order-select service under concurrent clients, over real HTTP.

Starts `spinepath serve` (one worker process unless --workers says more) on a loopback port
with a fresh database and one trusted CDS client, then sends, from CLIENTS concurrent
connections:

1. the no-op baseline: GET /cds-services (static JSON: no database, no JWT);
2. order-select with a vertebroplasty order and full prefetch (JWT verified, criteria and
   medicine holds computed, the JWT id, cards and audit event written).

Each run is bounded by a request count and a time limit, whichever comes first. Then both again
from one client alone (the time one call takes without queueing). Prints p50, p99 and requests
per second for each, and the command to repeat it.

    .venv/bin/python scripts/bench_cds.py [--clients 20] [--requests 2000] [--seconds 60]
        [--database-url postgresql://…] [--workers 2]
"""

from __future__ import annotations

import argparse
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

ISS = "https://bench.ehr.example"
SERVICE = "spinepath-order-select"
SINGLE_CLIENT_REQUESTS = 300


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


def measure(
    name: str,
    send: Any,
    clients: int,
    requests: int,
    seconds: float,
) -> dict[str, Any]:
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
    ordered = sorted(latencies)
    return {
        "endpoint": name,
        "requests": len(ordered),
        "failures": len(failures),
        "failure_statuses": sorted(set(failures)),
        "seconds": round(wall, 2),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 1),
        "requests_per_second": round(len(ordered) / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-cds-"))
    database_url = options.database_url or f"sqlite:///{workdir / 'bench.db'}"
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
        deadline = time.monotonic() + 30
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
        measure("warm-up", lambda c, i: order_select(c, options.requests + i), 5, 100, 30)
        results = [
            measure("GET /cds-services (no-op)", discovery, options.clients, options.requests,
                    options.seconds),
            measure(f"POST /cds-services/{SERVICE}", order_select, options.clients,
                    options.requests, options.seconds),
            # One client alone: the time a single call takes, without queueing behind others.
            measure("GET /cds-services (no-op), 1 client", discovery, 1,
                    SINGLE_CLIENT_REQUESTS, options.seconds),
            measure(f"POST /cds-services/{SERVICE}, 1 client",
                    lambda c, i: order_select(c, options.requests + 100 + i), 1,
                    SINGLE_CLIENT_REQUESTS, options.seconds),
        ]  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"spinepath CDS Hooks benchmark: {options.clients} concurrent clients, up to "
        f"{options.requests} requests or {options.seconds:g} s per endpoint, "
        f"{options.workers} server process(es), {database_url.split(':')[0]} database"
    )
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"{'endpoint':<54} {'requests':>8} {'fail':>5} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for row in results:
        print(
            f"{row['endpoint']:<54} {row['requests']:>8} {row['failures']:>5} "
            f"{row['p50_ms']:>8} {row['p99_ms']:>8} {row['requests_per_second']:>8}"
        )
    print("command: " + " ".join([".venv/bin/python", "scripts/bench_cds.py", *sys.argv[1:]]))
    if any(row["failures"] for row in results):
        raise SystemExit("some requests failed: " + json.dumps(results))


if __name__ == "__main__":
    main()
